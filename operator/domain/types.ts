// The domain's shared types: what goes into the carbon engine, what comes out, and the figures the
// CRD's status, the reference data, the CLI and the front end share. Pure data, no I/O; this folder
// imports nothing from the project (a leaf: every other folder may import it).
// Every number carries its unit in its name; every input that is not measured carries a source
// string of the form 'measured: kepler …', 'configured: policy', 'default: standard KR_…',
// 'dataset: <name, year>', 'modelled: …', 'assumed: …', 'live: <provider>'.

export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'INSUFFICIENT_DATA';
/** One criterion's verdict; NOT_ASSESSED when the policy's standard defines no such criterion (a PUE
 * standard has no carbon target; outside Korea a carbon standard has no PUE limit). */
export type CriterionStatus = ComplianceStatus | 'NOT_ASSESSED';
/** GHG Protocol Scope 2 basis of the verdict: grid average (location) or contractual supply (market). */
export type AccountingBasis = 'location' | 'market';
export type Language = 'ko' | 'en';
export type WorkloadKind =
  'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod' | 'ReplicaSet';

/** IT energy of one workload in one clock hour (UTC hour start, ISO 8601 `YYYY-MM-DDTHH:00:00Z`). */
export interface HourlyEnergy {
  hourStart: string;
  /** Active (dynamic) IT energy in the hour: what Kepler attributes to the workload's own work. */
  energy_kWh: number;
  /** The workload's share of node idle energy in the hour, when the source has one (see idleShare). */
  idleShare_kWh?: number;
  /** The part of energy_kWh that is estimated (CCF model for a node without Kepler readings), not
   * measured; absent or 0 when the whole hour is measured. */
  estimated_kWh?: number;
}

/** Whether the input carries the workload's share of node idle energy, and how it was obtained. */
type IdleShareInput =
  { available: true; source: string; power_watts: number } | { available: false; reason: string };

/** Requested vs observed usage, for right-sizing. Absent fields mean "unknown", never zero. */
interface WorkloadUsage {
  cpuRequest_cores?: number;
  cpuP95_cores?: number;
  memoryRequest_bytes?: number;
  memoryP95_bytes?: number;
  vcpus?: number;
  /** Container names of the pod template, for a resources patch that names them. */
  containerNames?: string[];
  /** Where the p95 figures come from (e.g. 'measured: cAdvisor via prometheus …'). */
  source?: string;
  /** Fewest samples behind any pod's p95 (CPU or memory). */
  samples?: number;
}

export interface WorkloadEnergyInput {
  workload: string;
  namespace: string;
  kind: WorkloadKind;
  /** Set when the kind is only a guess that fits several controllers (the CLI without a cluster: a Job
   * and a DaemonSet look alike by pod name). The workload then gets no kind-specific advice. */
  kindAmbiguous?: WorkloadKind[];
  pods: number;
  /** Hourly IT energy over the window; an empty list means no energy data. */
  hourly: HourlyEnergy[];
  /** Active (dynamic) IT power: latest, or mean over the measured part of the window. */
  power_watts: number;
  /** The share of node idle energy beside the active energy (hourly values in hourly[].idleShare_kWh).
   * Absent: the source gives none (reported as unavailable, never guessed). */
  idleShare?: IdleShareInput;
  /** Hours of the window the energy source actually observed (scrapes or Prometheus samples). The
   * monthly projection scales from these, never from the window's nominal length. */
  observed_hours?: number;
  /** Kepler zones that were counted, e.g. ['package', 'dram', 'gpu']. */
  zonesCounted: string[];
  /** e.g. 'measured: kepler 0.11.4 (rapl)', 'measured: kepler 0.7 (fake meter)'. */
  energySource: string;
  /** Data-quality flags: 'fake-meter', 'model-estimated', 'active-power-only', … */
  dataQuality?: string[];
  /** Where the estimated part of the energy (hourly[].estimated_kWh) comes from, e.g. 'estimated: CCF (…)'.
   * Set whenever any hour has an estimated part. */
  estimateSource?: string;
  usage?: WorkloadUsage;
  /** Why there is no p95 usage (no usage source, too few samples, the source failed): right-sizing is
   * then not assessed, and the status says why. */
  usageUnavailable?: string;
  /** Typical run length (Jobs/CronJobs); continuous workloads have none. */
  runLength_hours?: number;
  cronSchedule?: string;
}

