// MCP sessions under kubernetes auth against the real kube-apiserver: a session belongs to the
// identity that created it, one identity cannot hold more than its cap, and a full server evicts
// its least recently used idle session so that a new client can always start one.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { kubectlPath, testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { startLoopbackHttpApp, type LoopbackHttpApp } from '../../hack/testenv/loopback-http-app.js';
import { policy } from '../../hack/testenv/sample-policies.js';
import { KubeNamespaceAuthoriser } from '../auth/kube-namespace-authoriser.js';
import { KubeTokenAuthenticator } from '../auth/kube-token-authenticator.js';
import { loadReferenceData } from '../operator-reference-data.js';
import { InMemoryPolicyReader } from '../status/in-memory-policy-reader.js';
import { toolCatalogue } from '../tools/catalogue.js';

const NS = 'mcp-sessions';
const AUDIENCE = 'carbon-mcp-sessions-test';
const kubectl = (input: string | undefined, ...args: string[]) =>
  execFileSync(kubectlPath(), ['--kubeconfig', testKubeconfigPath(), ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });

describe('MCP sessions: bound to their creator, capped per identity, LRU-evicted when full', () => {
  const tokens: Record<string, string> = {};
  let app: LoopbackHttpApp;
  let url: URL;
  const clients: Client[] = [];

  beforeAll(async () => {
    const accounts = ['alice', 'bob', 'carol'];
    kubectl(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        ...accounts.map((name) => ({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace: NS },
        })),
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
      'apply',
      '-f',
      '-',
    );
    for (const name of accounts)
      tokens[name] = kubectl(undefined, 'create', 'token', name, '-n', NS, '--audience', AUDIENCE).trim();

    const logger = pino({ level: 'silent' });
    const kubeConfig = testKubeConfig();
    const deps = {
      policyStatus: new InMemoryPolicyReader([
        policy(NS, 'carbon', [{ workload: 'api', namespace: NS, power_watts: 10 }]),
      ]),
      authoriser: new KubeNamespaceAuthoriser(kubeConfig),
      tools: toolCatalogue,
      reference: await loadReferenceData(undefined, logger),
      logger,
    };
    app = await startLoopbackHttpApp(deps, {
      authenticator: new KubeTokenAuthenticator(kubeConfig, [AUDIENCE]),
      stateless: false,
    });
    url = new URL(`${app.base}/mcp`);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await app.stop();
  });

  async function connect(who: string): Promise<{ client: Client; sessionId: string }> {
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${tokens[who]}` } },
    });
    const client = new Client({ name: `session-test-${who}`, version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return { client, sessionId: transport.sessionId! };
  }

  /** The HTTP status of a request on an existing session, sent as `who`. */
  async function statusOf(method: 'POST' | 'DELETE', sessionId: string, who: string): Promise<number> {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who]}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      ...(method === 'POST' ? { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) } : {}),
    });
    await response.body?.cancel();
    return response.status;
  }

  const alive = async (client: Client) =>
    client.ping().then(
      () => true,
      () => false,
    );

  test('another identity can neither use nor delete a session (404); its creator still can', async () => {
    const alice = await connect('alice');
    expect(await statusOf('POST', alice.sessionId, 'bob')).toBe(404);
    expect(await statusOf('DELETE', alice.sessionId, 'bob')).toBe(404);
    expect(await alive(alice.client)).toBe(true);
    expect(await statusOf('DELETE', alice.sessionId, 'alice')).toBe(200);
    expect(await alive(alice.client)).toBe(false);
  });

  test('one identity holds at most its cap; its own least recently used session gives way', async () => {
    const first = await connect('bob');
    const second = await connect('bob');
    expect(await alive(first.client)).toBe(true); // first is now the more recently used
    const third = await connect('bob');
    expect(await alive(second.client)).toBe(false);
    expect(await alive(first.client)).toBe(true);
    expect(await alive(third.client)).toBe(true);
    await Promise.all([first.client.close(), third.client.close()]);
    await statusOf('DELETE', first.sessionId, 'bob');
    await statusOf('DELETE', third.sessionId, 'bob');
  });

  test('a full server admits a new identity by closing the least recently used idle session', async () => {
    const a1 = await connect('alice');
    const a2 = await connect('alice');
    const b1 = await connect('bob'); // 3 of 3
    expect(await alive(a1.client)).toBe(true); // a2 is now the least recently used
    const c1 = await connect('carol'); // today: 503 Too many sessions
    expect(await alive(c1.client)).toBe(true);
    expect(await alive(a2.client)).toBe(false);
    expect(await alive(a1.client)).toBe(true);
    expect(await alive(b1.client)).toBe(true);
  });
});
