import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { dataFilePath } from '../operator/reference-data/data-files.js';
import { loadReferenceData } from './operator-reference-data.js';

describe('reference data from the operator data files', () => {
  test('the shipped catalogue and the KR profile are served; unknown zones are absent, not errors', async () => {
    const data = await loadReferenceData(undefined, pino({ level: 'silent' }));
    expect(data.standards().map((s) => s.code)).toEqual(
      expect.arrayContaining(['KR_CARBON_2050', 'KR_PUE_GREEN_DC']),
    );
    expect(data.standard('KR_CARBON_2050')?.carbonTarget_gCO2eq_kWh?.source).toBeTruthy();
    expect(data.zones()).toContain('KR');
    const kr = data.gridProfile('kr');
    expect(kr?.timeZone).toBe('Asia/Seoul');
    expect(kr?.source).toBeTruthy();
    expect(data.gridProfile('NOWHERE')).toBeUndefined();
  });

  test('an edit of the standards file takes effect without a restart; a bad edit keeps the last good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-standards-'));
    const file = join(dir, 'standards.yaml');
    const shipped = readFileSync(dataFilePath('standards.yaml'), 'utf8');
    writeFileSync(file, shipped);
    try {
      const data = await loadReferenceData(file, pino({ level: 'silent' }));
      const target = () => data.standard('KR_CARBON_2050')?.carbonTarget_gCO2eq_kWh?.value;
      expect(target()).toBe(424);
      const until = async (done: () => boolean) => {
        for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
      };
      writeFileSync(file, shipped.replace(/(carbonTarget_gCO2eq_kWh:\s*\n\s*value:\s*)424/, '$1300'));
      await until(() => target() === 300);
      expect(target()).toBe(300);
      // The binder (regional comparison, status figures) answers from the new catalogue too.
      expect(
        data.binder.bind({ standard: 'KR_CARBON_2050', site: { zone: 'KR', pue: 1.2 } }, new Date()).targets
          .carbonTarget?.value,
      ).toBe(300);
      writeFileSync(file, 'standards: [unclosed\n');
      await new Promise((r) => setTimeout(r, 400));
      expect(target()).toBe(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
