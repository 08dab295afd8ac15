// Walks every data file under operator/data and checks that each number has a source: the object
// holding it, or one of its ancestors, carries a non-empty `source` string (or `<key>Source`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { parseCsv } from '../../hack/build-cloud-regions.js';
import { dataFilePath } from './data-files.js';

const dir = dataFilePath('');

function unsourcedNumbers(node: unknown, path: string, sourced: boolean, out: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => unsourcedNumbers(item, `${path}[${i}]`, sourced, out));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  const here = sourced || (typeof obj.source === 'string' && obj.source.trim().length > 10);
  for (const [key, value] of Object.entries(obj)) {
    // A sibling `<key>Source` string sources the whole `<key>` subtree (pueScoreBands).
    const sibling = obj[`${key}Source`];
    const keySourced = here || (typeof sibling === 'string' && sibling.trim().length > 10);
    if (typeof value === 'number' && !keySourced) out.push(`${path}.${key}`);
    else unsourcedNumbers(value, `${path}.${key}`, keySourced, out);
  }
}

describe('operator/data: every number has a source', () => {
  const files = readdirSync(dir).filter((f) => /\.(json|ya?ml|csv)$/.test(f));

  it('finds the data files', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'grid-factors.json',
        'cloud-regions.json',
        'tariffs-kepco.json',
        'standards.yaml',
        'kr-hourly-model.json',
        'region-factors.csv',
      ]),
    );
  });

  it.each(files.filter((f) => !f.endsWith('.csv')))('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    const missing: string[] = [];
    unsourcedNumbers(doc, file, false, missing);
    expect(missing).toEqual([]);
  });

  it('region-factors.csv: every row has a source', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'region-factors.csv'), 'utf8'));
    const col = header?.indexOf('source') ?? -1;
    expect(col).toBeGreaterThan(0);
    for (const row of rows) expect((row[col] ?? '').trim().length).toBeGreaterThan(10);
  });
});
