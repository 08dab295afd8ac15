// One classification of a failed tool call for every surface: each error class a tool can raise,
// through the HTTP app on a loopback port, answers MCP (official SDK client over Streamable HTTP)
// and REST as that class, and both count it under the same metrics outcome.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { z } from 'zod';
import { samplePolicies } from '../hack/testenv/sample-policies.js';
import { startLoopbackHttpApp, type LoopbackHttpApp } from '../hack/testenv/loopback-http-app.js';
import { testReferenceData } from '../hack/testenv/test-reference-data.js';
import { noAuthentication } from './auth/caller-authenticator.js';
import { allowAllNamespaces } from './auth/namespace-authoriser.js';
import { HttpMetrics } from './http/http-metrics.js';
import { InMemoryPolicyReader } from './status/in-memory-policy-reader.js';
import { classifyToolFailure } from './tool-failure.js';
import { defineTool, type ToolDefinition } from './tools/tool-definition.js';
import {
  ClusterUnavailableError,
  ToolDataError,
  ToolInputError,
  WorkloadNotCoveredError,
} from './tools/tool-errors.js';

const raised = {
  invalid: () => new ToolInputError('zone', 'unknown zone "XX"'),
  not_covered: () => new WorkloadNotCoveredError('api', 'web'),
  no_data: () => new ToolDataError('no grid profile for zone XX'),
  unavailable: () =>
    new ClusterUnavailableError('nothing listens at https://127.0.0.1:1 (connection refused)'),
  error: () => new TypeError('cannot read properties of undefined'),
};
type Outcome = keyof typeof raised;
const outcomes = Object.keys(raised) as Outcome[];

/** A tool that fails with the given class; named after it. */
const failing = (outcome: Outcome): ToolDefinition =>
  defineTool({
    name: `fails_${outcome}`,
    title: `Fails: ${outcome}`,
    description: 'raises one error class',
    inputSchema: z.object({}),
    outputSchema: z.object({}),
    async handler() {
      throw raised[outcome]();
    },
  }) as unknown as ToolDefinition;

test('classifyToolFailure names each error class a tool raises, and anything else a defect', () => {
  for (const outcome of outcomes) {
    const error = raised[outcome]();
    expect(classifyToolFailure(error)).toEqual({ outcome, error });
  }
  expect(classifyToolFailure('a string').outcome).toBe('error');
});

describe('a failed tool call over MCP and REST', () => {
  const metrics = new HttpMetrics(false);
  let app: LoopbackHttpApp;
  let base: string;
  let client: Client;
  beforeAll(async () => {
    app = await startLoopbackHttpApp(
      {
        policyStatus: new InMemoryPolicyReader(samplePolicies()),
        authoriser: allowAllNamespaces,
        tools: outcomes.map(failing),
        reference: testReferenceData,
        logger: pino({ level: 'silent' }),
      },
      { authenticator: noAuthentication, stateless: true, metrics },
    );
    base = app.base;
    client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  });
  afterAll(async () => {
    await client.close();
    await app.stop();
  });

  const callMcp = (outcome: Outcome) => client.callTool({ name: `fails_${outcome}`, arguments: {} });
  const callRest = async (outcome: Outcome) => {
    const response = await fetch(`${base}/tools/fails_${outcome}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const text = (result: Awaited<ReturnType<typeof callMcp>>) =>
    (result.content as Array<{ text: string }>)[0]!.text;

  test('bad arguments: JSON-RPC -32602 and REST 400, both naming the field', async () => {
    await expect(callMcp('invalid')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Invalid arguments for tool fails_invalid: zone: unknown zone "XX"'),
      data: { field: 'zone' },
    });
    expect(await callRest('invalid')).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
      body: {
        type: 'about:blank',
        title: 'Invalid arguments',
        status: 400,
        detail: 'zone: unknown zone "XX"',
        field: 'zone',
      },
    });
  });

  test('a workload no policy covers: isError with the example policy, REST 404 with it too', async () => {
    const expected = raised.not_covered();
    const result = await callMcp('not_covered');
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(expected.message);
    const rest = await callRest('not_covered');
    expect(rest.status).toBe(404);
    expect(rest.body).toMatchObject({
      title: 'Workload not covered',
      detail: expected.message,
      example_policy: expected.examplePolicyYaml,
    });
  });

  test('missing data: isError, REST 422; the cluster unreadable: isError, REST 503; both with the cause', async () => {
    for (const [outcome, status, title] of [
      ['no_data', 422, 'Data not available'],
      ['unavailable', 503, 'Cluster unavailable'],
    ] as const) {
      const message = raised[outcome]().message;
      const result = await callMcp(outcome);
      expect(result.isError).toBe(true);
      expect(text(result)).toBe(message);
      expect((await callRest(outcome)).body).toEqual({ type: 'about:blank', title, status, detail: message });
    }
  });

  test('a defect: isError naming the tool over MCP, REST 500 without internal text', async () => {
    const result = await callMcp('error');
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Tool fails_error failed: cannot read properties of undefined');
    const rest = await callRest('error');
    expect(rest.status).toBe(500);
    expect(JSON.stringify(rest.body)).not.toContain('cannot read');
  });

  test('both transports count each failure under its class', async () => {
    const count = async (outcome: Outcome, transport: string) =>
      (await metrics.toolCalls.get()).values.find(
        (v) =>
          v.labels.tool === `fails_${outcome}` &&
          v.labels.transport === transport &&
          v.labels.outcome === outcome,
      )?.value ?? 0;
    for (const outcome of outcomes) {
      const before = { mcp: await count(outcome, 'mcp'), rest: await count(outcome, 'rest') };
      await callMcp(outcome).catch(() => undefined);
      await callRest(outcome);
      expect({ mcp: await count(outcome, 'mcp'), rest: await count(outcome, 'rest') }).toEqual({
        mcp: before.mcp + 1,
        rest: before.rest + 1,
      });
    }
  });
});