export interface Sourced<T> {
  value: T;
  source: string;
}

/** A site: where the energy is drawn. */
export interface SiteContext {
  zone: string; // e.g. 'KR'
  cloudRegion?: string; // e.g. 'aws/ap-northeast-2'
  pue: Sourced<number>;
}

/** 24 values, index = local hour in the profile's time zone. */
export interface HourlyIntensityProfile {
  zone: string;
  timeZone: string; // IANA, 'Asia/Seoul' for KR
  /** What the hours without a live point use: the modelled hourly shape, or the annual factor every hour. */
  kind: 'modelled' | 'annual-flat';
  /** Annual mean the profile is calibrated to (energy-weighted). */
  annualMean_gCO2eq_kWh: number;
  /** Per season when the model supports it; 'all' otherwise. Keys: 'all' | 'spring' | 'summer' | 'autumn' | 'winter'. */
  hourly_gCO2eq_kWh: Record<string, number[]>;
  /** For live providers: exact hourly points, which override the 24-h shape where present. */
  points?: Array<{
    hourStart: string;
    intensity_gCO2eq_kWh: number;
    /** A forecast, not a measured hour. */ forecast?: boolean;
  }>;
  /** A modelled profile's error against real days, per season ('spring' | 'summer' | 'autumn' | 'winter').
   * Advice that rests on hour-to-hour differences (temporal shift) must exceed it. */
  error_percent_by_season?: Record<string, ProfileSeasonError>;
  source: string;
}

/** How far a modelled profile's hours are from real days of one season. */
export interface ProfileSeasonError {
  /** The stated error: the mean absolute percentage error of the modelled hours against the real days' hours
   * (measured), or, for a season without a real day, the largest measured season's (assumed). */
  percent: number;
  kind: 'measured' | 'assumed';
  /** Measured figures; null for an assumed season. */
  meanAbsolute_percent: number | null;
  meanAbsolute_gCO2eq_kWh: number | null;
  maxHourly_percent: number | null;
  maxHourly_gCO2eq_kWh: number | null;
  /** The real days compared (YYYY-MM-DD); empty for an assumed season. */
  realDays: string[];
  /** Hours compared per day and how. */
  basis: string;
}

export interface StandardDefinition {
  code: string; // 'KR_CARBON_2050'
  name: { en: string; ko: string };
  /** 'law' only for numbers written in a statute; otherwise say what it is. */
  legalStatus: 'law' | 'policy-target' | 'certification-criterion' | 'user-defined';
  legalReference: { en: string; ko: string };
  carbonTarget_gCO2eq_kWh?: Sourced<number>;
  /** When the target follows a trajectory (KR_NDC_2030): linear from (fromYear, fromValue) to (toYear, toValue). */
  carbonTrajectory?: {
    fromYear: number;
    from_gCO2eq_kWh: number;
    toYear: number;
    to_gCO2eq_kWh: number;
    source: string;
  };
  maxPue?: Sourced<number>;
  defaultPue?: Sourced<number>;
  /** Green data-centre certification PUE score bands (2012 scheme): PUE upper bounds → points. */
  pueScoreBands?: Array<{ maxPue: number; points: number }>;
  pueScoreBandsSource?: string;
  notes?: { en: string; ko: string };
}

/** Weekday or weekend/holiday: tariffs and demand shapes differ between them. */
export type DayType = 'weekday' | 'weekend';

export interface Tariff {
  currency: 'KRW';
  /** Rate per kWh for a local (KST) hour and season; weekday unless `dayType` says; `at` (the hour's
   * instant) picks the table in force then where the tariff has several. */
  rate_KRW_per_kWh: (localHour: number, season: string, dayType?: DayType, at?: Date) => number;
  /** The tariff's own season of a calendar month when it differs from the meteorological one
   * (KEPCO bills November as winter); meteorological seasons otherwise. */
  seasonOfMonth?: (month: number) => string;
  /** Whether the tariff has a table in force at an instant (false before its first table): hours outside
   * it get no energy cost rather than another table's rates. */
  inForceAt?: (at: Date) => boolean;
  source: string;
}

