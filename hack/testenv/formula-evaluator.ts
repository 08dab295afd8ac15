// A test evaluator that applies the architecture's formula with a flat grid intensity
// (C = Σ E·PUE·I, 436 g/kWh × PUE 1.17 against 424: the seed's worked check), so that numbers
// written to status can be checked by hand. The product uses the carbon engine (policy-evaluator.ts).
import type { PolicySummary, WorkloadAssessment } from '../../operator/domain/types.js';
import type { EvaluationRequest, PolicyEvaluator } from '../../operator/controller/policy-evaluator.js';

const GRID = 436;
const PUE = 1.17;
const TARGET = 424;

export class FormulaEvaluator implements PolicyEvaluator {
  calls = 0;
  evaluate(request: EvaluationRequest) {
    this.calls += 1;
    const assessments = request.inputs.map((input): WorkloadAssessment => {
      const energy = input.hourly.reduce((s, h) => s + h.energy_kWh, 0);
      const intensity = energy > 0 ? GRID * PUE : null;
      const status =
        intensity === null ? 'INSUFFICIENT_DATA' : intensity <= TARGET ? 'COMPLIANT' : 'NON_COMPLIANT';
      return {
        workload: input.workload,
        namespace: input.namespace,
        kind: input.kind,
        pods: input.pods,
        standard: request.spec.standard,
        status,
        carbon_status: status,
        pue_status: 'COMPLIANT',
        current_carbon_intensity_gCO2eq_kWh: intensity,
        target_carbon_intensity_gCO2eq_kWh: TARGET,
        grid_intensity_gCO2eq_kWh: GRID,
        gap_percent: intensity === null ? null : ((intensity - TARGET) / TARGET) * 100,
        pue: PUE,
        pue_source: 'test',
        max_pue: null,
        pue_certification_points: null,
        accounting: {
          basis: 'location',
          location_based_intensity_gCO2eq_kWh: intensity,
          market_based_intensity_gCO2eq_kWh: intensity,
          location_based_emissions_gCO2eq: energy * GRID * PUE,
          market_based_emissions_gCO2eq: energy * GRID * PUE,
          renewable_coverage_percent: 0,
          source: 'test: no renewable supply declared',
        },
        power_watts: input.power_watts,
        energy_kWh: energy,
        emissions_gCO2eq: energy * GRID * PUE,
        monthly_projection: { energy_kWh: 0, emissions_kgCO2eq: 0, basis: 'test' },
        sci_gCO2eq_per_workload_hour: null,
        recommendation: '',
        optimizations: [],
        combined: null,
        window: {
          start: request.window.start,
          end: request.window.end,
          hours: request.window.hours,
          hoursWithData: input.hourly.length,
        },
        sources: {
          energy: input.energySource,
          zones_counted: input.zonesCounted,
          grid_intensity: 'test',
          pue: 'test',
          target: 'test',
          data_quality: [],
        },
      };
    });
    const energy = assessments.reduce((s, a) => s + a.energy_kWh, 0);
    const emissions = assessments.reduce((s, a) => s + a.emissions_gCO2eq, 0);
    const nonCompliant = assessments.filter((a) => a.status === 'NON_COMPLIANT').length;
    const summary: PolicySummary = {
      status: energy === 0 ? 'INSUFFICIENT_DATA' : nonCompliant > 0 ? 'NON_COMPLIANT' : 'COMPLIANT',
      workloads: assessments.length,
      compliant: assessments.filter((a) => a.status === 'COMPLIANT').length,
      nonCompliant,
      insufficientData: assessments.filter((a) => a.status === 'INSUFFICIENT_DATA').length,
      effectiveIntensity_gCO2eq_kWh: energy > 0 ? emissions / energy : null,
      target_gCO2eq_kWh: TARGET,
      pue: PUE,
      pueSource: 'test',
      energy_kWh: energy,
      emissions_gCO2eq: emissions,
      emissions_kgCO2eq_per_30d: 0,
      power_watts: 0,
    };
    return { assessments, summary };
  }
}
