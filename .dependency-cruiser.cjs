// The layout's rules (README "Layout"), checked by `make lint` over the product code in operator/ and
// mcp/: `npx depcruise operator mcp` for these module rules, hack/folder-cycles.mjs for cycles between
// folders. Tests (*.test.ts, *.itest.ts) are read only as targets: the rules are about product code.
const TESTS = '\\.(test|itest)\\.ts$';
const TEST_SUPPORT = '(^|/)(test-support|testdata|__fixtures__)/';
const NOT_PRODUCT = [TESTS, TEST_SUPPORT];

/** Modules that do I/O: Node's file, network and process modules and the packages that talk to the
 * outside (HTTP client and server, the Kubernetes client, the logger). */
const IO_CORE = '^(fs|fs/promises|http|https|http2|net|tls|dgram|child_process|worker_threads)$';
const IO_PACKAGES = '(^|/)node_modules/(undici|express|@kubernetes/client-node|pino)/';
/** The reference-data modules that read the shipped files (grid-profile.ts composes the *-file.ts
 * lookups, so it reads them too). */
const REFERENCE_READERS = '^operator/reference-data/(.+-file|data-files|grid-profile)\\.ts$';
/** Project modules that read files or talk to the cluster or the network. */
const IO_PROJECT = [
  '^operator/(sources|kube|controller|cli)/',
  REFERENCE_READERS,
  '^operator/binding/(binding-data|standards-reload)\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'engine-no-io',
      comment:
        'The carbon engine is pure: no file, network or Kubernetes module, no logger, and nothing that ' +
        'reads files (reference-data *-file.ts, binding-data) or talks to the cluster (sources, kube, ' +
        'controller, cli). Pass the data in.',
      severity: 'error',
      from: { path: '^operator/engine/', pathNot: NOT_PRODUCT },
      to: { path: [IO_CORE, IO_PACKAGES, ...IO_PROJECT] },
    },
    {
      name: 'engine-imports-domain',
      comment:
        'The engine imports from the project only operator/domain, its own modules and the pure ' +
        'reference-data parsers.',
      severity: 'error',
      from: { path: '^operator/engine/', pathNot: NOT_PRODUCT },
      to: { path: '^(operator|mcp)/', pathNot: '^operator/(domain|engine|reference-data)/' },
    },
    {
      name: 'domain-is-a-leaf',
      comment: 'operator/domain holds the shared types and helpers: it imports nothing from the project.',
      severity: 'error',
      from: { path: '^operator/domain/' },
      to: { path: '^(operator|mcp|hack|e2e|bench)/', pathNot: '^operator/domain/' },
    },
    {
      name: 'reference-data-parsers-read-nothing',
      comment:
        'In operator/reference-data, only data-files.ts and the *-file.ts modules read files (and ' +
        'grid-profile.ts composes what they read); the parsers are pure functions over text and parsed ' +
        'values.',
      severity: 'error',
      from: {
        path: '^operator/reference-data/',
        pathNot: [REFERENCE_READERS, ...NOT_PRODUCT],
      },
      to: { path: [IO_CORE, IO_PACKAGES, REFERENCE_READERS] },
    },
    {
      name: 'kube-no-domain',
      comment:
        'operator/kube is generic Kubernetes machinery (REST client, informer, queue, lease, …): it ' +
        'imports no domain module.',
      severity: 'error',
      from: { path: '^operator/kube/' },
      to: {
        path: '^operator/(domain|engine|reference-data|sources|controller|api|binding|kepler|cli)/',
      },
    },
    {
      name: 'product-no-test-support',
      comment:
        'Product code (operator/, mcp/ without tests) never imports test support: hack/, test-support, ' +
        'testdata or __fixtures__ folders, or a test file.',
      severity: 'error',
      from: { path: '^(operator|mcp)/', pathNot: NOT_PRODUCT },
      to: { path: ['^hack/', TEST_SUPPORT, TESTS] },
    },
    {
      name: 'mcp-through-public-api',
      comment:
        'mcp/ uses the operator through one door, operator/public-api.ts (what the front end may rely ' +
        'on); tests may reach internals.',
      severity: 'error',
      from: { path: '^mcp/', pathNot: NOT_PRODUCT },
      to: { path: '^operator/', pathNot: '^operator/public-api\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle between modules (type-only imports count too).',
      severity: 'error',
      from: { pathNot: NOT_PRODUCT },
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count: a type is a dependency of the layout as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Test files and test support are read as targets of product imports, never followed.
    doNotFollow: { path: ['node_modules', '^hack/', '^e2e/', '^bench/', TESTS, TEST_SUPPORT] },
    // ESM packages with an `exports` map (the MCP SDK, @tgwf/co2/data) resolve as Node resolves them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
