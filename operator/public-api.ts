// What the MCP/REST front end (mcp/) uses from the operator: its one door into operator/. mcp/ product
// code imports operator modules only through this file, so the operator's rooms can be rearranged
// behind it; a name is added here when mcp/ needs it, and nothing else is exported.

// The CRD: names, the spec schema, the policy type, and stored status read back into engine names.
export { GROUP, KIND, PLURAL, VERSION, policySpecSchema } from './api/v1alpha1/types.js';
export type { CarbonCompliancePolicy } from './api/v1alpha1/types.js';
export { fromStoredPolicy } from './api/v1alpha1/field-names.js';

// Domain types shared by the engine, the status and the tool answers.
export type {
  CarbonBudgetStatus,
  ComplianceStatus,
  EmissionsChange,
  HourlyEnergy,
  HourlyIntensityProfile,
  Language,
  MonthEmissions,
  Optimization,
  StandardDefinition,
  WorkloadAssessment,
  WorkloadEnergyInput,
} from './domain/types.js';

// The one binding path (policy → standard, site, PUE, profile, tariff, candidates) and its data.
export { loadBindingData } from './binding/binding-data.js';
export { BindingError, createSiteBinder, policySiteRequest } from './binding/site-binding.js';
export type { BoundSite, SiteBinder } from './binding/site-binding.js';
export { ReloadingCatalogue } from './binding/standards-reload.js';

// Reference data: the standards catalogue, grid zones and profiles, cloud regions.
export { loadStandardsCatalogue } from './reference-data/standards-catalogue-file.js';
export type { StandardsCatalogue } from './reference-data/standards-catalogue.js';
export { cloudRegion, cloudRegions } from './reference-data/cloud-regions-file.js';
export { gridZones } from './reference-data/grid-factors-file.js';
export { gridProfileFor } from './reference-data/grid-profile.js';

// The pure carbon engine: what-ifs the tools compute on request, and the engine's wording.
export { EngineInputError } from './engine/engine-input-error.js';
export { combineReductions } from './engine/assess-workload.js';
export { cronAtHour, optimalSchedule } from './engine/temporal-shift.js';
export { dailyShape, localMonthAndHour, seasonOfMonth } from './engine/grid-intensity-at.js';
export { decomposeEmissionsChange } from './engine/emissions-change.js';
export { kstMonth } from './engine/emissions-ledger.js';
export { formatNumber } from './engine/messages.js';
export { briefSource } from './engine/presentation.js';

// Power of workloads without Kepler readings (Cloud Carbon Footprint coefficients), from requests.
export {
  coefficientsForNode,
  estimatePodWatts,
  estimateSourceLabel,
  loadCcfCoefficients,
  requestsBasis,
} from './kepler/ccf-power-model.js';
export { parseQuantity } from './kube/resource-quantity.js';

export { PACKAGE_VERSION } from './package-version.js';

// Time helpers every layer shares (the length of an hour, instants written to the second).
export { HOUR_MS, isoSeconds } from './domain/time.js';