export interface Optimization {
  type: 'temporal_shift' | 'right_sizing' | 'regional_migration' | 'pue_improvement';
  /** Whether the measure lowers the intensity per kWh (shift, region, PUE) or only the energy used
   * (right-sizing: same intensity, fewer kWh). Only intensity measures move the projected intensity. */
  reduces?: 'intensity' | 'energy';
  /** Reduction of the workload's emissions (for intensity measures also of its effective intensity). */
  estimated_reduction_percent: number;
  description: string;
  savings_per_month: { kgCO2eq: number; kWh: number; KRW: number; USD: number };
  /** temporal_shift: the window and a CronJob schedule in Asia/Seoul. */
  schedule?: {
    startLocalHour: number;
    durationHours: number;
    cron: string;
    timeZone: string;
    windowIntensity_gCO2eq_kWh: number;
  };
  /** right_sizing: the capacity the new requests free across the workload's pods. */
  capacity_freed?: { cpu_cores: number; memory_GiB: number };
  /** right_sizing: a strategic-merge patch for the workload's containers. */
  resourcesPatch?: Record<string, unknown>;
  /** The change as ready-to-commit strategic-merge YAML for the workload's manifest (temporal shift of a
   * CronJob, right-sizing); absent where the measure is no manifest change (region, PUE, a one-off Job). */
  patch?: string;
  /** regional_migration: the region and its caveat. */
  targetRegion?: string;
  caveat?: string;
  /** How KRW and USD were obtained (tariff hours, carbon price, exchange rate). */
  cost_basis?: string;
  source: string;
}

/** A measure that was considered and not proposed, and why (in the policy's language). */
export interface NotAdvised {
  type: Optimization['type'];
  reason: string;
}

interface AccountingFigures {
  /** Which of the two the verdict (current_carbon_intensity, emissions) uses: spec.accounting. */
  basis: AccountingBasis;
  location_based_intensity_gCO2eq_kWh: number | null;
  market_based_intensity_gCO2eq_kWh: number | null;
  location_based_emissions_gCO2eq: number;
  market_based_emissions_gCO2eq: number;
  /** Share of the facility energy covered by declared renewable supply (0 when none is declared). */
  renewable_coverage_percent: number;
  source: string;
}

/** Declared contractual renewable supply, resolved to the share of facility energy it covers. */
export interface RenewableCoverage {
  /** 0..1 of the facility energy (IT × PUE) in the window. */
  share: number;
  source: string;
}

export interface FootprintFigures {
  basis: 'active' | 'active + idle share';
  energy_kWh: number;
  emissions_gCO2eq: number;
  emissions_kgCO2eq_per_30d: number;
  sci_gCO2eq_per_workload_hour: number | null;
}

/** Where the grid intensity of one hour came from: a live provider's point, the modelled hourly profile, or an annual factor. */
export type GridHourSource = 'live' | 'modelled' | 'annual';

/** Hours counted by the source of their grid intensity. */
export interface GridHoursBySource {
  live: number;
  modelled: number;
  annual: number;
}

/** How a workload's energy was obtained: all measured, all estimated, or both (the split is beside it). */
type EnergyBasis = 'measured' | 'estimated' | 'mixed' | 'none';

