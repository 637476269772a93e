import type { Command } from 'commander';
import type { CertificateFiles } from '../certs/index.js';
import type { CliContext } from './cli-context.js';
import { globals } from './global-options.js';
import { integerIn, nonNegativeInt } from './option-parsers.js';

interface CertsFlags {
  out: string;
  nodes: number;
  host: string[];
  dns: string[];
  k8sNamespace?: string;
  client: string[];
  validDays: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `raftlog certs create`: a local CA and certificates for a cluster's nodes and clients. */
export function registerCertsCommand(program: Command, ctx: CliContext): void {
  program
    .command('certs')
    .description('TLS certificates for a cluster')
    .command('create')
    .description('make a CA, a certificate per node (raftlog://node/<id>) and per client, in --out')
    .requiredOption('--out <dir>', 'directory for the files (must not hold a CA yet)')
    .option('--nodes <n>', 'node certificates for ids 1..n', nonNegativeInt, 3)
    .option('--host <host>', 'IP or name every node certificate covers (repeatable)', collect, [])
    .option('--dns <name>', 'DNS name every node certificate covers (repeatable)', collect, [])
    .option('--k8s-namespace <ns>', "also cover each pod's names in the Kubernetes overlay's namespace")
    .option('--client <name>', 'a client certificate, CN <name> (repeatable)', collect, [])
    .option('--valid-days <n>', 'validity of every certificate', integerIn(1, 3650), 365)
    .action(async (flags: CertsFlags, cmd: Command) => {
      // The X.509 library is loaded here, not at the top: every raftlog process (a node too) loads
      // the CLI's modules, and it alone took 3.4 MB of V8's heap and 17 MiB of RSS.
      // createCertificates checks --nodes against its bound.
      const { createCertificates } = await import('../certs/index.js');
      const files = await createCertificates({
        outDir: flags.out,
        nodes: flags.nodes,
        hosts: [...flags.host, ...flags.dns],
        ...(flags.k8sNamespace === undefined ? {} : { kubernetesNamespace: flags.k8sNamespace }),
        clients: flags.client,
        validDays: flags.validDays,
      });
      ctx.io.out(globals(cmd).json ? JSON.stringify(asJson(files)) : describe(files));
    });
}

function asJson(files: CertificateFiles) {
  return {
    ca: files.ca,
    nodes: Object.fromEntries(files.nodes),
    clients: Object.fromEntries(files.clients),
  };
}

function describe(files: CertificateFiles): string {
  const lines = [`CA: ${files.ca} (keep ca.key offline once the certificates are made)`];
  for (const [id, pair] of files.nodes) lines.push(`node ${id}: ${pair.cert} ${pair.key}`);
  for (const [name, pair] of files.clients)
    lines.push(`client ${name} (User:${name}): ${pair.cert} ${pair.key}`);
  return lines.join('\n');
}
