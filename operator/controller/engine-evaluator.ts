// The PolicyEvaluator backed by the carbon engine (operator/engine/policy-evaluation.ts). Creating
// it loads the standards catalogue and grid data, so a broken data file stops the operator at
// start-up with the file and field named, not at the first reconcile.
import type { Logger } from 'pino';
import { createPolicyEvaluator } from '../engine/policy-evaluation.js';
import type { PolicyEvaluator } from './policy-evaluator.js';

export async function createEngineEvaluator(logger: Logger): Promise<PolicyEvaluator> {
  const evaluator = await createPolicyEvaluator();
  logger.debug('carbon engine loaded');
  return evaluator;
}
