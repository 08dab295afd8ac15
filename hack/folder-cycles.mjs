// No cycles between folders (`make lint`). dependency-cruiser's no-circular rule (.dependency-cruiser.cjs)
// sees cycles between modules; two folders that import each other through different modules are a
// cycle of the layout all the same. This collapses the product code's import graph (the same cruise,
// `depcruise operator mcp --output-type json`) to folders: operator/<folder> and mcp/<folder>, deeper
// folders counted in theirs (operator/api/v1alpha1 is operator/api), and each file directly in operator/
// or mcp/ as its own node (main.ts is not a room). Every strongly connected set of two or more folders
// is reported with one import for each edge inside it, and the command fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const NOT_PRODUCT = /\.(test|itest)\.ts$|(^|\/)(test-support|testdata|__fixtures__)\//;
const isProduct = (path) => /^(operator|mcp)\//.test(path) && !NOT_PRODUCT.test(path);

/** operator/engine/x.ts → operator/engine; operator/main.ts → operator/main.ts. */
function folderOf(path) {
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
}

const run = spawnSync(
  process.execPath,
  ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', 'operator', 'mcp', '--output-type', 'json'],
  { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
if (run.error || !run.stdout.trim().startsWith('{')) {
  console.error(`folder-cycles: depcruise failed: ${run.error?.message ?? run.stderr}`);
  process.exit(2);
}
const { modules } = JSON.parse(run.stdout);

/** folder → folder → one example 'from → to' import. */
const edges = new Map();
for (const m of modules) {
  if (!isProduct(m.source)) continue;
  const from = folderOf(m.source);
  for (const d of m.dependencies) {
    if (!isProduct(d.resolved)) continue;
    const to = folderOf(d.resolved);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${d.resolved}`);
  }
}

// Tarjan's strongly connected components over the folder graph.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
let next = 0;
function visit(v) {
  index.set(v, next);
  low.set(v, next);
  next++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), index.get(w)));
    }
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component.sort());
  }
}
for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((to) => [...to.keys()])]);
for (const component of components) {
  console.error(`\n  error no-folder-cycle: ${component.join(' ⇄ ')}`);
  const inside = new Set(component);
  for (const from of component) {
    for (const [to, example] of edges.get(from) ?? []) {
      if (inside.has(to)) console.error(`    ${from} → ${to}   e.g. ${example}`);
    }
  }
}
if (components.length === 0) {
  console.log(`✔ no cycles between folders (${folders.size} folders and root files)`);
  process.exit(0);
}
console.error(`\nx ${components.length} cycle(s) between folders`);
process.exit(1);
