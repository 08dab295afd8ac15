// carbon-kepler --kubeconfig against the real kube-apiserver: owners resolved as the operator
// resolves them (a DaemonSet pod is a DaemonSet, not the ambiguous Job-or-DaemonSet of its name),
// and a pod Kepler shows only in container-level series (pod UID, no name) named from the cluster.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import type { WorkloadAssessment } from '../domain/types.js';
import { cliAt } from '../../hack/testenv/cli-in-process.js';

const NS = 'cli-owners';
const AT = '2026-05-04T10:00:00Z';
const client = new KubeRestClient(testKubeConfig());
const container = [{ name: 'c', image: 'registry.invalid/agent:1' }];
let dir: string;
let agentUid: string;
let looseUid: string;

const cli = cliAt(AT);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-kepler-cluster-'));
  await client.create('/api/v1/namespaces', { metadata: { name: NS } });
  // No controller-manager runs: the DaemonSet creates no pods, the test creates one owned by it.
  const ds = await client.create<{ metadata: { uid: string } }>(`/apis/apps/v1/namespaces/${NS}/daemonsets`, {
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: container } },
    },
  });
  const agent = await client.create<{ metadata: { uid: string } }>(`/api/v1/namespaces/${NS}/pods`, {
    metadata: {
      name: 'agent-h7k2p',
      labels: { app: 'agent' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true },
      ],
    },
    spec: { containers: container },
  });
  agentUid = agent.metadata.uid;
  const loose = await client.create<{ metadata: { uid: string } }>(`/api/v1/namespaces/${NS}/pods`, {
    metadata: { name: 'loose' },
    spec: { containers: container },
  });
  looseUid = loose.metadata.uid;
});

afterAll(async () => {
  await client.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('carbon-kepler --kubeconfig', () => {
  it('resolves owners from the cluster and names pods known only by UID', async () => {
    const scrape = join(dir, 'kepler.prom');
    writeFileSync(
      scrape,
      'kepler_build_info{version="v0.11.4"} 1\n' +
        `kepler_pod_cpu_watts{node_name="n1",pod_id="${agentUid}",pod_name="agent-h7k2p",pod_namespace="${NS}",state="running",zone="package"} 3\n` +
        // Container level only (Kepler with --metrics=container): the pod UID and no pod name.
        `kepler_container_cpu_watts{container_id="77aa",container_name="c",node_name="n1",pod_id="${looseUid}",runtime="containerd",state="running",zone="package"} 6\n`,
    );
    const argv = [
      'assess',
      '--metrics',
      `${scrape}@${AT}`,
      '--all',
      '--namespace',
      NS,
      '--grid-intensity',
      '436',
      '--pue',
      '1.17',
      '--lang',
      'en',
      '--output',
      'json',
    ];

    const without = await cli(...argv);
    expect(without.stderr).toMatch(
      new RegExp(`1 pod\\(s\\) appear only in Kepler's container-level series.*${looseUid}`),
    );
    const guessed = JSON.parse(without.stdout) as WorkloadAssessment[];
    expect(guessed.map((a) => [a.workload, a.kind, a.kind_ambiguous])).toEqual([
      ['agent', 'Job', ['Job', 'DaemonSet']],
    ]);

    const withCluster = await cli(...argv, '--kubeconfig', testKubeconfigPath());
    expect(withCluster.stderr).toBe('');
    const list = JSON.parse(withCluster.stdout) as WorkloadAssessment[];
    expect(list.map((a) => [a.workload, a.kind, a.kind_ambiguous])).toEqual([
      ['agent', 'DaemonSet', undefined],
      ['loose', 'Pod', undefined],
    ]);
    // 6 W held for the hour before the scrape.
    expect(list.find((a) => a.workload === 'loose')!.energy_kWh).toBeCloseTo(0.006, 9);
    expect(withCluster.code).toBe(1);
  });

  it('a kubeconfig that cannot list pods is bad input naming the flag (exit 2)', async () => {
    const broken = join(dir, 'broken-kubeconfig');
    writeFileSync(broken, 'not: [a kubeconfig');
    const r = await cli(
      'assess',
      '--metrics',
      `${join(dir, 'kepler.prom')}@${AT}`,
      '--all',
      '--kubeconfig',
      broken,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kubeconfig/);
  });
});
