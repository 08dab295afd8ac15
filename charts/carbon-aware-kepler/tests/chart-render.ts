// Renders the chart with the test helm binary and parses the manifests, for the chart tests.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { helmPath } from '../../../hack/testenv/env.js';

const run = promisify(execFile);

export const chartDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(chartDir, '..', '..');

/** The Kubernetes version the test API server runs; helm's own default (built from source) is too old for kubeVersion. */
export const kubeVersion = '1.34.0';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

// helm writes its cache and config under HOME unless told otherwise; keep that out of the user's home.
const helmHome = mkdtempSync(join(tmpdir(), 'carbon-chart-helm-'));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
};

export async function helm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(helmPath(), args, { env: helmEnv, maxBuffer: 32 * 1024 * 1024 });
}

/** `--set` pairs as helm arguments. */
export function setArgs(values: Record<string, string | number | boolean>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]);
}

/**
 * `helm template` has no cluster to read a generated MCP token back from, so the chart requires a
 * named Secret there (templates/mcp-token-secret.yaml); renders use this one unless told otherwise.
 */
const TEMPLATE_TOKEN_SECRET = 'carbon-mcp-token';

export async function renderYaml(
  values: Record<string, string | number | boolean> = {},
  options: { release?: string; namespace?: string } = {},
): Promise<string> {
  const { stdout } = await helm([
    'template',
    options.release ?? 'carbon',
    chartDir,
    '--namespace',
    options.namespace ?? 'carbon-system',
    '--kube-version',
    kubeVersion,
    ...setArgs({ 'mcp.auth.existingSecret': TEMPLATE_TOKEN_SECRET, ...values }),
  ]);
  return stdout;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS({ maxAliasCount: -1 }) as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}

export async function render(
  values: Record<string, string | number | boolean> = {},
  options: { release?: string; namespace?: string } = {},
): Promise<Manifest[]> {
  return parseManifests(await renderYaml(values, options));
}

export function find(manifests: Manifest[], kind: string, nameSuffix: string): Manifest {
  const hit = manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(nameSuffix));
  if (!hit) {
    const have = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`no ${kind} named *${nameSuffix} in the rendered chart (have: ${have})`);
  }
  return hit;
}

/** Notable value sets each render and dry-run test covers. */
export const variants: Record<string, Record<string, string | number | boolean>> = {
  defaults: {},
  'prometheus mode with CA and token': {
    'metricsSource.mode': 'prometheus',
    'metricsSource.prometheus.url': 'https://prometheus.monitoring.svc:9090',
    'metricsSource.prometheus.caSecret.name': 'prometheus-ca',
    'metricsSource.prometheus.tokenSecret.name': 'prometheus-token',
  },
  'kepler static HTTPS endpoints with CA, client cert and token secret': {
    'metricsSource.kepler.discovery.enabled': false,
    'metricsSource.kepler.endpoints[0]': 'https://node-a.example:28282/metrics',
    'metricsSource.kepler.endpoints[1]': 'https://node-b.example:28282/metrics',
    'metricsSource.kepler.scheme': 'https',
    'metricsSource.kepler.tls.caSecret.name': 'kepler-ca',
    'metricsSource.kepler.tls.clientCertSecret.name': 'kepler-client',
    'metricsSource.kepler.bearerToken.secret.name': 'kepler-token',
  },
  'NodePort, NetworkPolicy and ServiceMonitor': {
    'mcp.service.type': 'NodePort',
    'networkPolicy.enabled': true,
    'serviceMonitor.enabled': true,
  },
  'live grid data from Electricity Maps with a token Secret': {
    'gridData.electricityMaps.enabled': true,
    'gridData.electricityMaps.tokenSecret.name': 'electricity-maps',
    'gridData.electricityMaps.zones[0]': 'KR',
    'networkPolicy.enabled': true,
  },
  'CCF estimate for nodes without Kepler readings': {
    'metricsSource.estimateUnmeasuredPower': true,
  },
  'kubernetes auth for the MCP server': {
    'mcp.auth.mode': 'kubernetes',
  },
  'CronJob schedule actions enabled': {
    'operator.actions.enabled': true,
  },
  'one namespace watched, single replicas, no MCP': {
    'operator.watchNamespace': 'apps',
    'operator.replicas': 1,
    'mcp.enabled': false,
  },
};
