// The operator's carbon engine: binds a policy to its data (standards catalogue, site, grid
// profile, PUE) and runs the pure engine for every workload. The only engine module that reads data
// files: they are loaded once, when the evaluator is created; evaluate() itself does no I/O.
import {
  PolicyConfigurationError,
  type EvaluationRequest,
  type PolicyEvaluator,
} from '../controller/policy-evaluator.js';
import {
  cloudRegion,
  cloudRegions,
  UnknownCloudRegionError,
  type CloudRegion,
} from '../grid/cloud-regions.js';
import { annualGridIntensity, UnknownZoneError } from '../grid/grid-factors.js';
import { gridProfileFor } from '../grid/grid-profile.js';
import { loadStandardsCatalogue, type StandardsCatalogue } from '../grid/standards-catalogue.js';
import { readDataFile } from '../grid/data-files.js';
import { kepcoSeasonOfMonth, kepcoTariff, ketsAllowancePrice, krwPerUsd } from '../grid/tariff.js';
import { summarizeAssessments } from './aggregate-policy.js';
import { assessWorkload } from './assess.js';
import { EngineInputError } from './engine-input-error.js';
import type { CandidateRegion } from './regional-migration.js';
import type { Prices } from './savings.js';
import { parseEmbodiedCoefficients, type EmbodiedCoefficients } from './sci.js';
import { resolveTargets, TargetResolutionError, type ResolvedTargets } from './targets.js';
import type { HourlyIntensityProfile, Language, Sourced, StandardDefinition, Tariff } from './types.js';

export interface PolicyEvaluatorOptions {
  /** Standards catalogue file (the chart mounts the ConfigMap); the shipped catalogue otherwise. */
  standardsFile?: string;
  catalogue?: StandardsCatalogue;
  /** Grid profile per zone; the sourced default (KR modelled, others annual-flat) otherwise. A year
   * the zone's data does not cover is retried without one (the dataset's default year, named in its source). */
  profileFor?: (zone: string, year: number | undefined) => HourlyIntensityProfile;
  /** Tariff and prices for the savings; KEPCO's for KR sites and the sourced K-ETS and KRW/USD otherwise. */
  tariffFor?: (zone: string) => Tariff | null;
  prices?: Prices;
  /** Embodied-emissions coefficients for SCI; operator/data/embodied-emissions.json otherwise. */
  embodied?: EmbodiedCoefficients;
}

/** Korean standards that supply a criterion the named standard lacks, for a site in Korea. */
const KR_COMPANIONS = ['KR_PUE_GREEN_DC', 'KR_CARBON_2050'];

export interface BoundPolicy {
  zone: string;
  region: CloudRegion | null;
  profile: HourlyIntensityProfile;
  pue: Sourced<number>;
  standard: StandardDefinition;
  targets: ResolvedTargets;
}

export class CarbonEngineEvaluator implements PolicyEvaluator {
  private readonly catalogue: StandardsCatalogue;
  private readonly profileFor: (zone: string, year: number | undefined) => HourlyIntensityProfile;
  private readonly profiles = new Map<string, HourlyIntensityProfile>();
  private readonly tariffFor: (zone: string) => Tariff | null;
  private readonly prices: Prices;
  private readonly embodied: EmbodiedCoefficients;

  constructor(options: PolicyEvaluatorOptions = {}) {
    this.catalogue =
      options.catalogue ??
      loadStandardsCatalogue(options.standardsFile ? { path: options.standardsFile } : {});
    this.profileFor =
      options.profileFor ?? ((zone, year) => gridProfileFor(zone, year === undefined ? {} : { year }));
    // KEPCO's tariff prices Korean energy only; elsewhere the savings carry no energy cost.
    this.tariffFor =
      options.tariffFor ??
      ((zone) =>
        zone === 'KR' ? { ...kepcoTariff(), seasonOfMonth: (m: number) => kepcoSeasonOfMonth(m) } : null);
    this.prices = options.prices ?? { kets_KRW_per_tCO2eq: ketsAllowancePrice(), krwPerUsd: krwPerUsd() };
    this.embodied =
      options.embodied ?? parseEmbodiedCoefficients(JSON.parse(readDataFile('embodied-emissions.json')));
  }

  /** The zone's annual intensity for the year, else its dataset's default year. */
  private annualIntensity(zone: string, year: number): Sourced<number> {
    try {
      return annualGridIntensity(zone, { year });
    } catch (error) {
      if (error instanceof UnknownZoneError) return annualGridIntensity(zone);
      throw error;
    }
  }

