// The PolicyEvaluator backed by the one binding path (operator/binding): a policy's spec is bound to
// its standard, site, profile, tariff and candidate regions, and its workloads are evaluated by the
// carbon engine. Creating it loads the standards catalogue and grid data, so a broken data file stops
// the operator at start-up with the file and field named, not at the first reconcile.
import type { Logger } from 'pino';
import { ReloadingCatalogue } from '../binding/standards-reload.js';
import type { LiveGridView } from '../sources/live-grid-refresher.js';
import type { StandardsCatalogue } from '../reference-data/standards-catalogue.js';
import { loadBindingData, type BindingDataOptions } from '../binding/binding-data.js';
import { BindingError, createSiteBinder, POLICY_FIELDS, policySiteRequest } from '../binding/site-binding.js';
import {
  PolicyConfigurationError,
  type EvaluationRequest,
  type PolicyEvaluator,
} from './policy-evaluator.js';

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

export interface EngineEvaluatorOptions {
  standardsFile?: string;
  /** Live grid points (the Electricity Maps refresher). */
  liveGrid?: LiveGridView;
  /** Called when a catalogue edit was loaded or rejected: the operator re-evaluates every policy. */
  onCatalogueChange?: () => void;
}

/** The operator's evaluator: the binding data, a watched standards file, and live grid data when configured. */
export function createEngineEvaluator(
  logger: Logger,
  options: EngineEvaluatorOptions = {},
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
