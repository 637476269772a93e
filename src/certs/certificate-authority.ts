// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
// @peculiar/x509 types its provider as the DOM's Crypto, which this project's types do not include.
const crypto = webcrypto as unknown as object;
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface IssuedPem {
  readonly cert: string;
  readonly key: string;
}

/** What one certificate is for: its subject, names and whether servers, clients or both present it. */
export interface CertificateSpec {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly uris?: readonly string[];
  readonly usages: readonly ('server' | 'client')[];
}

/**
 * A private CA made on this machine (node:crypto's WebCrypto keys, @peculiar/x509 for the X.509
 * encoding, which node:crypto cannot sign): ECDSA P-256 throughout, certificates valid from an hour
 * ago (clock skew between machines) for `validDays`.
 */
export class CertificateAuthority {
  private constructor(
    private readonly keys: CryptoKeyPair,
    private readonly certificate: x509.X509Certificate,
    private readonly validDays: number,
  ) {}

  static async create(name: string, validDays: number): Promise<CertificateAuthority> {
    const keys = await generateKeys();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        ...validity(validDays),
        serialNumber: serial(),
        name: `CN=${escapeName(name)}`,
        keys,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new CertificateAuthority(keys, certificate, validDays);
  }

  async pem(): Promise<IssuedPem> {
    return { cert: this.certificate.toString('pem'), key: await privateKeyPem(this.keys.privateKey) };
  }

  async issue(spec: CertificateSpec): Promise<IssuedPem> {
    const keys = await generateKeys();
    const certificate = await x509.X509CertificateGenerator.create(
      {
        ...validity(this.validDays),
        serialNumber: serial(),
        subject: `CN=${escapeName(spec.commonName)}`,
        issuer: this.certificate.subject,
        publicKey: keys.publicKey,
        signingKey: this.keys.privateKey,
        signingAlgorithm: algorithm,
        extensions: await leafExtensions(spec, keys.publicKey, this.certificate),
      },
      crypto,
    );
    return { cert: certificate.toString('pem'), key: await privateKeyPem(keys.privateKey) };
  }
}

async function leafExtensions(spec: CertificateSpec, publicKey: CryptoKey, ca: x509.X509Certificate) {
  const names: x509.JsonGeneralName[] = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(spec.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  const purposes = spec.usages.map((u) =>
    u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
  );
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(purposes, false),
    ...(names.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(names, false)]),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
    await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
  ];
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(validDays: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60 * 60 * 1000), notAfter: new Date(now + validDays * dayMs) };
}

/** 16 random bytes with the top bit clear: a positive serial number, unique per certificate. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/** Names are joined into an RFC 4514 string: the characters it gives meaning to are escaped. */
function escapeName(value: string): string {
  return value.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`);
}
