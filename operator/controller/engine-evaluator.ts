// The PolicyEvaluator backed by the one binding path (operator/binding): a policy's spec is bound to
// its standard, site, profile, tariff and candidate regions, and its workloads are evaluated by the
// carbon engine. Creating it loads the standards catalogue and grid data, so a broken data file stops
// the operator at start-up with the file and field named, not at the first reconcile.
import type { Logger } from 'pino';
import { loadBindingData, type BindingDataOptions } from '../binding/binding-data.js';
import { BindingError, createSiteBinder, POLICY_FIELDS } from '../binding/site-binding.js';
import {
  PolicyConfigurationError,
  type EvaluationRequest,
  type PolicyEvaluator,
} from './policy-evaluator.js';

export function createPolicyEvaluator(options: BindingDataOptions = {}): PolicyEvaluator {
  const binder = createSiteBinder(loadBindingData(options));
  return {
    evaluate(request: EvaluationRequest) {
      const { spec } = request;
      let bound;
      try {
        bound = binder.bind(
          {
            standard: spec.standard,
            ...(spec.targets ? { targets: spec.targets } : {}),
            site: spec.site,
            accounting: spec.accounting,
            ...(spec.recommendations.candidateRegions
              ? { candidateRegions: spec.recommendations.candidateRegions }
              : {}),
          },
          new Date(request.window.end),
          POLICY_FIELDS,
        );
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
      return binder.evaluate(bound, request.inputs, {
        window: request.window,
        language: spec.language,
        now: request.now,
        recommendations: spec.recommendations.enabled && request.inputs.length > 0,
      });
    },
  };
}

export async function createEngineEvaluator(
  logger: Logger,
  standardsFile?: string,
): Promise<PolicyEvaluator> {
  const evaluator = createPolicyEvaluator(standardsFile ? { standardsFile } : {});
  logger.debug('carbon engine loaded');
  return evaluator;
}
