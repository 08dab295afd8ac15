// The layout's dependency rules (.dependency-cruiser.cjs, hack/folder-cycles.mjs) fire on the imports
// they forbid and stay quiet on a clean tree. Each case is a small tree of real files in a temporary
// directory, cruised by the real depcruise and the real folder-cycle script, as `make lint` runs them:
// a rule whose path pattern matched nothing would pass the repository silently, and this would fail.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** The files every tree has: nothing in them breaks a rule. */
const CLEAN: Record<string, string> = {
  'operator/domain/types.ts': 'export type Kwh = number;\n',
  'operator/engine/assess.ts':
    "import type { Kwh } from '../domain/types.js';\nexport const twice = (e: Kwh) => 2 * e;\n",
  'operator/reference-data/tariff.ts':
    'export const parse = (text: string) => JSON.parse(text) as unknown;\n',
  'operator/reference-data/tariff-file.ts':
    "import { readFileSync } from 'node:fs';\nimport { parse } from './tariff.js';\nexport const load = () => parse(readFileSync('x', 'utf8'));\n",
  'operator/kube/queue.ts': 'export const queue: string[] = [];\n',
  'operator/controller/reconciler.ts':
    "import { twice } from '../engine/assess.js';\nimport { queue } from '../kube/queue.js';\nexport const run = () => queue.push(String(twice(1)));\n",
  'operator/controller/reconciler.test.ts':
    "import { run } from './reconciler.js';\nimport { fixture } from '../../hack/testenv/fixture.js';\nrun();\nvoid fixture;\n",
  'hack/testenv/fixture.ts': 'export const fixture = 1;\n',
  'operator/public-api.ts': "export { twice } from './engine/assess.js';\n",
  'mcp/main.ts': "import { twice } from '../operator/public-api.js';\nexport const main = () => twice(2);\n",
};

/** Each forbidden import, with the rule that must name it. */
const VIOLATIONS: Array<{ file: string; text: string; rule: string; to: string }> = [
  {
    file: 'operator/engine/reads-file.ts',
    text: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    rule: 'engine-no-io',
    to: 'fs',
  },
  {
    file: 'operator/engine/logs.ts',
    text: "import pino from 'pino';\nexport const l = pino;\n",
    rule: 'engine-no-io',
    to: 'pino',
  },
  {
    file: 'operator/engine/calls-controller.ts',
    text: "import { run } from '../controller/reconciler.js';\nexport const c = run;\n",
    rule: 'engine-no-io',
    to: 'operator/controller/reconciler.ts',
  },
  {
    file: 'operator/engine/reads-reference-file.ts',
    text: "import { load } from '../reference-data/tariff-file.js';\nexport const t = load;\n",
    rule: 'engine-no-io',
    to: 'operator/reference-data/tariff-file.ts',
  },
  {
    file: 'operator/engine/uses-api.ts',
    text: "import type { Policy } from '../api/types.js';\nexport type P = Policy;\n",
    rule: 'engine-imports-domain',
    to: 'operator/api/types.ts',
  },
  {
    file: 'operator/api/types.ts',
    text: 'export interface Policy { name: string }\n',
    rule: '',
    to: '',
  },
  {
    file: 'operator/domain/leans-on-engine.ts',
    text: "import { twice } from '../engine/assess.js';\nexport const d = twice;\n",
    rule: 'domain-is-a-leaf',
    to: 'operator/engine/assess.ts',
  },
  {
    file: 'operator/reference-data/grid-factors.ts',
    text: "import { readFileSync } from 'node:fs';\nexport const g = readFileSync;\n",
    rule: 'reference-data-parsers-read-nothing',
    to: 'fs',
  },
  {
    file: 'operator/kube/knows-domain.ts',
    text: "import type { Kwh } from '../domain/types.js';\nexport type K = Kwh;\n",
    rule: 'kube-no-domain',
    to: 'operator/domain/types.ts',
  },
  {
    file: 'mcp/reaches-in.ts',
    text: "import { twice } from '../operator/engine/assess.js';\nexport const t = twice;\n",
    rule: 'mcp-through-public-api',
    to: 'operator/engine/assess.ts',
  },
  {
    file: 'mcp/uses-fixture.ts',
    text: "import { fixture } from '../hack/testenv/fixture.js';\nexport const f = fixture;\n",
    rule: 'product-no-test-support',
    to: 'hack/testenv/fixture.ts',
  },
  {
    file: 'operator/controller/uses-testdata.ts',
    text: "import { data } from './testdata/data.js';\nexport const u = data;\n",
    rule: 'product-no-test-support',
    to: 'operator/controller/testdata/data.ts',
  },
  { file: 'operator/controller/testdata/data.ts', text: 'export const data = 1;\n', rule: '', to: '' },
  {
    file: 'operator/controller/cycle-a.ts',
    text: "import type { B } from './cycle-b.js';\nexport type A = { b?: B };\n",
    rule: 'no-circular',
    to: 'operator/controller/cycle-b.ts',
  },
  {
    file: 'operator/controller/cycle-b.ts',
    text: "import type { A } from './cycle-a.js';\nexport type B = { a?: A };\n",
    // The cycle is reported once, from cycle-a.
    rule: '',
    to: '',
  },
];

