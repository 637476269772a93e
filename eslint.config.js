import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeIo = ['node:*', 'fs', 'net', 'http', 'http2', 'child_process', 'worker_threads', 'timers'];
const timerGlobals = ['setTimeout', 'setInterval', 'setImmediate'];
const useTheClock = 'Below src/, time and timers come from the injected Clock (lib/clock.ts).';
const clockImports = {
  group: ['timers', 'timers/*', 'node:timers', 'node:timers/*'],
  message: useTheClock,
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'proto/gen/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Below src/, time comes from the injected Clock (lib/clock.ts), so a simulator can drive whole
    // nodes. Tests and their harnesses may use real time. Listed before raft/'s stricter block, which
    // replaces these rules there.
    files: ['lib/**/*.ts', 'raft/**/*.ts', 'storage/**/*.ts', 'rpc/**/*.ts', 'cluster/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*test-harness.ts',
      '**/test-helpers.ts',
      '**/test-fixtures/**',
      '**/testing/**',
      // The wall clock itself: the default of the gRPC adapter and the process's systemClock.
      'rpc/wire-clock.ts',
    ],
    rules: {
      'no-restricted-globals': ['error', ...timerGlobals.map((name) => ({ name, message: useTheClock }))],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: useTheClock },
        { object: 'performance', property: 'now', message: useTheClock },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: useTheClock },
        { selector: "CallExpression[callee.name='Date'][arguments.length=0]", message: useTheClock },
      ],
      'no-restricted-imports': ['error', { patterns: [clockImports] }],
    },
  },
  {
    // Every partition proposal passes the version gate (cluster/node/propose-partition.ts). This block
    // replaces the one above's import rule for these files, so it repeats the clock pattern.
    files: ['cluster/node/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*test-harness.ts',
      '**/test-helpers.ts',
      'cluster/node/propose-partition.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [clockImports],
          paths: [
            {
              name: '../partition/index.js',
              importNames: ['encodePartitionEntry'],
              message:
                'Propose partition entries with proposePartitionEntry, which checks the active version.',
            },
          ],
        },
      ],
    },
  },
  {
    // The consensus core is pure and deterministic: no clocks, no randomness, no I/O.
    files: ['raft/**/*.ts'],
    ignores: ['raft/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'raft/ is deterministic: time comes from tick().' },
        { name: 'setTimeout', message: 'raft/ has no timers: time comes from tick().' },
        { name: 'setInterval', message: 'raft/ has no timers: time comes from tick().' },
        { name: 'setImmediate', message: 'raft/ has no timers.' },
        { name: 'process', message: 'raft/ does no I/O.' },
        { name: 'performance', message: 'raft/ is deterministic.' },
        { name: 'fetch', message: 'raft/ does no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the injected seeded PRNG.' },
        { object: 'Date', property: 'now', message: 'raft/ is deterministic.' },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: nodeIo, message: 'raft/ does no I/O.' }] }],
    },
  },
  {
    // Test doubles implement async interfaces with synchronous bodies.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['*.js', '*.cjs', '*.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
