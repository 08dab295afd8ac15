import { describe, expect, it } from '@jest/globals';
import { ownerOfPodName, podBelongsTo } from './workload-names.js';

describe('pod names → workloads', () => {
  it.each([
    ['web-7d9f8b6c5-x2k4p', 'web', 'Deployment'],
    ['ml-training-job-6b8f9c7d4-q2w5z', 'ml-training-job', 'Deployment'],
    ['batch-28391-qz7lm', 'batch', 'CronJob'],
    ['nightly-backup-29411280-7xk2p', 'nightly-backup', 'CronJob'],

    ['prometheus-k8s-0', 'prometheus-k8s', 'StatefulSet'],
    ['db-12', 'db', 'StatefulSet'],
    ['standalone', 'standalone', 'Pod'],
    ['etcd-kind-control-plane', 'etcd-kind-control-plane', 'Pod'],
    // Real pod from the Kepler 0.7 fixture: the 58-character prefix ends inside the template hash.
    [
      'nvidia-gpu-operator-node-feature-discovery-master-56b4c7457xj87',
      'nvidia-gpu-operator-node-feature-discovery-master',
      'Deployment',
    ],
  ])('%s → %s (%s)', (pod, workload, kind) => {
    expect(ownerOfPodName(pod)).toEqual({ workload, kind });
  });

  it.each([
    // A Job and a DaemonSet both name their pods NAME-<5 random>.
    ['migrate-h7k2p', 'migrate', 'Job', ['Job', 'DaemonSet']],
    ['kepler-q8x2m', 'kepler', 'Job', ['Job', 'DaemonSet']],
    // A template hash drawn only from the digits of the safe alphabet looks like a CronJob's minutes.
    ['web-5867945-x2k4p', 'web', 'CronJob', ['CronJob', 'Deployment']],
  ])('%s → %s, ambiguous between %s and the others', (pod, workload, kind, ambiguous) => {
    expect(ownerOfPodName(pod)).toEqual({ workload, kind, ambiguous });
  });

  it('matches a workload name against its pods and not against look-alikes', () => {
    expect(podBelongsTo('web-7d9f8b6c5-x2k4p', 'web')).toBe('Deployment');
    expect(podBelongsTo('web', 'web')).toBe('Pod');
    expect(podBelongsTo('web-0', 'web')).toBe('StatefulSet');
    expect(podBelongsTo('webapp-7d9f8b6c5-x2k4p', 'web')).toBeNull();
    // `web-api-…` is workload web-api, not a pod of web.
    expect(podBelongsTo('web-api-7d9f8b6c5-x2k4p', 'web')).toBeNull();
    expect(podBelongsTo('web-api-7d9f8b6c5-x2k4p', 'web-api')).toBe('Deployment');
  });
});
