// The names status fields are stored under in the API server. The engine and the MCP/REST tool
// output name figures with their unit after an underscore (`emissions_kgCO2eq_per_30d`), which
// tool users already depend on; the Kubernetes API conventions want lowerCamelCase with the unit
// as a suffix (`emissionsKgCO2eqPer30d`). So status is renamed here, in one place, on its way to
// and from the API server (the operator's writer and informer, the front end's policy sources),
// and every other module keeps the engine's names.
import type { PolicySummary, WorkloadAssessment } from '../../domain/types.js';
import type { CarbonCompliancePolicy, CarbonCompliancePolicyStatus } from './types.js';

/** Every field name reachable in a status, at any depth (maps such as a patch are not descended). */
type FieldNames<T> = T extends readonly (infer E)[]
  ? FieldNames<E>
  : T extends object
    ? string extends keyof T
      ? never
      : { [K in keyof T & string]-?: K | FieldNames<NonNullable<T[K]>> }[keyof T & string]
    : never;

/** Names that are not lowerCamelCase: snake parts, or an upper-case currency code. */
type Renamed<T> = Extract<FieldNames<T>, `${string}_${string}` | 'KRW' | 'USD'>;

type SummaryField = Renamed<PolicySummary>;
type WorkloadField = Renamed<WorkloadAssessment>;
/** The rest of status: everything outside summary and workloads. */
type OtherStatusField = Renamed<Omit<CarbonCompliancePolicyStatus, 'summary' | 'workloads'>>;

// One list per part of status: the summary and a workload name some figures alike
// (`idleShare_kWh`, `idle_share_kWh`), so each part is renamed with its own list.
// Typecheck fails on a field of that part left out of its list.
const SUMMARY_FIELDS = [
  'change_kgCO2eq',
  'effectiveIntensity_gCO2eq_kWh',
  'effects_kgCO2eq',
  'emissions_gCO2eq',
  'emissions_kgCO2eq',
  'emissions_kgCO2eq_per_30d',
  'emissionsActivePlusIdleShare_kgCO2eq_per_30d',
  'energy_kWh',
  'energyEstimated_kWh',
  'energyMeasured_kWh',
  'energyWeightedGridIntensity_gCO2eq_kWh',
  'grid_hours_by_source',
  'grid_source_by_hour',
  'idleShare_kWh',
  'locationBasedIntensity_gCO2eq_kWh',
  'marketBasedIntensity_gCO2eq_kWh',
  'meanGridIntensity_gCO2eq_kWh',
  'power_watts',
  'residual_kgCO2eq',
  'target_gCO2eq_kWh',
] as const satisfies readonly SummaryField[];

const WORKLOAD_FIELDS = [
  'active_plus_idle_share',
  'capacity_freed',
  'carbon_status',
  'cost_basis',
  'cpu_cores',
  'cpuP95_cores',
  'cpuRequest_cores',
  'cpuRequested_cores',
  'current_carbon_intensity_gCO2eq_kWh',
  'data_quality',
  'emissions_gCO2eq',
  'emissions_kgCO2eq',
  'emissions_kgCO2eq_per_30d',
  'energy_basis',
  'energy_estimate',
  'energy_estimated_kWh',
  'energy_kWh',
  'energy_measured_kWh',
  'estimated_reduction_percent',
  'gap_percent',
  'grid_hours_by_source',
  'grid_intensity',
  'grid_intensity_gCO2eq_kWh',
  'idle_share_kWh',
  'idle_share_source',
  'idle_share_watts',
  'intensity_reduction_percent',
  'kind_ambiguous',
  'KRW',
  'location_based_emissions_gCO2eq',
  'location_based_intensity_gCO2eq_kWh',
  'market_based_emissions_gCO2eq',
  'market_based_intensity_gCO2eq_kWh',
  'max_pue',
  'memory_GiB',
  'memoryP95_bytes',
  'memoryRequest_bytes',
  'monthly_projection',
  'power_watts',
  'projected_intensity_gCO2eq_kWh',
  'pue_certification',
  'pue_certification_points',
  'pue_source',
  'pue_status',
  'reaches_target',
  'reduction_percent',
  'renewable_coverage_percent',
  'savings_per_month',
  'sci_gCO2eq_per_workload_hour',
  'target_carbon_intensity_gCO2eq_kWh',
  'USD',
  'windowIntensity_gCO2eq_kWh',
  'zones_counted',
] as const satisfies readonly WorkloadField[];

