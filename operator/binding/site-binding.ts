// The one binding path: a policy spec or the CLI's flags → standard, zone, grid profile, PUE (with
// its precedence), Korean companion standards, targets, tariff, prices and candidate regions, and the
// evaluation of workloads against them. The operator, the CLI and the MCP server all bind here, so
// the same question gets the same figure on every surface (docs/methodology.md § 3, "One binding path").
// Pure given its data: every file is read by binding-data.ts; the clock is a parameter.
import type { CarbonCompliancePolicySpec } from '../api/v1alpha1/types.js';
import { summarizeAssessments } from '../engine/aggregate-policy.js';
import { assessWorkload } from '../engine/assess.js';
import { EngineInputError } from '../engine/engine-input-error.js';
import { gridSourcesOfWindow } from '../engine/grid-intensity-at.js';
import { policyHours, type PolicyHour } from '../engine/hourly-emissions.js';
import type { RenewableSupply } from '../domain/renewable-supply.js';
import { annualFacilityEnergy_kWh, renewableCoverage } from '../engine/market-based.js';
import type { AllowedHours } from '../engine/temporal-shift.js';
import {
  compareRegions,
  siteAnnualBasis,
  type CandidateRegion,
  type RegionComparison,
} from '../engine/regional-migration.js';
import {
  pueCertificationPoints,
  resolveTargets,
  TargetResolutionError,
  type ResolvedTargets,
} from '../engine/targets.js';
import type {
  AccountingBasis,
  HourlyIntensityProfile,
  Language,
  PolicySummary,
  RenewableCoverage,
  SiteContext,
  Sourced,
  StandardDefinition,
  Tariff,
  WorkloadAssessment,
  WorkloadEnergyInput,
} from '../domain/types.js';
import type { BindingData, BoundRegion } from './binding-data.js';

/** Korean standards that supply a criterion the named one lacks, for a site in Korea. */
const KR_COMPANIONS = ['KR_PUE_GREEN_DC', 'KR_CARBON_2050'];

/** What a site is bound from: a policy's spec, or the CLI's flags in the same shape. */
interface SiteRequest {
  standard: string;
  targets?: { carbonIntensityGCO2eqPerKWh?: number; maxPue?: number };
  site: {
    zone?: string;
    cloudRegion?: string;
    pue?: number;
    renewableSupply?: RenewableSupply[];
  };
  accounting?: AccountingBasis;
  /** Regions to compare with; the cloud regions on the site's own grid when absent. */
  candidateRegions?: string[];
  /** A flat grid intensity instead of the zone's profile (the CLI's --grid-intensity). */
  gridIntensity_gCO2eq_kWh?: number;
}

/** What a policy's spec asks to be bound: its standard, target overrides, site, accounting and candidates. */
export function policySiteRequest(spec: CarbonCompliancePolicySpec): SiteRequest {
  return {
    standard: spec.standard,
    ...(spec.targets ? { targets: spec.targets } : {}),
    site: spec.site,
    accounting: spec.accounting,
    ...(spec.recommendations.candidateRegions
      ? { candidateRegions: spec.recommendations.candidateRegions }
      : {}),
  };
}

/** How each input is named to the user: policy fields for the operator, flags for the CLI. */
export interface FieldNames {
  /** Who configured a value: 'policy' or 'cli' (in source strings such as 'configured: policy spec.site.pue'). */
  origin: string;
  standard: string;
  zone: string;
  cloudRegion: string;
  pue: string;
  carbonTarget: string;
  candidateRegions: string;
  gridIntensity: string;
}

export const POLICY_FIELDS: FieldNames = {
  origin: 'policy',
  standard: 'spec.standard',
  zone: 'spec.site.zone',
  cloudRegion: 'spec.site.cloudRegion',
  pue: 'spec.site.pue',
  carbonTarget: 'spec.targets.carbonIntensityGCO2eqPerKWh',
  candidateRegions: 'spec.recommendations.candidateRegions',
  gridIntensity: 'spec.site.gridIntensity',
};

/** The request cannot be bound as written; `field` names the input in the caller's own terms. */
export class BindingError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BindingError';
  }
}

export interface BoundSite {
  zone: string;
  region: BoundRegion | null;
  year: number;
  site: SiteContext;
  /** True when the PUE is an assumed average (neither the policy nor a cloud region gave one). */
  pueAssumed: boolean;
  profile: HourlyIntensityProfile;
  standard: StandardDefinition;
  targets: ResolvedTargets;
  tariff: Tariff | null;
  prices: { kets_KRW_per_tCO2eq?: Sourced<number>; krwPerUsd?: Sourced<number> };
  accounting: AccountingBasis;
  renewableSupply: RenewableSupply[];
  candidates: CandidateRegion[];
  /** The live grid provider's state for the zone (GridDataLive); null when none is configured or the intensity is set flat. */
  gridLive: GridLiveState | null;
}