  /** Regions to compare with: the policy's list, else the cloud regions on the site's own grid. */
  candidateRegions(spec: EvaluationRequest['spec'], bound: BoundPolicy, year: number): CandidateRegion[] {
    const current = bound.region ? `${bound.region.provider}/${bound.region.region}` : undefined;
    const configured = spec.recommendations.candidateRegions;
    const regions: CloudRegion[] = configured
      ? configured.map((key) => {
          try {
            return cloudRegion(key);
          } catch (error) {
            if (error instanceof UnknownCloudRegionError) {
              throw new PolicyConfigurationError(
                'UnknownCloudRegion',
                'spec.recommendations.candidateRegions',
                error.message,
              );
            }
            throw error;
          }
        })
      : cloudRegions().filter((r) => r.zone === bound.zone);
    const out: CandidateRegion[] = [];
    for (const r of regions) {
      const key = `${r.provider}/${r.region}`;
      if (key === current) continue;
      const pue = r.pue ?? bound.standard.defaultPue;
      if (!pue) continue;
      let intensity: Sourced<number>;
      try {
        intensity = this.annualIntensity(r.zone, year);
      } catch (error) {
        if (error instanceof UnknownZoneError) continue;
        throw error;
      }
      out.push({
        region: key,
        zone: r.zone,
        intensity,
        pue: r.pue
          ? { value: r.pue.value, source: `published: ${key} (${r.pue.source})` }
          : { value: pue.value, source: `default: standard ${bound.standard.code} (${pue.source})` },
      });
    }
    return out;
  }

  private profile(zone: string, year: number): HourlyIntensityProfile {
    const key = `${zone}/${year}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      try {
        try {
          profile = this.profileFor(zone, year);
        } catch (error) {
          // Annual datasets lag: a year they do not cover yet falls back to their default year.
          if (!(error instanceof UnknownZoneError)) throw error;
          profile = this.profileFor(zone, undefined);
        }
      } catch (error) {
        if (error instanceof UnknownZoneError) {
          throw new PolicyConfigurationError('UnknownZone', 'spec.site.zone', error.message);
        }
        throw error;
      }
      this.profiles.set(key, profile);
    }
    return profile;
  }

  /** Resolves what a policy is measured against; throws PolicyConfigurationError naming the field. */
  bind(spec: EvaluationRequest['spec'], year: number): BoundPolicy {
    const standard = this.catalogue.get(spec.standard);
    if (!standard) {
      throw new PolicyConfigurationError(
        'UnknownStandard',
        'spec.standard',
        `unknown standard '${spec.standard}' (known: ${this.catalogue.codes().join(', ')})`,
      );
    }
    let region: CloudRegion | null = null;
    if (spec.site.cloudRegion) {
      try {
        region = cloudRegion(spec.site.cloudRegion);
      } catch (error) {
        if (error instanceof UnknownCloudRegionError) {
          throw new PolicyConfigurationError('UnknownCloudRegion', 'spec.site.cloudRegion', error.message);
        }
        throw error;
      }
    }
    const zone = region?.zone ?? spec.site.zone ?? 'KR';
    const profile = this.profile(zone, year);
    const pue: Sourced<number> | undefined =
      spec.site.pue !== undefined
        ? { value: spec.site.pue, source: 'configured: policy spec.site.pue' }
        : region?.pue
          ? {
              value: region.pue.value,
              source: `published: ${region.provider}/${region.region} (${region.pue.source})`,
            }
          : standard.defaultPue
            ? {
                value: standard.defaultPue.value,
                source: `default: standard ${standard.code} (${standard.defaultPue.source})`,
              }
            : undefined;
    if (!pue) {
      throw new PolicyConfigurationError(
        'NoPue',
        'spec.site.pue',
        `standard ${standard.code} has no default PUE and the site names no cloud region: set spec.site.pue`,
      );
    }
    const companions =
      zone === 'KR'
        ? KR_COMPANIONS.filter((c) => c !== standard.code)
            .map((c) => this.catalogue.get(c))
            .filter((s): s is NonNullable<typeof s> => s !== undefined)
        : [];
    let targets: ResolvedTargets;
    try {
      targets = resolveTargets({ standard, overrides: spec.targets, companions, year });
    } catch (error) {
      if (error instanceof TargetResolutionError) {
        throw new PolicyConfigurationError('NoCarbonTarget', error.field, error.message);
      }
      throw error;
    }
    return { zone, region, profile, pue, standard, targets };
  }

  evaluate(request: EvaluationRequest) {
    const year = new Date(request.window.end).getUTCFullYear();
    const bound = this.bind(request.spec, year);
    const language: Language = request.spec.language;
    const advise = request.spec.recommendations.enabled;
    const candidateRegions =
      advise && request.inputs.length > 0 ? this.candidateRegions(request.spec, bound, year) : [];
    const tariff = this.tariffFor(bound.zone);
    const context = {
      site: {
        zone: bound.zone,
        ...(bound.region ? { cloudRegion: `${bound.region.provider}/${bound.region.region}` } : {}),
        pue: bound.pue,
      },
      profile: bound.profile,
      standardCode: bound.standard.code,
      targets: bound.targets,
      window: request.window,
      language,
      now: request.now,
      recommendations: advise,
      tariff,
      prices: this.prices,
      candidateRegions,
      embodied: { coefficients: this.embodied },
    };
    const assessments = request.inputs.map((input) => {
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
      target_gCO2eq_kWh: bound.targets.carbonTarget.value,
      pue: bound.pue,
      windowHours: request.window.hours,
    });
    return { assessments, summary };
  }
}

export function createPolicyEvaluator(options: PolicyEvaluatorOptions = {}): PolicyEvaluator {
  return new CarbonEngineEvaluator({
    ...options,
    ...(options.standardsFile || !process.env.STANDARDS_FILE
      ? {}
      : { standardsFile: process.env.STANDARDS_FILE }),
  });
}
