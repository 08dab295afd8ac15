// What the chart gives the people who install and use it: a token that does not rotate when the
// chart is rendered without a cluster (helm template, Argo CD), ClusterRoles aggregated into the
// built-in view/edit/admin roles, ServiceMonitors for both servers, Artifact Hub metadata with an
// icon, and a packaged chart without its tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { parse } from 'yaml';
import { kubectlPath, testKubeconfigPath } from '../../../hack/testenv/env.js';
import {
  chartDir,
  find,
  helm,
  kubeVersion,
  parseManifests,
  render,
  renderYaml,
  setArgs,
} from './chart-render.js';

jest.setTimeout(120_000);
const run = promisify(execFile);
const NAMESPACE = 'carbon-chart-users';

function kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const child = run(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args]);
  if (input !== undefined) child.child.stdin!.end(input);
  return child;
}

async function canI(user: string, args: string[]): Promise<boolean> {
  try {
    return (await kubectl(['auth', 'can-i', `--as=${user}`, ...args])).stdout.trim() === 'yes';
  } catch (e) {
    if ((e as { stdout?: string }).stdout?.trim() === 'no') return false;
    throw e;
  }
}

const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('the chart for its users', () => {
  it('refuses to invent an MCP token under helm template, naming mcp.auth.existingSecret', async () => {
    const failure = await helm([
      'template',
      'carbon',
      chartDir,
      '--kube-version',
      kubeVersion,
      '--namespace',
      NAMESPACE,
    ]).then(
      () => undefined,
      (e: { stderr?: string }) => e.stderr ?? String(e),
    );
    expect(failure).toContain(
      'mcp.auth.existingSecret is required when the chart is rendered without cluster access',
    );
    expect(failure).toContain('kubectl -n <namespace> create secret generic carbon-mcp-token');
  });

  it('helm template twice gives the same manifests and the same token Secret reference', async () => {
    const values = { 'mcp.auth.existingSecret': 'team-mcp-token' };
    const first = await renderYaml(values);
    const second = await renderYaml(values);
    expect(second).toBe(first);
    const manifests = parseManifests(first);
    expect(manifests.some((m) => m.kind === 'Secret')).toBe(false);
    const mcp = find(manifests, 'Deployment', '-mcp') as any;
    const volume = mcp.spec.template.spec.volumes.find((v: any) => v.secret);
    expect(volume.secret.secretName).toBe('team-mcp-token');
    // kubernetes auth needs no shared token, so no Secret is required there.
    await expect(
      helm([
        'template',
        'carbon',
        chartDir,
        '--kube-version',
        kubeVersion,
        ...setArgs({ 'mcp.auth.mode': 'kubernetes' }),
      ]),
    ).resolves.toBeDefined();
  });

  it('aggregates read access into view and write access into edit and admin; status stays read-only', async () => {
    const m = await render();
    const view = find(m, 'ClusterRole', '-policies-view') as any;
    const edit = find(m, 'ClusterRole', '-policies-edit') as any;
    expect(view.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(edit.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view']).toBeUndefined();
    expect(edit.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(JSON.stringify(edit.rules)).not.toContain('status');
    const off = await render({ 'rbac.aggregateToDefaultRoles': false });
    expect(off.filter((x) => x.metadata.name.includes('-policies-'))).toEqual([]);
  });

  it('on the real API server: a view holder reads policies only, an edit holder also writes them, neither writes status', async () => {
    // The test control plane runs no kube-controller-manager, so the aggregation into view/edit/admin
    // (Kubernetes' own controller) is not exercised here: the roles are bound directly, as the
    // aggregation would merge them.
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(chartDir, 'crds')]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/carboncompliancepolicies.carbon-aware.dev',
    ]);
    const roles = (await render()).filter((x) => x.metadata.name.includes('-policies-'));
    await kubectl(['apply', '-f', '-'], list(roles));
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }),
    );
    const bind = (user: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${user}-${role}`, namespace: NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    });
    const viewRole = roles.find((r) => r.metadata.name.endsWith('-policies-view'))!.metadata.name;
    const editRole = roles.find((r) => r.metadata.name.endsWith('-policies-edit'))!.metadata.name;
    await kubectl(
      ['apply', '-f', '-'],
      list([bind('ana', viewRole), bind('eun', viewRole), bind('eun', editRole)]),
    );
    const policies = 'carboncompliancepolicies.carbon-aware.dev';
    const answers = {
      viewList: await canI('ana', ['list', policies, '-n', NAMESPACE]),
      viewStatus: await canI('ana', ['get', policies, '--subresource=status', '-n', NAMESPACE]),
      viewCreate: await canI('ana', ['create', policies, '-n', NAMESPACE]),
      viewOtherNamespace: await canI('ana', ['list', policies, '-n', 'default']),
      editCreate: await canI('eun', ['create', policies, '-n', NAMESPACE]),
      editDelete: await canI('eun', ['delete', policies, '-n', NAMESPACE]),
      editPatchStatus: await canI('eun', ['patch', policies, '--subresource=status', '-n', NAMESPACE]),
    };
    expect(answers).toEqual({
      viewList: true,
      viewStatus: true,
      viewCreate: false,
      viewOtherNamespace: false,
      editCreate: true,
      editDelete: true,
      editPatchStatus: false,
    });
  });

  it('renders a ServiceMonitor for the MCP server beside the operator one', async () => {
    const m = await render({ 'serviceMonitor.enabled': true });
    const operator = find(m, 'ServiceMonitor', '-operator') as any;
    const mcp = find(m, 'ServiceMonitor', '-mcp') as any;
    expect(operator.spec.endpoints[0]).toMatchObject({ port: 'http-metrics', path: '/metrics' });
    expect(mcp.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    const service = find(m, 'Service', '-mcp') as any;
    for (const [k, v] of Object.entries(mcp.spec.selector.matchLabels))
      expect(service.metadata.labels[k]).toBe(v);
    expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
    const noMcp = await render({ 'serviceMonitor.enabled': true, 'mcp.enabled': false });
    expect(noMcp.filter((x) => x.kind === 'ServiceMonitor').map((x) => x.metadata.name)).toEqual([
      operator.metadata.name,
    ]);
  });

  it('carries Artifact Hub metadata (images, CRDs with an example, licence, changes) and an icon', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as any;
    const annotations = chart.annotations as Record<string, string>;
    expect(annotations['artifacthub.io/license']).toBe('Apache-2.0');
    const images = parse(annotations['artifacthub.io/images']!) as Array<{ image: string }>;
    expect(images.map((i) => i.image)).toEqual([`carbon-aware-kepler:${chart.appVersion}`]);
    const crd = parse(
      readFileSync(join(chartDir, 'crds', 'carbon-aware.dev_carboncompliancepolicies.yaml'), 'utf8'),
    ) as any;
    const crds = parse(annotations['artifacthub.io/crds']!) as Array<Record<string, string>>;
    expect(crds).toEqual([
      expect.objectContaining({
        kind: crd.spec.names.kind,
        version: crd.spec.versions[0].name,
        name: crd.metadata.name,
      }),
    ]);
    const examples = parse(annotations['artifacthub.io/crdsExamples']!) as Array<Record<string, unknown>>;
    expect(examples[0]).toMatchObject({
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
    });
    const changes = parse(annotations['artifacthub.io/changes']!) as Array<{
      kind: string;
      description: string;
    }>;
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes)
      expect(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security']).toContain(change.kind);
    expect(chart.icon).toMatch(/^https:\/\/.*\/charts\/carbon-aware-kepler\/icon\.svg$/);
    expect(readFileSync(join(chartDir, 'icon.svg'), 'utf8')).toContain('<title>Carbon-Aware Kepler</title>');
  });

  it('helm package leaves the tests out (.helmignore)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'carbon-chart-package-'));
    try {
      await helm(['package', chartDir, '--destination', out]);
      const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { version: string };
      const { stdout } = await run('tar', ['-tzf', join(out, `carbon-aware-kepler-${chart.version}.tgz`)]);
      const files = stdout.trim().split('\n');
      expect(files).toContain('carbon-aware-kepler/templates/mcp-deployment.yaml');
      expect(files).toContain('carbon-aware-kepler/crds/carbon-aware.dev_carboncompliancepolicies.yaml');
      expect(files.filter((f) => /\/tests\/|\.ts$/.test(f))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
