import type { CarbonCompliancePolicy, Condition } from '../../operator/api/v1alpha1/types.js';
import { configurationFailure, hasLiveAssessment, isSettled } from './policy-status-wait.js';

function policy(status: CarbonCompliancePolicy['status'], generation = 2): CarbonCompliancePolicy {
  return {
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name: 'p', namespace: 'ns', generation },
    spec: {} as CarbonCompliancePolicy['spec'],
    status,
  };
}

const ready = (status: Condition['status'], reason: string, observedGeneration = 2): Condition => ({
  type: 'Ready',
  status,
  reason,
  message: 'm',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration,
});

const summary = (status: 'COMPLIANT' | 'INSUFFICIENT_DATA', workloads = 1) =>
  ({ status, workloads }) as NonNullable<CarbonCompliancePolicy['status']>['summary'];

describe('policy status readiness for the demo', () => {
  it('is live only with measured workloads for the current generation', () => {
    expect(hasLiveAssessment(policy({ observedGeneration: 2, summary: summary('COMPLIANT') }))).toBe(true);
    expect(hasLiveAssessment(policy({ observedGeneration: 1, summary: summary('COMPLIANT') }))).toBe(false);
    expect(hasLiveAssessment(policy({ observedGeneration: 2, summary: summary('INSUFFICIENT_DATA') }))).toBe(
      false,
    );
    expect(hasLiveAssessment(policy({ observedGeneration: 2, summary: summary('COMPLIANT', 0) }))).toBe(
      false,
    );
    expect(hasLiveAssessment(policy(undefined))).toBe(false);
  });

  it('settles on a configuration failure but waits out an unavailable source', () => {
    const invalid = policy({ conditions: [ready('False', 'InvalidSpec')] });
    expect(configurationFailure(invalid)).toBe('InvalidSpec: m');
    expect(isSettled(invalid)).toBe(true);
    const sourceDown = policy({ conditions: [ready('False', 'MetricsUnavailable')] });
    expect(configurationFailure(sourceDown)).toBeUndefined();
    expect(isSettled(sourceDown)).toBe(false);
    // A failure reported for an older generation says nothing about the current spec.
    expect(isSettled(policy({ conditions: [ready('False', 'InvalidSpec', 1)] }))).toBe(false);
  });
});
