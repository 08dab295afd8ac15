// Turns whatever client-node or fetch threw while talking to the API server into one sentence a
// user can act on: the cause (refused, DNS, TLS, 401, 403, 404, exec credential plugin) and what to
// check. Used by the policy watch (tool answers while the cluster is unreachable) and --check.
import { GROUP, PLURAL } from '../../operator/public-api.js';

interface ErrorLike {
  message?: string;
  code?: unknown;
  statusCode?: unknown;
  cause?: unknown;
  body?: unknown;
}

function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

function httpStatus(chain: ErrorLike[]): number | undefined {
  for (const e of chain) {
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

function systemCode(chain: ErrorLike[]): string | undefined {
  for (const e of chain) if (typeof e.code === 'string') return e.code;
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** The cause and the fix, in one or two sentences. `server` is the API server address. */
export function describeClusterAccessError(error: unknown, server: string): string {
  const chain = causeChain(error);
  const status = httpStatus(chain);
  const code = systemCode(chain);
  const detail = chain
    .map((e) => (e.message ? firstLine(e.message) : ''))
    .filter(Boolean)
    .join(': ');
  if (status === 401) {
    return (
      `the API server ${server} rejected the credentials (401 Unauthorized): the token or client ` +
      'certificate in the kubeconfig has expired or is wrong. Log in again (e.g. refresh your cloud CLI session).'
    );
  }
  if (status === 403) {
    return (
      `the API server ${server} refused to list ${PLURAL}.${GROUP} (403 Forbidden): the kubeconfig's ` +
      `identity needs list and watch on ${PLURAL} in group ${GROUP} across namespaces ` +
      '(the chart gives the MCP service account this; for a user, ask for a ClusterRole binding).'
    );
  }
  if (status === 404) {
    return (
      `the API server ${server} does not serve ${PLURAL}.${GROUP} (404): the CarbonCompliancePolicy ` +
      'CRD is not installed. Install the chart, or `kubectl apply -f crds/`.'
    );
  }
  if (status !== undefined) return `the API server ${server} answered HTTP ${status}: ${detail}`;
  if (code === 'ECONNREFUSED')
    return `nothing listens at ${server} (connection refused): is the cluster running, and is this the right address?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `the API server name in ${server} does not resolve (${code}): check the address, DNS and VPN.`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH')
    return `no answer from ${server} (${code}): check the network path (VPN, firewall, proxy) to the cluster.`;
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || /certificate/i.test(detail))
    return `TLS with ${server} failed (${code ?? 'certificate'}: ${detail}): check certificate-authority-data in the kubeconfig.`;
  if (/exec|credential|plugin|spawn|ENOENT/i.test(detail)) {
    return (
      `the kubeconfig's credential plugin failed (${detail}). Check that the plugin command is ` +
      'installed and on the PATH that Claude Desktop gives this server (set "env": {"PATH": ...}), ' +
      'and that its login has not expired.'
    );
  }
  return `cannot reach the API server ${server}: ${detail || String(error)}`;
}
