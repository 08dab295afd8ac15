// The rendered chart against a real kube-apiserver: every variant passes a server-side dry run (schema,
// defaulting, admission), and an installed release's ServiceAccounts can do exactly what their roles
// allow — asked of the API server's own authoriser with `kubectl auth can-i`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { kubectlPath, testKubeconfigPath } from '../../../hack/testenv/env.js';
import { chartDir, helm, parseManifests, renderYaml, setArgs, variants } from './chart-render.js';

// Applying CRDs and waiting for them to be Established takes a few seconds.
jest.setTimeout(120_000);

const run = promisify(execFile);
const NAMESPACE = 'carbon-chart-test';
const RELEASE = 'cak-it';

function kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const child = run(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    maxBuffer: 32 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return child;
}

async function canI(serviceAccount: string, args: string[]): Promise<boolean> {
  const as = `--as=system:serviceaccount:${NAMESPACE}:${serviceAccount}`;
  try {
    const { stdout } = await kubectl(['auth', 'can-i', as, ...args]);
    return stdout.trim() === 'yes';
  } catch (e) {
    const stdout = (e as { stdout?: string }).stdout?.trim();
    if (stdout === 'no') return false;
    throw e;
  }
}

describe('chart on a real API server', () => {
  beforeAll(async () => {
    // The CRD first (as Helm does from crds/), then the namespaces the chart's objects live in.
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(chartDir, 'crds')]);
    await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(chartDir, 'tests', 'fixtures', 'servicemonitor-crd.yaml'),
    ]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/carboncompliancepolicies.carbon-aware.dev',
      'crd/servicemonitors.monitoring.coreos.com',
    ]);
    const namespaces = [NAMESPACE, 'kepler', 'apps']
      .map((name) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`)
      .join('---\n');
    await kubectl(['apply', '-f', '-'], namespaces);
  });

  afterAll(async () => {
    await helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--kubeconfig', testKubeconfigPath()]).catch(
      () => undefined,
    );
  });

  it.each(Object.keys(variants))('accepts every object of "%s" in a server-side dry run', async (name) => {
    const text = await renderYaml(variants[name], { namespace: NAMESPACE, release: 'dry' });
    const manifests = parseManifests(text);
    const { stdout } = await kubectl(['apply', '--dry-run=server', '-f', '-'], text).catch(
      (e: { stderr?: string }) => {
        throw new Error(`server-side dry run of "${name}" failed: ${e.stderr ?? String(e)}`);
      },
    );
    const accepted = stdout.split('\n').filter((line) => /\(server dry run\)$/.test(line));
    expect(accepted).toHaveLength(manifests.length);
  });

  it('installs for real; the ServiceAccounts get exactly their rights; upgrade keeps the MCP token, kubernetes auth adds reviews', async () => {
    const kubeconfig = ['--kubeconfig', testKubeconfigPath(), '--namespace', NAMESPACE];
    await helm(['install', RELEASE, chartDir, ...kubeconfig]).catch((e: { stderr?: string }) => {
      throw new Error(`helm install failed: ${e.stderr ?? String(e)}`);
    });
    const operator = `${RELEASE}-carbon-aware-kepler-operator`;
    const mcp = `${RELEASE}-carbon-aware-kepler-mcp`;

    const expectations: Array<[string, string[], boolean]> = [
      // operator: what operator/README.md lists ...
      [operator, ['list', 'pods', '--all-namespaces'], true],
      [operator, ['watch', 'pods', '--all-namespaces'], true],
      [operator, ['watch', 'carboncompliancepolicies.carbon-aware.dev', '--all-namespaces'], true],
      [
        operator,
        ['patch', 'carboncompliancepolicies.carbon-aware.dev', '--subresource=status', '-n', 'apps'],
        true,
      ],
      [operator, ['get', 'replicasets.apps', '-n', 'apps'], true],
      [operator, ['get', 'jobs.batch', '-n', 'apps'], true],
      [operator, ['create', 'events', '-n', 'apps'], true],
      [operator, ['list', 'endpointslices.discovery.k8s.io', '-n', 'kepler'], true],
      [operator, ['create', 'leases.coordination.k8s.io', '-n', NAMESPACE], true],
      [operator, ['update', 'leases.coordination.k8s.io/carbon-aware-operator', '-n', NAMESPACE], true],
      // ... and nothing more.
      [operator, ['update', 'carboncompliancepolicies.carbon-aware.dev', '-n', 'apps'], false],
      [operator, ['create', 'carboncompliancepolicies.carbon-aware.dev', '-n', 'apps'], false],
      [operator, ['delete', 'pods', '-n', 'apps'], false],
      [operator, ['get', 'secrets', '-n', NAMESPACE], false],
      [operator, ['list', 'replicasets.apps', '-n', 'apps'], false],
      [operator, ['list', 'endpointslices.discovery.k8s.io', '-n', 'apps'], false],
      [operator, ['update', 'leases.coordination.k8s.io/someone-elses-lease', '-n', NAMESPACE], false],
      [operator, ['create', 'leases.coordination.k8s.io', '-n', 'apps'], false],
      // MCP server (token mode): reads policies, writes nothing, reviews nothing.
      [mcp, ['list', 'carboncompliancepolicies.carbon-aware.dev', '--all-namespaces'], true],
      [mcp, ['create', 'subjectaccessreviews.authorization.k8s.io'], false],
      [mcp, ['create', 'tokenreviews.authentication.k8s.io'], false],
      [
        mcp,
        ['patch', 'carboncompliancepolicies.carbon-aware.dev', '--subresource=status', '-n', 'apps'],
        false,
      ],
      [mcp, ['delete', 'carboncompliancepolicies.carbon-aware.dev', '-n', 'apps'], false],
      [mcp, ['list', 'pods', '--all-namespaces'], false],
      [mcp, ['get', 'secrets', '-n', NAMESPACE], false],
    ];
    const wrong: string[] = [];
    for (const [account, args, allowed] of expectations) {
      if ((await canI(account, args)) !== allowed)
        wrong.push(`${account} ${args.join(' ')}: expected ${allowed ? 'yes' : 'no'}`);
    }
    expect(wrong).toEqual([]);
    // Usage for right-sizing from metrics.k8s.io (the default without a Prometheus). The group is not
    // served here, so `kubectl auth can-i` cannot resolve it: ask with a SubjectAccessReview instead.
    const metricsAccess = async (verb: string, resource: string, namespace?: string) => {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${NAMESPACE}:${operator}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`],
          resourceAttributes: {
            verb,
            group: 'metrics.k8s.io',
            resource,
            ...(namespace ? { namespace } : {}),
          },
        },
      };
      const { stdout } = await kubectl(
        ['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'],
        JSON.stringify(review),
      );
      return stdout.trim() === 'true';
    };
    expect(await metricsAccess('list', 'pods', 'apps')).toBe(true);
    expect(await metricsAccess('list', 'nodes')).toBe(false);
    expect(await metricsAccess('get', 'pods', 'apps')).toBe(false);

    const secret = `${mcp}-token`;
    const readToken = async () =>
      (await kubectl(['get', 'secret', secret, '-n', NAMESPACE, '-o', 'jsonpath={.data.token}'])).stdout;
    const before = await readToken();
    expect(Buffer.from(before, 'base64').toString()).toMatch(/^[A-Za-z0-9]{48}$/);
    await helm(['upgrade', RELEASE, chartDir, ...kubeconfig, ...setArgs({ 'operator.replicas': 3 })]);
    expect(await readToken()).toBe(before);
    const { stdout: replicas } = await kubectl([
      'get',
      'deploy',
      operator,
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    expect(replicas).toBe('3');

    // Switching the MCP server to Kubernetes tokens grants it token and access reviews, and drops the shared token.
    await helm(['upgrade', RELEASE, chartDir, ...kubeconfig, ...setArgs({ 'mcp.auth.mode': 'kubernetes' })]);
    expect(await canI(mcp, ['create', 'tokenreviews.authentication.k8s.io'])).toBe(true);
    expect(await canI(mcp, ['create', 'subjectaccessreviews.authorization.k8s.io'])).toBe(true);
    expect(await canI(mcp, ['list', 'pods', '--all-namespaces'])).toBe(false);
    await expect(readToken()).rejects.toMatchObject({ stderr: expect.stringContaining('NotFound') });
  }, 120_000);
});
