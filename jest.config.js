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
      // *.test.ts: the code under test runs inside the jest process. No API server, no Prometheus, none
      // of the built programs (a test may still open a node:http server on 127.0.0.1 in its own process).
      displayName: 'in-process',
      testMatch: ['<rootDir>/{operator,mcp,hack}/**/*.test.ts'],
    },
    {
      ...common,
      // *.itest.ts talk to real processes started for the run: kube-apiserver + etcd (one shared plane,
      // from the global setup below, or a test's own), Prometheus, Chromium, the built programs.
      displayName: 'real-processes',
      testMatch: ['<rootDir>/{operator,mcp,hack,charts,e2e}/**/*.itest.ts'],
      globalSetup: '<rootDir>/hack/testenv/global-setup.mjs',
      globalTeardown: '<rootDir>/hack/testenv/global-teardown.mjs',
    },
  ],
};