export interface WorkloadAssessment {
  workload: string;
  namespace: string;
  kind: WorkloadKind;
  /** The kinds the workload may be when `kind` is only a guess (see WorkloadEnergyInput). */
  kind_ambiguous?: WorkloadKind[];
  pods: number;
  standard: string;
  status: ComplianceStatus;
  carbon_status: CriterionStatus;
  pue_status: CriterionStatus;
  /** Effective intensity on the verdict's accounting basis (accounting.basis). */
  current_carbon_intensity_gCO2eq_kWh: number | null;
  /** Null when the carbon criterion is not assessed (a PUE standard). */
  target_carbon_intensity_gCO2eq_kWh: number | null;
  grid_intensity_gCO2eq_kWh: number | null;
  /** The hours with energy, counted by where their grid intensity came from (live → modelled → annual). */
  grid_hours_by_source?: GridHoursBySource;
  gap_percent: number | null;
  pue: number;
  pue_source: string;
  max_pue: number | null;
  /** Green data-centre certification points the site's PUE earns (null: the standards define no bands). */
  pue_certification_points: number | null;
  /** Location- and market-based figures side by side (GHG Protocol Scope 2). */
  accounting: AccountingFigures;
  /** Active (dynamic) power and energy, for every Kepler generation; the figures below without a
   * basis of their own (emissions, intensity, SCI, monthly projection, savings) are on this basis. */
  power_watts: number;
  energy_kWh: number;
  /** energy_kWh split by how it was obtained: measured by Kepler, or estimated (CCF model for pods on
   * nodes without Kepler readings). Never mixed silently: energy_basis says which it is. */
  energy_measured_kWh?: number;
  energy_estimated_kWh?: number;
  energy_basis?: EnergyBasis;
  /** Σ of the pods' CPU requests, cores, when every pod has one (null: unknown); with power_watts it
   * gives the measured power per requested core that estimate_manifest calibrates with. */
  cpuRequested_cores?: number | null;
  // The fields below marked optional are always set by this engine; statuses written by an older
  // operator lack them, and readers (MCP, CLI) must cope.
  /** The workload's share of node idle power and energy; null when the source exports none. */
  idle_share_watts?: number | null;
  idle_share_kWh?: number | null;
  /** How the idle share was obtained, or 'unavailable: <why>'. */
  idle_share_source?: string;
  emissions_gCO2eq: number;
  monthly_projection: { energy_kWh: number; emissions_kgCO2eq: number; basis: string };
  sci_gCO2eq_per_workload_hour: number | null;
  /** Emissions and SCI on each basis, named: active alone, and the full footprint (active + idle
   * share; null while the idle share is unavailable). */
  footprint?: {
    active: FootprintFigures;
    active_plus_idle_share: FootprintFigures | null;
  };
  /** Requests against p95 usage, the right-sizing input; assessed false says why right-sizing was not assessed. */
  usage?: UsageFigures;
  recommendation: string;
  optimizations: Optimization[];
  combined: {
    /** Emissions reduction of all measures together: 1 − Π(1 − r_i). */
    reduction_percent: number;
    /** The part that lowers the intensity per kWh (right-sizing excluded). */
    intensity_reduction_percent?: number;
    projected_intensity_gCO2eq_kWh: number | null;
    reaches_target: boolean;
  } | null;
  window: {
    start: string;
    end: string;
    hours: number;
    hoursWithData: number;
    /** Hours the source actually observed; the 30-day projection scales from these. */
    observedHours?: number;
  };
  sources: {
    energy: string;
    zones_counted: string[];
    grid_intensity: string;
    pue: string;
    target: string;
    /** How the certification points were obtained, when there are any. */
    pue_certification?: string;
    data_quality: string[];
    /** How the estimated part of the energy was obtained ('estimated: CCF …'), when there is one. */
    energy_estimate?: string;
    /** Tariff, carbon price and exchange rate behind the KRW/USD savings (when advice was given). */
    cost?: string;
    /** How the SCI figure was obtained (embodied coefficients, server shape) when there is one. */
    sci?: string;
    /** Where the p95 usage came from and how many samples, or 'not assessed: <why>'. */
    usage?: string;
  };
}

/** The workload's requests and p95 usage (all pods summed); null where unknown, never zero. */
export interface UsageFigures {
  /** False: no p95 usage, so right-sizing was not assessed (reason says why). */
  assessed: boolean;
  reason?: string;
  cpuRequest_cores: number | null;
  cpuP95_cores: number | null;
  memoryRequest_bytes: number | null;
  memoryP95_bytes: number | null;
  /** Fewest samples behind any pod's p95. */
  samples: number | null;
}

/** One calendar month (Asia/Seoul) of a policy's active-energy emissions, summed hour by hour as the
 * hours end (engine/emissions-ledger.ts). Every figure is a sum over the hours counted. */