/** What the GridDataLive condition says: live data in use (True), failing (False) or not fetched yet (Unknown). */
interface GridLiveState {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

interface Evaluation {
  /** Every hour of the window summed over the workloads (the emissions ledger's input). */
  hours: PolicyHour[];
  assessments: WorkloadAssessment[];
  summary: PolicySummary;
  gridLive?: GridLiveState | null;
}

interface EvaluationOptions {
  window: { start: string; end: string; hours: number };
  language: Language;
  now: Date;
  recommendations: boolean;
  /** spec.actions.allowedHours (KST): where a temporal shift may put a run. */
  allowedHours?: AllowedHours;
}

export interface SiteBinder {
  bind(request: SiteRequest, windowEnd: Date, fields?: FieldNames): BoundSite;
  evaluate(bound: BoundSite, inputs: WorkloadEnergyInput[], options: EvaluationOptions): Evaluation;
  /** The site's own annual intensity × PUE, the basis every region is compared on. */
  siteAnnualEffective(bound: BoundSite): { value_gCO2eq_kWh: number; source: string };
  /** Candidate regions (or the bound ones) on the same annual basis as the site. */
  compare(
    bound: BoundSite,
    language: Language,
    keys?: string[],
  ): {
    regions: RegionComparison[];
    unknown: string[];
  };
}

function localYear(at: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(at));
}

