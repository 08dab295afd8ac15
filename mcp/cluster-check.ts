// `carbon-mcp --check`: what a user runs when Claude Desktop says the cluster cannot be read.
// Verifies, in order, the kubeconfig, the connection to the API server, the permissions the server
// needs (SelfSubjectAccessReviews for list and watch on policies in all namespaces) and that the
// CRD is served, and prints one line per check with what to fix. Exit code 0 only if all pass.
import { AuthorizationV1Api, CustomObjectsApi, VersionApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../operator/public-api.js';
import { describeClusterAccessError } from './status/cluster-access-error.js';
import { resolveKubeConfig, type KubeconfigEnvironment } from './status/kubeconfig-loader.js';

export interface CheckLine {
  ok: boolean;
  check: string;
  detail: string;
}

const CHECK_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what}: no answer in ${CHECK_TIMEOUT_MS / 1000} s`) as Error & {
        code: string;
      };
      error.code = 'ETIMEDOUT';
      reject(error);
    }, CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the checks; stops at the first one that makes the rest meaningless. */
export async function checkClusterAccess(environment?: KubeconfigEnvironment): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const found = resolveKubeConfig(environment);
  if (!found.ok) {
    lines.push({ ok: false, check: 'kubeconfig', detail: found.problem });
    return lines;
  }
  lines.push({
    ok: true,
    check: 'kubeconfig',
    detail: `${found.origin} (context "${found.context}", user "${found.user}", server ${found.server})`,
  });
  const kc = found.kubeConfig;
  try {
    const version = await withTimeout(kc.makeApiClient(VersionApi).getCode(), 'GET /version');
    lines.push({
      ok: true,
      check: 'API server',
      detail: `${found.server} answers: Kubernetes ${version.gitVersion}`,
    });
  } catch (error) {
    lines.push({ ok: false, check: 'API server', detail: describeClusterAccessError(error, found.server) });
    return lines;
  }
  const authorization = kc.makeApiClient(AuthorizationV1Api);
  let allowed = true;
  for (const verb of ['list', 'watch']) {
    try {
      const review = await withTimeout(
        authorization.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { group: GROUP, resource: PLURAL, verb } },
          },
        }),
        'SelfSubjectAccessReview',
      );
      const granted = review.status?.allowed === true;
      allowed &&= granted;
      lines.push({
        ok: granted,
        check: 'RBAC',
        detail: granted
          ? `${verb} ${PLURAL}.${GROUP} in all namespaces: allowed`
          : `${verb} ${PLURAL}.${GROUP} in all namespaces: denied for user "${found.user}"` +
            (review.status?.reason ? ` (${review.status.reason})` : '') +
            `. Bind a ClusterRole granting get, list and watch on ${PLURAL} in group ${GROUP} ` +
            '(the chart installs one for its service account; for yourself ask a cluster admin).',
      });
    } catch (error) {
      allowed = false;
      lines.push({ ok: false, check: 'RBAC', detail: describeClusterAccessError(error, found.server) });
    }
  }
  if (!allowed) return lines;
  try {
    const list = (await withTimeout(
      kc
        .makeApiClient(CustomObjectsApi)
        .listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, limit: 500 }),
      'list policies',
    )) as { items?: unknown[]; metadata?: { continue?: string } };
    const count = list.items?.length ?? 0;
    lines.push({
      ok: true,
      check: 'CRD',
      detail: `${PLURAL}.${GROUP}/${VERSION} is served; ${count}${list.metadata?.continue ? '+' : ''} policies visible`,
    });
  } catch (error) {
    lines.push({ ok: false, check: 'CRD', detail: describeClusterAccessError(error, found.server) });
  }
  return lines;
}

export function formatCheck(lines: readonly CheckLine[]): string {
  const body = lines.map((l) => `${l.ok ? 'ok  ' : 'FAIL'}  ${l.check}: ${l.detail}`).join('\n');
  const verdict = lines.every((l) => l.ok)
    ? 'All checks passed: carbon-mcp can read CarbonCompliancePolicy status.'
    : 'Fix the FAIL line above, then run carbon-mcp --check again.';
  return `${body}\n${verdict}\n`;
}
