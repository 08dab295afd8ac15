// A CarbonCompliancePolicy whose status holds an assessment shaped as the operator writes it, put into
// the real test API server. The MCP/REST front end only reads status, so this is the input it serves.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  GROUP,
  PLURAL,
  VERSION,
  type CarbonCompliancePolicy,
  type CarbonCompliancePolicyStatus,
} from '../../operator/api/v1alpha1/types.js';
import type { WorkloadAssessment } from '../../operator/domain/types.js';
import { fromStoredPolicy, toStoredStatus } from '../../operator/api/v1alpha1/field-names.js';

/** One workload's assessment: grid 436 g/kWh × PUE 1.17 ≈ 510 g/kWh against 424 (the seed's worked check). */
function sampleAssessment(workload: string, namespace: string, now = new Date()): WorkloadAssessment {
  const end = now.toISOString();
  const start = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const energy_kWh = 2.5;
  const intensity = 436 * 1.17;
  return {
    workload,
    namespace,
    kind: 'Deployment',
    pods: 3,
    standard: 'KR_CARBON_2050',
    status: 'NON_COMPLIANT',
    carbon_status: 'NON_COMPLIANT',
    pue_status: 'COMPLIANT',
    current_carbon_intensity_gCO2eq_kWh: intensity,
    target_carbon_intensity_gCO2eq_kWh: 424,
    grid_intensity_gCO2eq_kWh: 436,
    gap_percent: ((intensity - 424) / 424) * 100,
    pue: 1.17,
    pue_source: 'configured: policy',
    max_pue: 1.4,
    pue_certification_points: null,
    accounting: {
      basis: 'location',
      location_based_intensity_gCO2eq_kWh: intensity,
      market_based_intensity_gCO2eq_kWh: intensity,
      location_based_emissions_gCO2eq: energy_kWh * intensity,
      market_based_emissions_gCO2eq: energy_kWh * intensity,
      renewable_coverage_percent: 0,
      source: 'test: no renewable supply declared',
    },
    power_watts: (energy_kWh * 1000) / 24,
    energy_kWh,
    emissions_gCO2eq: energy_kWh * intensity,
    monthly_projection: {
      energy_kWh: energy_kWh * 30,
      emissions_kgCO2eq: (energy_kWh * intensity * 30) / 1000,
      basis: 'window of 24 h scaled to 30 days',
    },
    sci_gCO2eq_per_workload_hour: (energy_kWh * intensity) / 24 / 3,
    recommendation: 'NON_COMPLIANT: effective intensity exceeds the KR_CARBON_2050 target.',
    optimizations: [
      {
        type: 'temporal_shift',
        estimated_reduction_percent: 6.5,
        description: 'Run in the cleanest 4-hour window of the KR hourly profile.',
        savings_per_month: { kgCO2eq: 2.4, kWh: 0, KRW: 1200, USD: 0.9 },
        schedule: {
          startLocalHour: 11,
          durationHours: 4,
          cron: '0 11 * * *',
          timeZone: 'Asia/Seoul',
          windowIntensity_gCO2eq_kWh: 408,
        },
        source: 'modelled: KR hourly profile',
      },
    ],
    combined: {
      reduction_percent: 6.5,
      projected_intensity_gCO2eq_kWh: intensity * 0.935,
      reaches_target: false,
    },
    window: { start, end, hours: 24, hoursWithData: 24 },
    sources: {
      energy: 'measured: kepler 0.11.4 (rapl)',
      zones_counted: ['package', 'dram'],
      grid_intensity: 'modelled: KR hourly profile',
      pue: 'configured: policy',
      target: 'default: standard KR_CARBON_2050',
      data_quality: [],
    },
  };
}

function sampleStatus(assessments: WorkloadAssessment[], generation: number): CarbonCompliancePolicyStatus {
  const now = new Date().toISOString();
  const energy = assessments.reduce((sum, a) => sum + a.energy_kWh, 0);
  const emissions = assessments.reduce((sum, a) => sum + a.emissions_gCO2eq, 0);
  const nonCompliant = assessments.filter((a) => a.status === 'NON_COMPLIANT').length;
  return {
    observedGeneration: generation,
    lastEvaluationTime: now,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Evaluated', message: 'assessed', lastTransitionTime: now },
      {
        type: 'MetricsAvailable',
        status: 'True',
        reason: 'Scraped',
        message: 'kepler',
        lastTransitionTime: now,
      },
      {
        type: 'Compliant',
        status: nonCompliant ? 'False' : 'True',
        reason: nonCompliant ? 'NonCompliant' : 'Compliant',
        message: `${nonCompliant} non-compliant`,
        lastTransitionTime: now,
      },
    ],
    summary: {
      status: nonCompliant ? 'NON_COMPLIANT' : 'COMPLIANT',
      workloads: assessments.length,
      compliant: assessments.length - nonCompliant,
      nonCompliant,
      insufficientData: 0,
      effectiveIntensity_gCO2eq_kWh: energy > 0 ? emissions / energy : null,
      target_gCO2eq_kWh: 424,
      pue: 1.17,
      pueSource: 'configured: policy',
      energy_kWh: energy,
      emissions_gCO2eq: emissions,
      emissions_kgCO2eq_per_30d: (emissions * 30) / 1000,
      power_watts: (energy * 1000) / 24,
    },
    workloads: assessments,
  };
}

/** Creates the namespace and a policy with `workloads` assessed workloads in its status. */
export async function createAssessedPolicy(
  kc: KubeConfig,
  namespace: string,
  name: string,
  workloads: string[],
): Promise<CarbonCompliancePolicy> {
  const core = kc.makeApiClient(CoreV1Api);
  await core
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
  const api = kc.makeApiClient(CustomObjectsApi);
  const created = (await api.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'CarbonCompliancePolicy',
      metadata: { name, namespace },
      spec: { standard: 'KR_CARBON_2050', site: { zone: 'KR', pue: 1.17 }, window: '24h', language: 'en' },
    },
  })) as CarbonCompliancePolicy;
  const status = sampleStatus(
    workloads.map((w) => sampleAssessment(w, namespace)),
    created.metadata.generation ?? 1,
  );
  const stored = (await api.replaceNamespacedCustomObjectStatus({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    name,
    body: { ...created, status: toStoredStatus(status) },
  })) as CarbonCompliancePolicy;
  return fromStoredPolicy(stored);
}
