// The carbon engine's contract: what goes in, what comes out. Pure data, no I/O.
// Every number carries its unit in its name; every input that is not measured carries a source
// string of the form 'measured: kepler …', 'configured: policy', 'default: standard KR_…',
// 'dataset: <name, year>', 'modelled: …', 'estimated: cpu-model', 'live: <provider>'.

export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'INSUFFICIENT_DATA';
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
}

/** Whether the input carries the workload's share of node idle energy, and how it was obtained. */
export type IdleShareInput =
  { available: true; source: string; power_watts: number } | { available: false; reason: string };

/** Requested vs observed usage, for right-sizing. Absent fields mean "unknown", never zero. */
export interface WorkloadUsage {
  cpuRequest_cores?: number;
  cpuP95_cores?: number;
  memoryRequest_bytes?: number;
  memoryP95_bytes?: number;
  vcpus?: number;
  /** Container names of the pod template, for a resources patch that names them. */
  containerNames?: string[];
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
  /** e.g. 'measured: kepler 0.11.4 (rapl)', 'estimated: cpu-model', 'measured: kepler 0.7 (fake meter)'. */
  energySource: string;
  /** Data-quality flags: 'fake-meter', 'model-estimated', 'active-power-only', … */
  dataQuality?: string[];
  usage?: WorkloadUsage;
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
  kind: 'modelled' | 'live' | 'annual-flat';
  /** Annual mean the profile is calibrated to (energy-weighted). */
  annualMean_gCO2eq_kWh: number;
  /** Per season when the model supports it; 'all' otherwise. Keys: 'all' | 'spring' | 'summer' | 'autumn' | 'winter'. */
  hourly_gCO2eq_kWh: Record<string, number[]>;
  /** For live providers: exact hourly points, which override the 24-h shape where present. */
  points?: Array<{ hourStart: string; intensity_gCO2eq_kWh: number }>;
  source: string;
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
  notes?: { en: string; ko: string };
}

export interface Tariff {
  currency: 'KRW';
  /** Rate per kWh for a local (KST) hour and season. */
  rate_KRW_per_kWh: (localHour: number, season: string) => number;
  /** The tariff's own season of a calendar month when it differs from the meteorological one
   * (KEPCO bills November as winter); meteorological seasons otherwise. */
  seasonOfMonth?: (month: number) => string;
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
  /** right_sizing: a strategic-merge patch for the workload's containers. */
  resourcesPatch?: Record<string, unknown>;
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

export interface FootprintFigures {
  basis: 'active' | 'active + idle share';
  energy_kWh: number;
  emissions_gCO2eq: number;
  emissions_kgCO2eq_per_30d: number;
  sci_gCO2eq_per_workload_hour: number | null;
}

export interface WorkloadAssessment {
  workload: string;
  namespace: string;
  kind: WorkloadKind;
  /** The kinds the workload may be when `kind` is only a guess (see WorkloadEnergyInput). */
  kind_ambiguous?: WorkloadKind[];
  pods: number;
  standard: string;
  status: ComplianceStatus;
  carbon_status: ComplianceStatus;
  pue_status: ComplianceStatus;
  current_carbon_intensity_gCO2eq_kWh: number | null;
  target_carbon_intensity_gCO2eq_kWh: number;
  grid_intensity_gCO2eq_kWh: number | null;
  gap_percent: number | null;
  pue: number;
  pue_source: string;
  max_pue: number | null;
  /** Active (dynamic) power and energy, for every Kepler generation; the figures below without a
   * basis of their own (emissions, intensity, SCI, monthly projection, savings) are on this basis. */
  power_watts: number;
  energy_kWh: number;
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
    data_quality: string[];
    /** Tariff, carbon price and exchange rate behind the KRW/USD savings (when advice was given). */
    cost?: string;
    /** How the SCI figure was obtained (embodied coefficients, server shape) when there is one. */
    sci?: string;
  };
}
