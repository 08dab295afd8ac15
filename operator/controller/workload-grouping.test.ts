import { matchesSelector, selectorToString } from '../kube/label-selector.js';
import { toPodView, type OwnerReference, type PodView } from '../kube/pod-view.js';
import { parseQuantity } from '../kube/resource-quantity.js';
import { StaticOwnerLookup, groupByWorkload, selectPods, topOwner } from './workload-grouping.js';

function pod(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  owner?: OwnerReference,
): PodView {
  return toPodView({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, ownerReferences: owner ? [owner] : undefined },
  } as never);
}

const rs = (name: string): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name,
  controller: true,
});
const job = (name: string): OwnerReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name,
  controller: true,
});

const lookup = new StaticOwnerLookup(
  new Map([
    [
      StaticOwnerLookup.key('ReplicaSet', 'prod', 'web-app-7d9f'),
      [{ kind: 'Deployment', name: 'web-app', controller: true }],
    ],
    [
      StaticOwnerLookup.key('ReplicaSet', 'prod', 'web-app-5c2a'),
      [{ kind: 'Deployment', name: 'web-app', controller: true }],
    ],
    [StaticOwnerLookup.key('ReplicaSet', 'prod', 'orphan-rs'), []],
    [
      StaticOwnerLookup.key('Job', 'ai', 'train-28391'),
      [{ kind: 'CronJob', name: 'train', controller: true }],
    ],
    [StaticOwnerLookup.key('Job', 'ai', 'one-off'), []],
  ]),
);

describe('label selectors', () => {
  const labels = { app: 'web-app', tier: 'frontend' };
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web-app' } }, true],
    [{ matchLabels: { app: 'web-app', tier: 'api' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['frontend', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['frontend'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn' as const, values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' as const }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'In' as const, values: ['x'] }] }, false],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  it('renders the query syntax', () => {
    expect(
      selectorToString({
        matchLabels: { app: 'a' },
        matchExpressions: [
          { key: 't', operator: 'In', values: ['x', 'y'] },
          { key: 'g', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=a,t in (x,y),!g');
  });
});

describe('resource quantities', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['128Mi', 134217728],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['abc', undefined],
    ['5 cores', undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it('sums container requests into the pod view', () => {
    const view = toPodView({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', managedFields: [{ manager: 'x' }] },
      spec: {
        nodeName: 'node-1',
        containers: [
          { resources: { requests: { cpu: '250m', memory: '64Mi' } } },
          { resources: { requests: { cpu: '1' } } },
          {},
        ],
      },
    } as never);
    expect(view.spec).toEqual({
      nodeName: 'node-1',
      cpuRequest_cores: 1.25,
      memoryRequest_bytes: 64 * 2 ** 20,
    });
    expect(JSON.stringify(view)).not.toContain('managedFields');
  });
});

describe('workload grouping', () => {
  it('resolves top owners through ReplicaSets and Jobs', async () => {
    await expect(topOwner(pod('w1', 'prod', {}, rs('web-app-7d9f')), lookup)).resolves.toEqual({
      kind: 'Deployment',
      name: 'web-app',
    });
    await expect(topOwner(pod('t1', 'ai', {}, job('train-28391')), lookup)).resolves.toEqual({
      kind: 'CronJob',
      name: 'train',
    });
    await expect(topOwner(pod('o1', 'ai', {}, job('one-off')), lookup)).resolves.toEqual({
      kind: 'Job',
      name: 'one-off',
    });
    await expect(topOwner(pod('r1', 'prod', {}, rs('orphan-rs')), lookup)).resolves.toEqual({
      kind: 'ReplicaSet',
      name: 'orphan-rs',
    });
    // A ReplicaSet that is gone (lookup returns undefined) stands for itself.
    await expect(topOwner(pod('g1', 'prod', {}, rs('deleted-rs')), lookup)).resolves.toEqual({
      kind: 'ReplicaSet',
      name: 'deleted-rs',
    });
    await expect(
      topOwner(pod('db-0', 'prod', {}, { kind: 'StatefulSet', name: 'db', controller: true }), lookup),
    ).resolves.toEqual({ kind: 'StatefulSet', name: 'db' });
    await expect(
      topOwner(pod('agent-x', 'prod', {}, { kind: 'DaemonSet', name: 'agent', controller: true }), lookup),
    ).resolves.toEqual({ kind: 'DaemonSet', name: 'agent' });
    await expect(topOwner(pod('bare', 'prod', {}), lookup)).resolves.toEqual({ kind: 'Pod', name: 'bare' });
    await expect(
      topOwner(
        pod('static-node1', 'kube-system', {}, { kind: 'Node', name: 'node1', controller: true }),
        lookup,
      ),
    ).resolves.toEqual({ kind: 'Pod', name: 'static-node1' });
  });

  it('selects pods in the policy namespace only and groups two ReplicaSet generations into one Deployment', async () => {
    const pods = [
      pod('web-app-7d9f-a', 'prod', { app: 'web-app' }, rs('web-app-7d9f')),
      pod('web-app-7d9f-b', 'prod', { app: 'web-app' }, rs('web-app-7d9f')),
      pod('web-app-5c2a-c', 'prod', { app: 'web-app' }, rs('web-app-5c2a')),
      pod('web-app-other-ns', 'staging', { app: 'web-app' }, rs('web-app-7d9f')),
      pod('db-0', 'prod', { app: 'db' }, { kind: 'StatefulSet', name: 'db', controller: true }),
      pod('debug', 'prod', { app: 'web-app' }),
    ];
    const selected = selectPods(pods, 'prod', { matchLabels: { app: 'web-app' } });
    expect(selected.map((p) => p.metadata.name)).toEqual([
      'web-app-7d9f-a',
      'web-app-7d9f-b',
      'web-app-5c2a-c',
      'debug',
    ]);
    const workloads = await groupByWorkload(selected, lookup);
    expect(workloads.map((w) => [w.key, w.kind, w.pods.length])).toEqual([
      ['Deployment/web-app', 'Deployment', 3],
      ['Pod/debug', 'Pod', 1],
    ]);
  });
});
