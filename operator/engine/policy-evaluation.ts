// The operator's carbon engine: binds a policy to its data (standards catalogue, site, grid
// profile, PUE) and runs the pure engine for every workload. The only engine module that reads data
// files: they are loaded once, when the evaluator is created; evaluate() itself does no I/O.
import {
  PolicyConfigurationError,
  type EvaluationRequest,
  type PolicyEvaluator,
} from '../controller/policy-evaluator.js';
import { cloudRegion, UnknownCloudRegionError, type CloudRegion } from '../grid/cloud-regions.js';
import { UnknownZoneError } from '../grid/grid-factors.js';
import { gridProfileFor } from '../grid/grid-profile.js';
import { loadStandardsCatalogue, type StandardsCatalogue } from '../grid/standards-catalogue.js';
import { summarizeAssessments } from './aggregate-policy.js';
import { assessWorkloadCore, finishAssessment, type CoreAssessment } from './assess-workload.js';
import { resolveTargets, TargetResolutionError, type ResolvedTargets } from './targets.js';
import type { HourlyIntensityProfile, Language, Sourced, StandardDefinition } from './types.js';

export interface PolicyEvaluatorOptions {
  /** Standards catalogue file (the chart mounts the ConfigMap); the shipped catalogue otherwise. */
  standardsFile?: string;
  catalogue?: StandardsCatalogue;
  /** Grid profile per zone; the sourced default (KR modelled, others annual-flat) otherwise. */
  profileFor?: (zone: string, year: number) => HourlyIntensityProfile;
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
  private readonly profileFor: (zone: string, year: number) => HourlyIntensityProfile;
  private readonly profiles = new Map<string, HourlyIntensityProfile>();

  constructor(options: PolicyEvaluatorOptions = {}) {
    this.catalogue =
      options.catalogue ??
      loadStandardsCatalogue(options.standardsFile ? { path: options.standardsFile } : {});
    this.profileFor = options.profileFor ?? ((zone, year) => gridProfileFor(zone, { year }));
  }

  private profile(zone: string, year: number): HourlyIntensityProfile {
    const key = `${zone}/${year}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      try {
        profile = this.profileFor(zone, year);
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
    const assessments = request.inputs.map((input) => {
      const core = assessWorkloadCore(input, {
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
      });
      return finishAssessment(core, [], statusSentence(core, language));
    });
    const summary = summarizeAssessments(assessments, {
      target_gCO2eq_kWh: bound.targets.carbonTarget.value,
      pue: bound.pue,
      windowHours: request.window.hours,
    });
    return { assessments, summary };
  }
}

function statusSentence(core: CoreAssessment, language: Language): string {
  const i = core.current_carbon_intensity_gCO2eq_kWh;
  const t = core.target_carbon_intensity_gCO2eq_kWh;
  if (core.status === 'INSUFFICIENT_DATA') {
    return language === 'ko'
      ? '평가 기간에 에너지 측정값이 없어 판정할 수 없습니다.'
      : 'No energy was measured in the window, so no verdict can be given.';
  }
  if (language === 'ko') {
    return `유효 탄소 강도 ${i} gCO2eq/kWh (목표 ${t}, 차이 ${core.gap_percent}%), PUE ${core.pue}: ${core.status === 'COMPLIANT' ? '준수' : '미준수'}.`;
  }
  return `Effective carbon intensity ${i} gCO2eq/kWh (target ${t}, gap ${core.gap_percent} %), PUE ${core.pue}: ${core.status === 'COMPLIANT' ? 'compliant' : 'non-compliant'}.`;
}

export function createPolicyEvaluator(options: PolicyEvaluatorOptions = {}): PolicyEvaluator {
  return new CarbonEngineEvaluator({
    ...options,
    ...(options.standardsFile || !process.env.STANDARDS_FILE
      ? {}
      : { standardsFile: process.env.STANDARDS_FILE }),
  });
}
