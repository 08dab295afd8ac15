// A two-standard, one-zone reference set for tests that do not exercise the operator's data files.
import type { ReferenceData } from '../reference-data.js';
import type { HourlyIntensityProfile, StandardDefinition } from '../../operator/engine/types.js';

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
  hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, (_, h) => 436 + 40 * Math.cos(((h - 12) / 24) * 2 * Math.PI)) },
  source: 'test fixture',
};

export const testReferenceData: ReferenceData = {
  standards: () => standards,
  standard: (code) => standards.find((s) => s.code === code),
  zones: () => ['KR'],
  gridProfile: (zone) => (zone === 'KR' ? kr : undefined),
  regionKeys: () => ['aws/ap-northeast-2', 'aws/eu-north-1'],
  defaultPue: () => ({ value: 1.5, source: 'test fixture' }),
  candidateRegion: (key) =>
    key === 'aws/ap-northeast-2' || key === 'KR'
      ? { region: key, zone: 'KR', intensity: { value: 436, source: 'test fixture' }, pue: { value: 1.17, source: 'test fixture' } }
      : key === 'aws/eu-north-1'
        ? { region: key, zone: 'SE', intensity: { value: 30, source: 'test fixture' }, pue: { value: 1.15, source: 'test fixture' } }
        : undefined,
};
