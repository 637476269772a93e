export interface LocalClusterOptions {
  readonly nodes: number;
  readonly basePort: number;
  readonly dataDir: string;
  readonly host: string;
  readonly logLevel: string;
}

/** Starts one node process per node and runs until Ctrl-C, then stops them all. */
export function runLocalCluster(options: LocalClusterOptions): Promise<void> {
  void options;
  return Promise.reject(new Error('the local cluster is not built yet'));
}
