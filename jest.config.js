// ESM TypeScript through ts-jest (type errors are caught by `make typecheck`, not here).
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testEnvironment: 'node',
};

export default {
  // Global: jest applies testTimeout from the root config only.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{operator,mcp,hack}/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      // *.itest.ts talk to real processes: kube-apiserver + etcd, Prometheus, spawned servers.
      testMatch: ['<rootDir>/{operator,mcp,hack,charts,e2e}/**/*.itest.ts'],
      globalSetup: '<rootDir>/hack/testenv/global-setup.mjs',
      globalTeardown: '<rootDir>/hack/testenv/global-teardown.mjs',
    },
  ],
};
