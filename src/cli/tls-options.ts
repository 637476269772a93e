import { Option, type Command } from 'commander';
import { setDefaultChannelCredentials } from '../../rpc/index.js';
import { tlsCredentials, type ClientTlsFiles } from '../client/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * --tls-ca, --tls-cert and --tls-key for every command: this process's certificate and the CAs it
 * trusts. For `start` they are the client listener's (see node-config); for every other command the
 * CAs that verify the nodes and the client certificate for mutual TLS. Before a command runs, every
 * channel of the process gets these credentials (the client's pool, health probes, hand-off).
 */
export function addTlsOptions(program: Command, env: Env): void {
  const option = (flag: string, text: string, variable: string) =>
    new Option(flag, `${text} (env ${variable})`).default(nonEmpty(env[variable]));
  program
    .addOption(option('--tls-ca <file>', 'CA certificates (PEM) that verify the nodes', 'RAFTLOG_TLS_CA'))
    .addOption(option('--tls-cert <file>', 'client certificate (PEM) for mutual TLS', 'RAFTLOG_TLS_CERT'))
    .addOption(option('--tls-key <file>', 'private key (PEM) of --tls-cert', 'RAFTLOG_TLS_KEY'))
    .hook('preAction', (_program, action) => setDefaultChannelCredentials(tlsCredentials(tlsFiles(action))));
}

export function tlsFiles(command: Command): ClientTlsFiles {
  const o = command.optsWithGlobals<{ tlsCa?: string; tlsCert?: string; tlsKey?: string }>();
  return { ca: o.tlsCa, cert: o.tlsCert, key: o.tlsKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