export interface MonthEmissions {
  /** KST calendar month, YYYY-MM. */
  month: string;
  /** Ended hours of the month the operator counted. */
  hours: number;
  /** First hour counted (UTC ISO hour start). */
  since: string;
  energy_kWh: number;
  /** Σ E(h)·I(h): the energy weighted by each hour's grid intensity, before PUE. */
  gridWeighted_kgCO2eq: number;
  /** Σ E(h)·PUE·I(h), location-based. */
  locationEmissions_kgCO2eq: number;
  /** On the verdict's accounting basis (spec.accounting). */
  emissions_kgCO2eq: number;
  /** Mean grid intensity over the hours counted, every hour alike (the grid's level, not the workloads'). */
  meanGridIntensity_gCO2eq_kWh: number;
}

/** One hour of a policy's emissions, summed over its workloads. */
export interface PolicyHour {
  /** UTC hour start, ISO. */
  hourStart: string;
  energy_kWh: number;
  /** The grid's intensity in the hour (whether or not anything ran). */
  gridIntensity_gCO2eq_kWh: number;
  /** Σ E(h)·I(h) over the workloads, before PUE. */
  gridWeighted_gCO2eq: number;
  /** Location-based Σ E(h)·PUE·I(h). */
  locationEmissions_gCO2eq: number;
  /** On the verdict's accounting basis (spec.accounting). */
  emissions_gCO2eq: number;
}

/** The hour still running at the last evaluation, kept so that a 1-hour window loses no hour. */
export type OpenHour = PolicyHour;

/** A policy's emissions per KST month, persisted in status so that restarts lose nothing. */
export interface EmissionsLedger {
  timeZone: 'Asia/Seoul';
  /** Hours that start before this instant are counted in `months`. */
  countedThrough: string;
  /** Oldest first, at most 13 (the month in progress and the twelve before it). */
  months: MonthEmissions[];
  openHour?: OpenHour;
}

/** A carbon budget threshold that was announced (Event) in a month: once per threshold and month. */
export interface BudgetThresholdNotice {
  percent: number;
  /** When it was first reached (UTC ISO). */
  at: string;
}

export interface CarbonBudgetStatus {
  /** KST calendar month the figures are for, YYYY-MM. */
  month: string;
  timeZone: 'Asia/Seoul';
  budget_kgCO2eq: number;
  budgetSource: string;
  monthToDate_kgCO2eq: number;
  usedPercent: number;
  /** From when this month's emissions were counted (UTC ISO): the month's start or the first hour counted. */
  since: string;
  burnRate_kgCO2eq_per_day: number;
  /** Month-to-date plus the burn rate over the rest of the month. */
  projectedMonthEnd_kgCO2eq: number;
  /** KST date the budget runs out at the burn rate (already ran out: the date it was reached); null when
   * it lasts the month. */
  projectedExhaustionDate: string | null;
  state: 'within' | 'projected_over' | 'exceeded';
  /** Thresholds (percent of the budget) announced by an Event this month. */
  thresholdsNotified: BudgetThresholdNotice[];
  basis: string;
}

/** What one month of the decomposition looks like: C = E · T · PUE · G (location-based). */
export interface EmissionsFactors {
  month: string;
  /** The month was still running, or not all its hours were counted (compare `hours` with the month's). */
  partial: boolean;
  hours: number;
  energy_kWh: number;
  emissions_kgCO2eq: number;
  /** Effective PUE over the month, C / Σ E·I (null without energy). */
  pue: number | null;
  /** G: the grid's mean intensity over the month's hours. */
  meanGridIntensity_gCO2eq_kWh: number;
  /** Σ E·I / Σ E: the grid intensity the workloads actually drew at (null without energy). */
  energyWeightedGridIntensity_gCO2eq_kWh: number | null;
  /** T = energy-weighted ÷ mean grid intensity: below 1 when the work ran in cleaner hours than average. */
  timingFactor: number | null;
}

/** Month-over-month change of emissions split into its causes (engine/emissions-change.ts). */
export interface EmissionsChange {
  from: EmissionsFactors;
  to: EmissionsFactors;
  change_kgCO2eq: number;
  effects_kgCO2eq: { energy: number; timing: number; pue: number; gridFactor: number };
  /** change − Σ effects (LMDI leaves none; rounding only). */
  residual_kgCO2eq: number;
  method: string;
  basis: string;
}