const OTHER_STATUS_FIELDS = [
  'budget_kgCO2eq',
  'burnRate_kgCO2eq_per_day',
  'counterfactual_kgCO2eq',
  'emissions_gCO2eq',
  'emissions_kgCO2eq',
  'energy_kWh',
  'gridIntensity_gCO2eq_kWh',
  'gridWeighted_gCO2eq',
  'gridWeighted_kgCO2eq',
  'locationEmissions_gCO2eq',
  'locationEmissions_kgCO2eq',
  'meanGridIntensity_gCO2eq_kWh',
  'measured_kgCO2eq',
  'monthToDate_kgCO2eq',
  'projectedMonthEnd_kgCO2eq',
] as const satisfies readonly OtherStatusField[];

type Unlisted =
  | Exclude<SummaryField, (typeof SUMMARY_FIELDS)[number]>
  | Exclude<WorkloadField, (typeof WORKLOAD_FIELDS)[number]>
  | Exclude<OtherStatusField, (typeof OTHER_STATUS_FIELDS)[number]>;
// A compile error here names the field missing from its list.
const everyRenamedFieldListed: [Unlisted] extends [never] ? true : `unlisted: ${Unlisted}` = true;
void everyRenamedFieldListed;

/** Units that a following `kWh` or `tCO2eq` divides ("gCO2eq_kWh" reads "gCO2eq per kWh"). */
const NUMERATOR_UNITS = new Set(['gCO2eq', 'kgCO2eq', 'tCO2eq', 'KRW', 'USD']);
const DENOMINATOR_UNITS = new Set(['kWh', 'tCO2eq']);

/** The stored (lowerCamelCase, unit-suffixed) form of an engine field name. */
export function storedFieldName(name: string): string {
  if (name === 'KRW' || name === 'USD') return name.toLowerCase();
  const parts = name.split('_');
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const previous = parts[i - 1] ?? '';
    const capitalised = part.charAt(0).toUpperCase() + part.slice(1);
    out += NUMERATOR_UNITS.has(previous) && DENOMINATOR_UNITS.has(part) ? `Per${capitalised}` : capitalised;
  }
  return out;
}

interface Names {
  toStored: ReadonlyMap<string, string>;
  fromStored: ReadonlyMap<string, string>;
}

function names(fields: readonly string[]): Names {
  return {
    toStored: new Map(fields.map((name) => [name, storedFieldName(name)])),
    fromStored: new Map(fields.map((name) => [storedFieldName(name), name])),
  };
}

const SUMMARY = names(SUMMARY_FIELDS);
const WORKLOAD = names(WORKLOAD_FIELDS);
const OTHER = names(OTHER_STATUS_FIELDS);

/** The engine/stored name pairs of each part of status (for tests and the docs). */
export function renamedFields(): Record<'summary' | 'workload' | 'status', ReadonlyMap<string, string>> {
  return { summary: SUMMARY.toStored, workload: WORKLOAD.toStored, status: OTHER.toStored };
}

/** Values copied verbatim: a Kubernetes patch is keyed by the workload's own names. */
const OPAQUE_FIELDS = new Set(['resourcesPatch', 'patch']);

function renameKeys(value: unknown, table: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => renameKeys(item, table));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[table.get(key) ?? key] = OPAQUE_FIELDS.has(key) ? field : renameKeys(field, table);
  }
  return out;
}

function renameStatus(status: unknown, direction: keyof Names): Record<string, unknown> {
  if (typeof status !== 'object' || status === null || Array.isArray(status))
    return status as Record<string, unknown>;
  const { summary, workloads, ...rest } = status as Record<string, unknown>;
  const out = renameKeys(rest, OTHER[direction]) as Record<string, unknown>;
  if (summary !== undefined) out.summary = renameKeys(summary, SUMMARY[direction]);
  if (workloads !== undefined) out.workloads = renameKeys(workloads, WORKLOAD[direction]);
  return out;
}

/** A status as the API server stores it. */
export function toStoredStatus(status: CarbonCompliancePolicyStatus): Record<string, unknown> {
  return renameStatus(status, 'toStored');
}

/** A status read from the API server, under the engine's names. A status already under them passes unchanged. */
export function fromStoredStatus(status: unknown): CarbonCompliancePolicyStatus {
  return renameStatus(status, 'fromStored') as CarbonCompliancePolicyStatus;
}

/** A policy read from the API server (or a file of `kubectl get -o yaml` output), status renamed. */
export function fromStoredPolicy<T extends { status?: unknown }>(policy: T): T & CarbonCompliancePolicy {
  if (policy.status === undefined || policy.status === null) return policy as T & CarbonCompliancePolicy;
  return { ...policy, status: fromStoredStatus(policy.status) } as T & CarbonCompliancePolicy;
}
