// No cycles between folders (`make lint`). dependency-cruiser's no-circular rule (.dependency-cruiser.cjs)
// sees cycles between modules; two folders that import each other through different modules are a
// cycle of the layout all the same. This collapses the product code's import graph (the same cruise,
// `depcruise operator mcp --output-type json`) to folders: operator/<folder> and mcp/<folder>, deeper
// folders counted in theirs (operator/api/v1alpha1 is operator/api), and each file directly in operator/
// or mcp/ as its own node (main.ts is not a room). Every strongly connected set of two or more folders
// is reported with one import for each edge inside it, and the command fails, unless the cycle is
// listed in hack/known-folder-cycles.json (cycles being removed; a listed cycle that is gone fails too,
// so that the list only shrinks).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

const known = JSON.parse(readFileSync(new URL('known-folder-cycles.json', import.meta.url), 'utf8')).cycles;
const keyOf = (folders) => [...folders].sort().join(' ⇄ ');
const knownKeys = new Set(known.map((c) => keyOf(c.folders)));
const foundKeys = new Set(components.map(keyOf));
const stale = known.filter((c) => !foundKeys.has(keyOf(c.folders)));
const unknown = components.filter((c) => !knownKeys.has(keyOf(c)));

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((to) => [...to.keys()])]);
for (const component of components) {
  const isKnown = knownKeys.has(keyOf(component));
  console.error(`\n  ${isKnown ? 'known' : 'error'} no-folder-cycle: ${component.join(' ⇄ ')}`);
  const inside = new Set(component);
  for (const from of component) {
    for (const [to, example] of edges.get(from) ?? []) {
      if (inside.has(to)) console.error(`    ${from} → ${to}   e.g. ${example}`);
    }
  }
}
for (const c of stale) {
  console.error(
    `\n  error stale-known-cycle: ${keyOf(c.folders)} is gone: delete it from hack/known-folder-cycles.json`,
  );
}
if (unknown.length === 0 && stale.length === 0) {
  const knownNote = components.length
    ? `; ${components.length} known, listed in hack/known-folder-cycles.json`
    : '';
  console.log(`✔ no new cycles between folders (${folders.size} folders and root files${knownNote})`);
  process.exit(0);
}
console.error(`\nx ${unknown.length} new cycle(s) between folders, ${stale.length} stale known cycle(s)`);
process.exit(1);
