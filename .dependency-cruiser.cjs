// The import direction of DESIGN.md: lib <- raft <- storage <- rpc <- cluster <- src <- (chaos, test).
// A folder imports only folders listed before it; proto/gen only from rpc, cluster, src, chaos and test.
const layers = ['lib', 'raft', 'storage', 'rpc', 'cluster', 'src'];

const layerRules = layers.map((layer, i) => ({
  name: `${layer}-imports-only-lower-layers`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: {
    path: '^(lib|raft|storage|rpc|cluster|src|chaos|test|proto)/',
    pathNot: [`^(${layers.slice(0, i + 1).join('|')})/`, ...(i >= 3 ? ['^proto/gen/'] : [])],
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'chaos-talks-as-a-client',
      severity: 'error',
      from: { path: '^chaos/' },
      to: { path: '^(raft|storage|cluster|test)/' },
    },
    {
      name: 'pure-layers-know-no-wire',
      severity: 'error',
      from: { path: '^(lib|raft|storage)/' },
      to: { path: '(^proto/gen/|@grpc|@bufbuild|^net$|^node:net$|^http2?$|^node:http2?$)' },
    },
    {
      name: 'raft-does-no-io',
      severity: 'error',
      from: { path: '^raft/' },
      to: { dependencyTypes: ['core', 'npm'] },
    },
    {
      name: 'only-the-rocksdb-adapter-imports-rocksdb',
      severity: 'error',
      from: { pathNot: '^storage/kv/rocks-kv-store\\.ts$' },
      to: { path: 'node_modules/rocksdb/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
