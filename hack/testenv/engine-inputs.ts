// Literal profiles and inputs for the engine's unit tests (not product data).
import type {
  HourlyIntensityProfile,
  StandardDefinition,
  WorkloadEnergyInput,
} from '../../operator/domain/types.js';

export function flatProfile(value: number, zone = 'KR'): HourlyIntensityProfile {
  return {
    zone,
    timeZone: 'Asia/Seoul',
    kind: 'annual-flat',
    annualMean_gCO2eq_kWh: value,
    hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, () => value) },
    source: `test: flat ${value} g/kWh`,
  };
}

/** A KST profile whose index is the local hour: 300 + 10·h, so every hour is distinguishable. */
export const rampProfile: HourlyIntensityProfile = {
  zone: 'KR',
  timeZone: 'Asia/Seoul',
  kind: 'modelled',
  annualMean_gCO2eq_kWh: 415,
  hourly_gCO2eq_kWh: {
    all: Array.from({ length: 24 }, (_, h) => 300 + 10 * h),
    summer: Array.from({ length: 24 }, (_, h) => 600 + h),
  },
  source: 'test: ramp 300 + 10·hour',
};

export const krCarbon2050: StandardDefinition = {
  code: 'KR_CARBON_2050',
  name: { en: 'Korea 2050', ko: '2050 탄소중립' },
  legalStatus: 'policy-target',
  legalReference: { en: 'test', ko: '시험' },
  carbonTarget_gCO2eq_kWh: { value: 424, source: 'test: seed 424' },
};

export const krPueGreenDc: StandardDefinition = {
  code: 'KR_PUE_GREEN_DC',
  name: { en: 'Green DC', ko: '그린데이터센터' },
  legalStatus: 'certification-criterion',
  legalReference: { en: 'test', ko: '시험' },
  maxPue: { value: 1.4, source: 'test: 2012 scoring' },
};

export const krNdc2030: StandardDefinition = {
  code: 'KR_NDC_2030',
  name: { en: 'NDC', ko: 'NDC' },
  legalStatus: 'policy-target',
  legalReference: { en: 'test', ko: '시험' },
  carbonTrajectory: {
    fromYear: 2018,
    from_gCO2eq_kWh: 459.4,
    toYear: 2030,
    to_gCO2eq_kWh: 275.64,
    source: 'test',
  },
};

export function energyInput(
  hourly: Array<[string, number]>,
  overrides: Partial<WorkloadEnergyInput> = {},
): WorkloadEnergyInput {
  return {
    workload: 'ml-training-job',
    namespace: 'ai-team',
    kind: 'Job',
    pods: 1,
    hourly: hourly.map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh })),
    power_watts: 500,
    zonesCounted: ['package', 'dram'],
    energySource: 'measured: kepler 0.11.4 (rapl)',
    ...overrides,
  };
}
