import { carbonTargetOf, pueCertificationPoints } from '../engine/targets.js';
import type { StandardDefinition } from '../domain/types.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { dataFilePath } from './data-files.js';
import { loadStandardsCatalogue } from './standards-catalogue-file.js';
import { requireStandard, UnknownStandardError } from './standards-catalogue.js';

const points = (s: StandardDefinition, pue: number) => pueCertificationPoints(s, pue)?.points;

describe('standards catalogue', () => {
  const catalogue = loadStandardsCatalogue();

  it('holds the three Korean standards, none claiming to be law', () => {
    expect(catalogue.codes()).toEqual(['KR_CARBON_2050', 'KR_PUE_GREEN_DC', 'KR_NDC_2030']);
    for (const s of catalogue.standards) {
      expect(s.legalStatus).not.toBe('law');
      expect(s.name.ko.length).toBeGreaterThan(0);
      expect(s.legalReference.en.length).toBeGreaterThan(20);
    }
  });

  it('KR_CARBON_2050: 424 g/kWh policy target explained as the grid average', () => {
    const s = requireStandard(catalogue, 'KR_CARBON_2050');
    expect(s.legalStatus).toBe('policy-target');
    expect(s.carbonTarget_gCO2eq_kWh?.value).toBe(424);
    expect(s.carbonTarget_gCO2eq_kWh?.source).toMatch(/not a legal limit/);
    expect(s.legalReference.en).toMatch(/40 % below 2018 by 2030/);
  });

  it('KR_PUE_GREEN_DC: max PUE 1.4 and the 2012 score bands', () => {
    const s = requireStandard(catalogue, 'KR_PUE_GREEN_DC');
    expect(s.legalStatus).toBe('certification-criterion');
    expect(s.maxPue?.value).toBe(1.4);
    expect(points(s, 1.8)).toBe(50);
    expect(points(s, 1.7)).toBe(60);
    expect(points(s, 1.55)).toBe(70);
    expect(points(s, 1.5)).toBe(80);
    expect(points(s, 1.3)).toBe(90);
    expect(points(s, 2.3)).toBe(0);
  });

  it('KR_NDC_2030: linear from the 2018 factor to -40 % in 2030', () => {
    const s = requireStandard(catalogue, 'KR_NDC_2030');
    expect(carbonTargetOf(s, 2018)?.value).toBe(459.4);
    expect(carbonTargetOf(s, 2030)?.value).toBeCloseTo(459.4 * 0.6, 2);
    expect(carbonTargetOf(s, 2024)?.value).toBeCloseTo(459.4 * 0.8, 2); // halfway: -20 %
    expect(carbonTargetOf(s, 2040)?.value).toBeCloseTo(275.64, 2);
    expect(carbonTargetOf(s, 2010)?.value).toBe(459.4);
    expect(carbonTargetOf(requireStandard(catalogue, 'KR_PUE_GREEN_DC'), 2024)).toBeNull();
  });

  it('keeps one assumed PUE at catalogue level: a recent sourced average, not the 2011-12 Korean 2.3', () => {
    expect(catalogue.defaultPue?.value).toBe(1.56);
    expect(catalogue.defaultPue?.source).toMatch(
      /^assumed: .*Uptime Institute Global Data Center Survey 2024/,
    );
    for (const s of catalogue.standards) expect(s.defaultPue).toBeUndefined();
  });

  it('no catalogue text claims that meeting 424 means an average Korean load; it says what it takes', () => {
    const s = requireStandard(catalogue, 'KR_CARBON_2050');
    const text = JSON.stringify(catalogue.standards);
    expect(text).not.toMatch(/average Korean load|평균적인 국내 부하/);
    expect(s.notes!.en).toMatch(/417\.3/);
    expect(s.notes!.en).toMatch(/1\.016/);
    expect((424 / 417.3).toFixed(3)).toBe('1.016');
    expect(requireStandard(catalogue, 'KR_PUE_GREEN_DC').notes!.en).toMatch(/PUE alone/);
  });

  it('every threshold in the YAML has a non-empty source', () => {
    const doc = parseYaml(readFileSync(dataFilePath('standards.yaml'), 'utf8')) as {
      standards: Array<Record<string, unknown>>;
    };
    for (const s of doc.standards) {
      for (const key of ['carbonTarget_gCO2eq_kWh', 'carbonTrajectory', 'maxPue', 'defaultPue']) {
        const v = s[key] as { source?: string } | undefined;
        if (v) expect((v.source ?? '').length).toBeGreaterThan(10);
      }
      if (s.pueScoreBands) expect(String(s.pueScoreBandsSource).length).toBeGreaterThan(10);
    }
  });

  it('merges user entries as user-defined', () => {
    const user = `apiVersion: carbon-aware.dev/standards/v1
kind: StandardsCatalogue
standards:
  - code: ACME_INTERNAL
    name: { en: ACME internal, ko: ACME 내부 기준 }
    legalStatus: law
    legalReference: { en: internal memo 7, ko: 내부 메모 7 }
    carbonTarget_gCO2eq_kWh: { value: 300, source: ACME sustainability board 2026 }
`;
    const merged = loadStandardsCatalogue({ extraYamlText: user });
    expect(merged.codes()).toContain('ACME_INTERNAL');
    expect(merged.get('ACME_INTERNAL')?.legalStatus).toBe('user-defined');
    expect(merged.get('ACME_INTERNAL')?.carbonTarget_gCO2eq_kWh?.value).toBe(300);
    expect(() => requireStandard(merged, 'NOPE')).toThrow(UnknownStandardError);
  });

  it('bad entries name the field', () => {
    const head = 'apiVersion: carbon-aware.dev/standards/v1\nkind: StandardsCatalogue\nstandards:\n';
    const entry = (extra: string) =>
      `${head}  - code: X_ONE\n    name: { en: a, ko: b }\n    legalStatus: policy-target\n    legalReference: { en: a, ko: b }\n${extra}`;
    expect(() =>
      loadStandardsCatalogue({
        extraYamlText: entry('    maxPue: { value: 0.8, source: somewhere long enough }\n'),
      }),
    ).toThrow(/user standards: standards\.0\.maxPue\.value/);
    expect(() => loadStandardsCatalogue({ extraYamlText: entry('    maxPue: { value: 1.3 }\n') })).toThrow(
      /standards\.0\.maxPue\.source/,
    );
    expect(() =>
      loadStandardsCatalogue({
        extraYamlText: entry('    maxPue: { value: 1.3, source: some source text }\n    typo: 1\n'),
      }),
    ).toThrow(/standards\.0/);
    expect(() => loadStandardsCatalogue({ extraYamlText: 'a: [' })).toThrow(/user standards: not valid YAML/);
    const dir = mkdtempSync(join(tmpdir(), 'standards-'));
    const path = join(dir, 'standards.yaml');
    writeFileSync(path, entry(''));
    expect(() => loadStandardsCatalogue({ path })).toThrow(
      /standards\.yaml: standards\.0\.code: a standard needs/,
    );
  });
});
