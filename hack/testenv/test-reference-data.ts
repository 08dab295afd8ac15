// A two-standard, one-zone reference set for tests that do not exercise the operator's data files
// (region comparisons excepted: they use the real binding path).
import { loadBindingData } from '../../operator/binding/binding-data.js';
import { createSiteBinder } from '../../operator/binding/site-binding.js';
import type { ReferenceData } from '../../mcp/reference-data.js';
import type { HourlyIntensityProfile, StandardDefinition } from '../../operator/domain/types.js';

const standards: StandardDefinition[] = [
  {
    code: 'KR_CARBON_2050',
    name: { en: 'Carbon Neutrality 2050 (test)', ko: '탄소중립 2050 (시험)' },
    legalStatus: 'policy-target',
    legalReference: { en: 'test fixture', ko: '시험용' },
    carbonTarget_gCO2eq_kWh: { value: 424, source: 'test fixture' },
  },
  {
    code: 'KR_PUE_GREEN_DC',
    name: { en: 'Green data centre PUE (test)', ko: '그린 데이터센터 PUE (시험)' },
    legalStatus: 'certification-criterion',
    legalReference: { en: 'test fixture', ko: '시험용' },
    maxPue: { value: 1.4, source: 'test fixture' },
  },
];

const kr: HourlyIntensityProfile = {
  zone: 'KR',
  timeZone: 'Asia/Seoul',
  kind: 'modelled',
  annualMean_gCO2eq_kWh: 436,
  hourly_gCO2eq_kWh: {
    all: Array.from({ length: 24 }, (_, h) => 436 + 40 * Math.cos(((h - 12) / 24) * 2 * Math.PI)),
  },
  source: 'test fixture',
};

export const testReferenceData: ReferenceData = {
  standards: () => standards,
  standard: (code) => standards.find((s) => s.code === code),
  zones: () => ['KR'],
  gridProfile: (zone) => (zone === 'KR' ? kr : undefined),
  regionKeys: () => ['aws/ap-northeast-2', 'aws/eu-north-1'],
  regionZone: (key) => (key === 'aws/ap-northeast-2' ? 'KR' : key === 'aws/eu-north-1' ? 'SE' : undefined),
  // Region comparisons go through the operator's real binding path and data files.
  binder: createSiteBinder(loadBindingData()),
};