/** Two folders that import each other through different modules: no module cycle, a folder cycle. */
const FOLDER_CYCLE: Record<string, string> = {
  'operator/binding/bind.ts':
    "import { fetch } from '../sources/fetch.js';\nexport const bind = () => fetch();\n",
  'operator/binding/options.ts': 'export const options = { url: "x" };\n',
  'operator/sources/fetch.ts':
    "import { options } from '../binding/options.js';\nexport const fetch = () => options.url;\n",
};

function makeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dependency-rules-'));
  cpSync(join(repo, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
  cpSync(join(repo, 'hack/folder-cycles.mjs'), join(root, 'hack/folder-cycles.mjs'));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'] },
      include: ['operator', 'mcp', 'hack'],
    }),
  );
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function depcruise(root: string) {
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'operator', 'mcp'],
    { cwd: root, encoding: 'utf8' },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function folderCycles(root: string) {
  const run = spawnSync(process.execPath, [join(root, 'hack/folder-cycles.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const withViolations = {
  ...CLEAN,
  ...Object.fromEntries(VIOLATIONS.map((v) => [v.file, v.text])),
  ...FOLDER_CYCLE,
};
const roots: string[] = [];
const tree = (files: Record<string, string>) => {
  // hack/ must exist before the script is copied in.
  const withHack = { 'hack/.keep': '', ...files };
  const root = makeTree(withHack);
  roots.push(root);
  return root;
};

describe('the layout rules', () => {
  let clean: string;
  let dirty: string;
  beforeAll(() => {
    clean = tree(CLEAN);
    dirty = tree(withViolations);
  });
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('pass a tree that keeps them (a test may import test support)', () => {
    const rules = depcruise(clean);
    expect(rules.output).toContain('no dependency violations found');
    expect(rules.status).toBe(0);
    const cycles = folderCycles(clean);
    expect(cycles.output).toContain('no cycles between folders');
    expect(cycles.status).toBe(0);
  });

  it('name every forbidden import with its rule, and fail', () => {
    const { status, output } = depcruise(dirty);
    const lines = output.split('\n');
    for (const v of VIOLATIONS.filter((x) => x.rule)) {
      // `rule: from → to` on one line; a cycle continues on the next lines.
      const at = lines.findIndex(
        (l, i) => l.includes(`${v.rule}: ${v.file} → `) && `${l} ${lines[i + 1] ?? ''}`.includes(v.to),
      );
      expect({ rule: v.rule, file: v.file, to: v.to, found: at >= 0 }).toEqual({
        rule: v.rule,
        file: v.file,
        to: v.to,
        found: true,
      });
    }
    expect(status).not.toBe(0);
  });

  it('fail on a cycle between folders that no module cycle shows, naming an import of each edge', () => {
    const { status, output } = folderCycles(dirty);
    expect(output).toContain('error no-folder-cycle: operator/binding ⇄ operator/sources');
    expect(output).toContain(
      'operator/binding → operator/sources   e.g. operator/binding/bind.ts → operator/sources/fetch.ts',
    );
    expect(output).toContain(
      'operator/sources → operator/binding   e.g. operator/sources/fetch.ts → operator/binding/options.ts',
    );
    expect(status).toBe(1);
    expect(depcruise(tree({ ...CLEAN, ...FOLDER_CYCLE })).output).toContain('no dependency violations found');
  });
});