/** The policy-level figures of one evaluation (status.summary). */
export interface PolicySummary {
  status: ComplianceStatus;
  workloads: number;
  compliant: number;
  nonCompliant: number;
  insufficientData: number;
  /** On the verdict's accounting basis (accounting.basis). */
  effectiveIntensity_gCO2eq_kWh: number | null;
  /** Null when the standard assesses PUE only. */
  target_gCO2eq_kWh: number | null;
  pue: number;
  pueSource: string;
  /** The grid zone the assessment used (spec.site.zone, or the cloud region's); absent in older statuses. */
  zone?: string;
  /** The PUE is an assumed average: set spec.site.pue (condition PUEKnown=False says so too). */
  pueAssumed?: boolean;
  /** Green data-centre certification points for the PUE (null: no standard in play defines bands). */
  pueCertificationPoints?: number | null;
  accounting?: {
    basis: 'location' | 'market';
    locationBasedIntensity_gCO2eq_kWh: number | null;
    marketBasedIntensity_gCO2eq_kWh: number | null;
    renewableCoveragePercent: number;
  };
  energy_kWh: number;
  // Optional: absent in statuses written by an older operator.
  /** The part of energy_kWh measured by Kepler. */
  energyMeasured_kWh?: number;
  /** The part of energy_kWh estimated with the CCF model (pods on nodes without Kepler readings);
   * condition EnergyEstimated says so whenever it is above 0. */
  energyEstimated_kWh?: number;
  /** Workloads with energy counted by how it was obtained. */
  workloadsByEnergyBasis?: { measured: number; estimated: number; mixed: number };
  /** Where the estimated part comes from (the CCF coefficients' source), when there is one. */
  energyEstimateSource?: string;
  emissions_gCO2eq: number;
  /** Active basis, scaled to 30 days from the hours the source observed (observedHours). */
  emissions_kgCO2eq_per_30d: number;
  power_watts: number;
  // Optional: absent in statuses written by an older operator.
  /** Σ of the workloads' idle shares; null when any workload with energy has none. */
  idleShare_kWh?: number | null;
  /** Full footprint (active + idle share) per 30 days; null while an idle share is unavailable. */
  emissionsActivePlusIdleShare_kgCO2eq_per_30d?: number | null;
  /** Hours the energy source actually observed within the window. */
  observedHours?: number;
  /** The window's hours counted by where their grid intensity came from (live → modelled → annual). */
  grid_hours_by_source?: GridHoursBySource;
  /** The source of each hour of the window, from its first hour (window.start). */
  grid_source_by_hour?: { start: string; sources: GridHourSource[] };
  /** Why emissions changed between the last two complete KST months (null until two are counted). */
  emissionsChange?: EmissionsChange | null;
}

// Verified savings (engine/verified-savings.ts computes them; status.verifiedSavings keeps them).
export type SavingsVerdict = 'verified' | 'not_realized' | 'too_early';

/** One adopted change, as recorded in status (it is kept there across evaluations). */
export interface AdoptedChange {
  /** `Kind/name`, or `*` for a change of the whole site (PUE, zone). */
  workload: string;
  kind: 'schedule' | 'pue' | 'zone';
  /** The first hour (UTC, ISO) counted after the change. */
  since: string;
  /** Who made it: 'applied by the operator (spec.actions)', 'observed: …'. */
  source: string;
  before: { schedule?: string; timeZone?: string; pue?: number; zone?: string };
  after: { schedule?: string; timeZone?: string; pue?: number; zone?: string };
}

export interface VerifiedSavings {
  workload: string;
  change: AdoptedChange;
  since: string;
  verdict: SavingsVerdict;
  /** Counterfactual − measured, kgCO2eq, over the hours since the change (positive: a saving). */
  kgCO2eq: number;
  /** Of the counterfactual; null when it is zero (no energy since the change). */
  percent: number | null;
  measured_kgCO2eq: number;
  counterfactual_kgCO2eq: number;
  energy_kWh: number;
  hoursWithEnergy: number;
  elapsedHours: number;
  /** The data a verdict other than too_early needs. */
  minimum: string;
  method: string;
}
