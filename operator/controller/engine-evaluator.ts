// The PolicyEvaluator backed by the carbon engine (operator/engine/). Loaded by name so that the
// controller builds while the engine evolves; the engine module must export
// createPolicyEvaluator(): PolicyEvaluator (see policy-evaluator.ts for the contract).
import type { Logger } from 'pino';
import type { PolicyEvaluator } from './policy-evaluator.js';

const specifier = '../engine/policy-evaluation.js';

export async function createEngineEvaluator(logger: Logger): Promise<PolicyEvaluator> {
  let mod: { createPolicyEvaluator?: () => PolicyEvaluator | Promise<PolicyEvaluator> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    throw new Error(`carbon engine: cannot load ${specifier}: ${(error as Error).message}`);
  }
  if (typeof mod.createPolicyEvaluator !== 'function') {
    throw new Error(`carbon engine: ${specifier} does not export createPolicyEvaluator()`);
  }
  const evaluator = await mod.createPolicyEvaluator();
  logger.debug('carbon engine loaded');
  return evaluator;
}
