import { accessSync, constants } from 'node:fs';
import { clientAuthModes, type ClientAuth } from '../../rpc/index.js';

type Setting = string | number | undefined;

/** The raw TLS settings, as flags, RAFTLOG_* variables or the config file give them. */
export interface RawTlsSettings {
  readonly tlsCert?: Setting;
  readonly tlsKey?: Setting;
  readonly tlsCa?: Setting;
  readonly tlsClientAuth?: Setting;
  readonly peerTlsCert?: Setting;
  readonly peerTlsKey?: Setting;
  readonly peerTlsCa?: Setting;
}

/**
 * TLS of both listeners, all or nothing: with it the client listener serves TLS (client certificates
 * as `tlsClientAuth` says) and the peer listener mutual TLS, with the peer files or else the client
 * ones; without it both are plaintext. Nodes call each other's client ports too (forwarded produce
 * and group calls), so one listener with TLS and the other without would break those calls.
 */
export interface TlsSettings {
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  /** Verifies client certificates; needed when tlsClientAuth is not none. */
  readonly tlsCa: string | undefined;
  readonly tlsClientAuth: ClientAuth;
  readonly peerTlsCert: string | undefined;
  readonly peerTlsKey: string | undefined;
  /** Verifies the other nodes' certificates: peerTlsCa, else tlsCa. */
  readonly peerTlsCa: string | undefined;
}

export const tlsSettingNames = [
  'tlsCert',
  'tlsKey',
  'tlsCa',
  'tlsClientAuth',
  'peerTlsCert',
  'peerTlsKey',
  'peerTlsCa',
] as const satisfies readonly (keyof TlsSettings)[];

export function validateTlsSettings(raw: RawTlsSettings, problems: string[]): TlsSettings {
  const file = (name: keyof RawTlsSettings): string | undefined => readableFile(raw[name], name, problems);
  const [tlsCert, tlsKey, tlsCa] = [file('tlsCert'), file('tlsKey'), file('tlsCa')];
  const [peerCert, peerKey, peerCa] = [file('peerTlsCert'), file('peerTlsKey'), file('peerTlsCa')];
  pairOrNeither(tlsCert, tlsKey, 'tlsCert and tlsKey', problems);
  pairOrNeither(peerCert, peerKey, 'peerTlsCert and peerTlsKey', problems);
  const clientAuth = String(raw.tlsClientAuth ?? 'none') as ClientAuth;
  if (!clientAuthModes.includes(clientAuth)) {
    problems.push(`tlsClientAuth must be one of ${clientAuthModes.join('|')}, got "${clientAuth}"`);
  }
  const on = tlsCert !== undefined;
  if (
    !on &&
    (peerCert !== undefined || clientAuth !== 'none' || tlsCa !== undefined || peerCa !== undefined)
  ) {
    problems.push('TLS settings need tlsCert and tlsKey: both listeners use TLS, or neither does');
  }
  const settings = {
    tlsCert,
    tlsKey,
    tlsCa,
    tlsClientAuth: clientAuth,
    peerTlsCert: peerCert ?? tlsCert,
    peerTlsKey: peerKey ?? tlsKey,
    peerTlsCa: peerCa ?? tlsCa,
  };
  if (on && settings.peerTlsCa === undefined) {
    problems.push("peer mTLS needs a CA for the other nodes' certificates: peerTlsCa or tlsCa");
  }
  if (clientAuth !== 'none' && tlsCa === undefined) problems.push(`tlsClientAuth ${clientAuth} needs tlsCa`);
  return settings;
}

function readableFile(value: Setting, what: string, problems: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  const path = String(value);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    problems.push(`${what}: cannot read ${path}`);
  }
  return path;
}

function pairOrNeither(a: unknown, b: unknown, what: string, problems: string[]): void {
  if ((a === undefined) !== (b === undefined)) problems.push(`${what} go together: give both or neither`);
}
