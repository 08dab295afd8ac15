// The reconciler's boundary to the carbon engine: workload inputs in, assessments and a policy
// summary out. The interface is pure (no I/O, no clock: `now` is passed in), so the reconciler can be
// tested with the real engine and without a cluster. Its product implementation below is backed by
// the one binding path (operator/binding): a policy's spec is bound to its standard, site, profile,
// tariff and candidate regions, and its workloads are evaluated by the carbon engine. Creating it loads
// the standards catalogue and grid data, so a broken data file stops the operator at start-up with the
// file and field named, not at the first reconcile.
import type { Logger } from 'pino';
import { loadBindingData, type BindingDataOptions } from '../binding/binding-data.js';
import { BindingError, createSiteBinder, POLICY_FIELDS, policySiteRequest } from '../binding/site-binding.js';
import { ReloadingCatalogue } from '../binding/standards-reload.js';
import type { LiveGridView } from '../sources/live-grid-refresher.js';
import type { StandardsCatalogue } from '../reference-data/standards-catalogue.js';
import type { CarbonCompliancePolicySpec } from '../api/v1alpha1/types.js';
import type { PolicyHour } from '../engine/hourly-emissions.js';
import type {
  HourlyIntensityProfile,
  PolicySummary,
  WorkloadAssessment,
  WorkloadEnergyInput,
} from '../domain/types.js';

export interface EvaluationRequest {
  namespace: string;
  spec: CarbonCompliancePolicySpec;
  inputs: WorkloadEnergyInput[];
  window: { start: string; end: string; hours: number };
  now: Date;
}

export interface Evaluation {
  /** Every hour of the window summed over the workloads, from the engine's hourly formula; the policy's
   * emissions ledger (carbon budget, month-over-month change) counts them. Absent: no ledger is kept. */
  hours?: PolicyHour[];
  assessments: WorkloadAssessment[];
  summary: PolicySummary;
  /** GridDataLive: live grid data in use, failing or pending; absent when no live provider is configured. */
  gridLive?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string } | null;
  /** StandardsCatalogue=False: the last edit of the catalogue file was rejected (the last good one is in use). */
  catalogueError?: { reason: string; message: string } | null;
  /** The site's grid profile the evaluation used (verified savings reuse it); absent from test evaluators. */
  gridProfile?: HourlyIntensityProfile;
  /** Another zone's profile over the same binding path (the old zone of a verified zone change). */
  gridProfileOf?: (zone: string) => HourlyIntensityProfile | undefined;
}

export interface PolicyEvaluator {
  evaluate(request: EvaluationRequest): Evaluation;
}

/** A policy that cannot be evaluated as written (unknown standard, unknown zone or region). */
export class PolicyConfigurationError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PolicyConfigurationError';
  }
}

/** A PolicyEvaluator whose binding data can be rebuilt (a reloaded standards catalogue). */
export interface ReloadablePolicyEvaluator extends PolicyEvaluator {
  /** Rebuilds the binding data with a new catalogue; the next evaluation uses it. */
  replaceCatalogue(catalogue: StandardsCatalogue): void;
  /** The last rejected catalogue edit (null: the file in force is the one on disk; undefined: not watched). */
  catalogueError: { reason: string; message: string } | null | undefined;
}

export function createPolicyEvaluator(options: BindingDataOptions = {}): ReloadablePolicyEvaluator {
  let binder = createSiteBinder(loadBindingData(options));
  const evaluator: ReloadablePolicyEvaluator = {
    catalogueError: undefined,
    replaceCatalogue(catalogue) {
      binder = createSiteBinder(loadBindingData({ ...options, catalogue }));
    },
    evaluate(request: EvaluationRequest) {
      const { spec } = request;
      let bound;
      try {
        bound = binder.bind(policySiteRequest(spec), new Date(request.window.end), POLICY_FIELDS);
      } catch (error) {
        if (error instanceof BindingError) {
          throw new PolicyConfigurationError(
            error.reason,
            error.field,
            error.message.slice(error.field.length + 2),
          );
        }
        throw error;
      }
      const evaluation = binder.evaluate(bound, request.inputs, {
        window: request.window,
        language: spec.language,
        now: request.now,
        recommendations: spec.recommendations.enabled && request.inputs.length > 0,
        // spec.actions.allowedHours are KST hours whatever the site's zone.
        ...(spec.actions.allowedHours
          ? { allowedHours: { timeZone: 'Asia/Seoul', hours: spec.actions.allowedHours } }
          : {}),
      });
      return {
        ...evaluation,
        gridProfile: bound.profile,
        gridProfileOf: (zone: string) => {
          try {
            return binder.bind({ standard: spec.standard, site: { zone } }, new Date(request.window.end))
              .profile;
          } catch (error) {
            if (error instanceof BindingError) return undefined;
            throw error;
          }
        },
        ...(evaluator.catalogueError === undefined ? {} : { catalogueError: evaluator.catalogueError }),
      };
    },
  };
  return evaluator;
}

export interface WatchedPolicyEvaluatorOptions {
  standardsFile?: string;
  /** Live grid points (the Electricity Maps refresher). */
  liveGrid?: LiveGridView;
  /** Called when a catalogue edit was loaded or rejected: the operator re-evaluates every policy. */
  onCatalogueChange?: () => void;
}

/** The operator's evaluator: the binding data, a watched standards file, and live grid data when configured. */
export function createWatchedPolicyEvaluator(
  logger: Logger,
  options: WatchedPolicyEvaluatorOptions = {},
): { evaluator: ReloadablePolicyEvaluator; close: () => void } {
  const { standardsFile, liveGrid } = options;
  if (!standardsFile) {
    const evaluator = createPolicyEvaluator(liveGrid ? { liveGrid } : {});
    logger.debug('carbon engine loaded');
    return { evaluator, close: () => undefined };
  }
  // The file is read once here (a bad file stops the start-up, naming the line); later edits are reloaded.
  const watched: ReloadingCatalogue = new ReloadingCatalogue({
    path: standardsFile,
    logger,
    onChange: ({ catalogue, error }) => {
      if (error) evaluator.catalogueError = { reason: error.reason, message: error.message };
      else {
        evaluator.replaceCatalogue(catalogue);
        evaluator.catalogueError = null;
      }
      options.onCatalogueChange?.();
    },
  });
  const evaluator: ReloadablePolicyEvaluator = createPolicyEvaluator({
    ...(liveGrid ? { liveGrid } : {}),
    catalogue: watched.catalogue,
  });
  evaluator.catalogueError = null;
  watched.start();
  logger.debug({ standardsFile }, 'carbon engine loaded; watching the standards file');
  return { evaluator, close: () => watched.stop() };
}