export function createSiteBinder(data: BindingData): SiteBinder {
  const region = (key: string, field: string): BoundRegion => {
    const found = data.cloudRegion(key);
    if (!found) throw new BindingError('UnknownCloudRegion', field, data.unknownRegionMessage(key));
    return found;
  };

  const candidateFor = (
    r: BoundRegion,
    year: number,
    standard: StandardDefinition,
  ): CandidateRegion | null => {
    const intensity = data.annualIntensity(r.zone, year);
    const pue = r.pue ?? assumedPue(standard);
    if (!intensity || !pue) return null;
    return {
      region: r.key,
      zone: r.zone,
      intensity,
      pue: r.pue ? { value: r.pue.value, source: `published: ${r.key} (${r.pue.source})` } : pue,
    };
  };

  // A standard's own default PUE (a user-defined entry may carry one), else the catalogue's assumed
  // average; either way it is labelled 'assumed' and the caller raises PUEKnown=False.
  const assumedPue = (standard: StandardDefinition): Sourced<number> | undefined => {
    if (standard.defaultPue) {
      return {
        value: standard.defaultPue.value,
        source: `assumed: standard ${standard.code} default (${standard.defaultPue.source})`,
      };
    }
    const assumed = data.catalogue.defaultPue;
    return assumed
      ? { value: assumed.value, source: `assumed: ${assumed.source.replace(/^assumed: /, '')}` }
      : undefined;
  };

  const bind: SiteBinder['bind'] = (request, windowEnd, fields = POLICY_FIELDS) => {
    const standard = data.catalogue.get(request.standard);
    if (!standard) {
      throw new BindingError(
        'UnknownStandard',
        fields.standard,
        `unknown standard '${request.standard}' (known: ${data.catalogue.codes().join(', ')})`,
      );
    }
    const bound = request.site.cloudRegion ? region(request.site.cloudRegion, fields.cloudRegion) : null;
    const zone = bound?.zone ?? request.site.zone ?? 'KR';
    const timeZone = data.zoneTimeZone(zone);
    const year = localYear(windowEnd, timeZone);
    let profile: HourlyIntensityProfile;
    let gridLive: GridLiveState | null = null;
    if (request.gridIntensity_gCO2eq_kWh !== undefined) {
      const value = request.gridIntensity_gCO2eq_kWh;
      profile = {
        zone,
        timeZone,
        kind: 'annual-flat',
        annualMean_gCO2eq_kWh: value,
        hourly_gCO2eq_kWh: { all: Array.from({ length: 24 }, () => value) },
        source: `configured: ${fields.origin} ${fields.gridIntensity} ${value} gCO2eq/kWh (flat, every hour)`,
      };
    } else {
      const found = data.profile(zone, year);
      if ('error' in found) throw new BindingError('UnknownZone', fields.zone, found.error);
      profile = found.profile;
      const live = data.liveGrid(zone);
      if (live) gridLive = { status: live.status, reason: live.reason, message: live.message };
    }
    const assumed = assumedPue(standard);
    const pue: Sourced<number> | undefined =
      request.site.pue !== undefined
        ? { value: request.site.pue, source: `configured: ${fields.origin} ${fields.pue}` }
        : bound?.pue
          ? { value: bound.pue.value, source: `published: ${bound.key} (${bound.pue.source})` }
          : assumed;
    if (!pue) {
      throw new BindingError(
        'NoPue',
        fields.pue,
        `the standards catalogue has no assumed PUE and the site names no cloud region: set ${fields.pue}`,
      );
    }
    const pueAssumed = request.site.pue === undefined && !bound?.pue;
    const companions =
      zone === 'KR'
        ? KR_COMPANIONS.filter((c) => c !== standard.code)
            .map((c) => data.catalogue.get(c))
            .filter((s): s is NonNullable<typeof s> => s !== undefined)
        : [];
    let targets: ResolvedTargets;
    try {
      targets = resolveTargets({
        standard,
        ...(request.targets ? { overrides: request.targets } : {}),
        companions,
        year,
      });
    } catch (error) {
      if (error instanceof TargetResolutionError) {
        throw new BindingError('NoCarbonTarget', fields.carbonTarget, error.message);
      }
      throw error;
    }
    // Certification points come from whichever standard defines bands: the PUE standard itself, or
    // the Korean companion that supplied the PUE limit.
    const banded = [standard, ...companions].find((s) => s.pueScoreBands?.length);
    targets = { ...targets, pueCertification: banded ? pueCertificationPoints(banded, pue.value) : null };

    const currentKey = bound?.key;
    const candidateRegions: BoundRegion[] = request.candidateRegions
      ? request.candidateRegions.map((key) => region(key, fields.candidateRegions))
      : data.cloudRegions().filter((r) => r.zone === zone);
    const candidates = candidateRegions
      .filter((r) => r.key !== currentKey)
      .map((r) => candidateFor(r, year, standard))
      .filter((c): c is CandidateRegion => c !== null);

    return {
      zone,
      region: bound,
      year,
      site: { zone, ...(bound ? { cloudRegion: bound.key } : {}), pue },
      pueAssumed,
      profile,
      standard,
      targets,
      tariff: data.tariff(zone),
      prices: data.prices,
      accounting: request.accounting ?? 'location',
      renewableSupply: request.site.renewableSupply ?? [],
      candidates,
      gridLive,
    };
  };

  const siteAnnualEffective: SiteBinder['siteAnnualEffective'] = (bound) =>
    siteAnnualBasis(bound.profile, bound.site.pue);

  const compare: SiteBinder['compare'] = (bound, language, keys) => {
    const unknown: string[] = [];
    let candidates = bound.candidates;
    if (keys) {
      candidates = [];
      for (const key of keys) {
        const r = data.cloudRegion(key) ?? data.zoneAsRegion(key, bound.year);
        const c = r ? candidateFor(r, bound.year, bound.standard) : null;
        if (c) candidates.push(c);
        else unknown.push(key);
      }
    }
    return {
      regions: compareRegions({
        currentIntensity_gCO2eq_kWh: siteAnnualEffective(bound).value_gCO2eq_kWh,
        currentZone: bound.zone,
        candidates,
        language,
      }),
      unknown,
    };
  };

  const evaluate: SiteBinder['evaluate'] = (bound, inputs, options) => {
    const renewable: RenewableCoverage | null =
      bound.renewableSupply.length > 0
        ? renewableCoverage(bound.renewableSupply, annualFacilityEnergy_kWh(inputs, bound.site.pue.value))
        : null;
    const context = {
      site: bound.site,
      profile: bound.profile,
      standardCode: bound.standard.code,
      targets: bound.targets,
      window: options.window,
      language: options.language,
      now: options.now,
      recommendations: options.recommendations,
      tariff: bound.tariff,
      prices: bound.prices,
      candidateRegions: options.recommendations ? bound.candidates : [],
      ...(options.allowedHours ? { allowedHours: options.allowedHours } : {}),
      embodied: { coefficients: data.embodied },
      accounting: bound.accounting,
      renewable,
    };
    const assessments = inputs.map((input) => {
      try {
        return assessWorkload(input, context);
      } catch (error) {
        // One workload's unusable measurements must not cost the others their assessment: it is
        // reported without a verdict, with the field that was wrong.
        if (!(error instanceof EngineInputError) || !error.field.startsWith('input.hourly')) throw error;
        return assessWorkload(
          {
            ...input,
            hourly: [],
            power_watts: Number.isFinite(input.power_watts) && input.power_watts >= 0 ? input.power_watts : 0,
            dataQuality: [...(input.dataQuality ?? []), `invalid-input: ${error.message}`],
          },
          context,
        );
      }
    });
    const summary = summarizeAssessments(assessments, {
      target_gCO2eq_kWh: bound.targets.carbonTarget?.value ?? null,
      pue: bound.site.pue,
      pueAssumed: bound.pueAssumed,
      pueCertification: bound.targets.pueCertification ?? null,
      accounting: bound.accounting,
      renewable,
      windowHours: options.window.hours,
    });
    const grid = gridSourcesOfWindow(bound.profile, options.window.start, options.window.hours);
    return {
      hours: policyHours(inputs, {
        profile: bound.profile,
        pue: bound.site.pue.value,
        renewableShare: renewable?.share ?? 0,
        basis: bound.accounting,
        window: options.window,
      }),
      assessments,
      summary: {
        ...summary,
        zone: bound.zone,
        grid_hours_by_source: grid.counts,
        grid_source_by_hour: { start: options.window.start, sources: grid.sources },
      },
      gridLive: bound.gridLive,
    };
  };

  return { bind, evaluate, siteAnnualEffective, compare };
}
