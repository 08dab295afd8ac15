// explain_emissions_change through the official SDK client (in-memory transport) and through REST
// (the HTTP app on a loopback port): the LMDI effects from the policy's monthly ledger sum to the
// change, months default to the last two complete ones, the running month is flagged partial, and
// bad or missing months name the field.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import pino from 'pino';
import type { CarbonCompliancePolicy } from '../operator/api/v1alpha1/types.js';
import { decomposeEmissionsChange } from '../operator/engine/emissions-change.js';
import {
  policy,
  sampleLedgerMonths,
  samplePolicies,
  storedByApiServer,
  withBudgetAndLedger,
} from '../hack/testenv/sample-policies.js';
import { testReferenceData } from '../hack/testenv/test-reference-data.js';
import { noAuthentication } from './auth/caller-authenticator.js';
import { allowAllNamespaces } from './auth/namespace-authoriser.js';
import { InMemoryPolicyReader } from './status/in-memory-policy-reader.js';
import { toolCatalogue } from './tools/catalogue.js';
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';
import { startLoopbackHttpApp, type LoopbackHttpApp } from '../hack/testenv/loopback-http-app.js';

// 10 December 2026 (KST): October and November are complete, December is running.
const now = () => new Date('2026-12-10T03:30:00Z');

const stored = storedByApiServer;

function policies(): CarbonCompliancePolicy[] {
  const ai = withBudgetAndLedger(samplePolicies()[0]!, 300);
  const second = policy('ai-team', 'carbon-gpu', [{ workload: 'gpu', namespace: 'ai-team', power_watts: 1 }]);
  const lone = withBudgetAndLedger(
    policy('web', 'carbon-en', [{ workload: 'api', namespace: 'web', power_watts: 1 }], { language: 'en' }),
    1000,
  );
  // October without energy: the whole change to November is the energy effect.
  const oct = lone.status!.emissionsLedger!.months[0]!;
  Object.assign(oct, {
    energy_kWh: 0,
    gridWeighted_kgCO2eq: 0,
    locationEmissions_kgCO2eq: 0,
    emissions_kgCO2eq: 0,
  });
  const fresh = policy('fresh', 'carbon', [{ workload: 'x', namespace: 'fresh', power_watts: 1 }]);
  return [ai, second, lone, fresh].map(stored);
}

const deps = () => ({
  policyStatus: new InMemoryPolicyReader(policies()),
  authoriser: allowAllNamespaces,
  tools: toolCatalogue,
  reference: testReferenceData,
  logger: pino({ level: 'silent' }),
  now,
});

async function connected(): Promise<Client> {
  return (await connectInMemory(policies(), { now })).client;
}

type Answer = ReturnType<typeof decomposeEmissionsChange> & {
  policy: { name: string; budget: unknown };
  available_months: string[];
};

describe('explain_emissions_change (MCP, SDK client)', () => {
  test('is listed with a title, read-only annotations and input and output schemas', async () => {
    const client = await connected();
    const tool = (await client.listTools()).tools.find((t) => t.name === 'explain_emissions_change');
    expect(tool?.title).toBe('Explain why emissions changed');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(Object.keys(tool!.inputSchema.properties ?? {})).toEqual([
      'namespace',
      'policy_name',
      'from_month',
      'to_month',
    ]);
    for (const field of Object.values(tool!.inputSchema.properties ?? {}) as Array<{ description?: string }>)
      expect(field.description).toBeTruthy();
    expect(tool?.outputSchema?.properties).toHaveProperty('effects_kgCO2eq');
  });

  test('defaults to the last two complete months; the effects sum to the change', async () => {
    const client = await connected();
    const result = await client.callTool({
      name: 'explain_emissions_change',
      arguments: { namespace: 'ai-team', policy_name: 'carbon' },
    });
    expect(result.isError).toBeFalsy();
    const s = result.structuredContent as Answer;
    const [oct, nov] = sampleLedgerMonths();
    expect(s).toMatchObject(decomposeEmissionsChange(oct!, nov!));
    expect([s.from.month, s.to.month, s.from.partial, s.to.partial]).toEqual([
      '2026-10',
      '2026-11',
      false,
      false,
    ]);
    // 504 → 475.2 kg: more energy (+), better timing (T 1 → 0.878: −), same PUE, a cleaner grid (−).
    expect(s.change_kgCO2eq).toBeCloseTo(-28.8, 6);
    const e = s.effects_kgCO2eq;
    expect(e.energy).toBeGreaterThan(0);
    expect(e.timing).toBeLessThan(0);
    expect(e.pue).toBeCloseTo(0, 9);
    expect(e.gridFactor).toBeLessThan(0);
    expect(Math.abs(e.energy + e.timing + e.pue + e.gridFactor - s.change_kgCO2eq)).toBeLessThan(
      Math.abs(s.change_kgCO2eq) * 0.001,
    );
    expect(s.available_months).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(s.policy).toMatchObject({ name: 'carbon', budget: { budget_kgCO2eq: 300 } });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain('ai-team/carbon: 2026-10 → 2026-11 배출량 504 → 475.2 kgCO2e');
  });

  test('the running month is allowed and flagged partial', async () => {
    const client = await connected();
    const s = (
      await client.callTool({
        name: 'explain_emissions_change',
        arguments: { namespace: 'ai-team', policy_name: 'carbon', to_month: '2026-12' },
      })
    ).structuredContent as Answer;
    expect([s.from.month, s.to.month, s.to.partial]).toEqual(['2026-11', '2026-12', true]);
  });

  test('a month without energy: the whole change is the energy effect, and undefined factors are null', async () => {
    const client = await connected();
    const result = await client.callTool({
      name: 'explain_emissions_change',
      arguments: { namespace: 'web' },
    });
    const s = result.structuredContent as Answer;
    expect(s.effects_kgCO2eq).toEqual({ energy: 475.2, timing: 0, pue: 0, gridFactor: 0 });
    // Dropped by the API server as nulls, restored by the tool.
    expect(s.from.timingFactor).toBeNull();
    expect(s.from.pue).toBeNull();
    expect((result.content as Array<{ text: string }>)[0]!.text).toContain('energy +475.2');
  });

  test('bad months and several policies name the field; a policy without two months is a tool error', async () => {
    const client = await connected();
    await expect(
      client.callTool({
        name: 'explain_emissions_change',
        arguments: { namespace: 'ai-team', to_month: '2026-13' },
      }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('to_month') });
    await expect(
      client.callTool({ name: 'explain_emissions_change', arguments: { namespace: 'ai-team' } }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('policy_name') });
    await expect(
      client.callTool({
        name: 'explain_emissions_change',
        arguments: { namespace: 'ai-team', policy_name: 'carbon', from_month: '2025-01' },
      }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('from_month: ai-team/carbon has no counted hours in 2025-01'),
    });
    await expect(
      client.callTool({
        name: 'explain_emissions_change',
        arguments: {
          namespace: 'ai-team',
          policy_name: 'carbon',
          from_month: '2026-11',
          to_month: '2026-10',
        },
      }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('from_month') });
    const none = await client.callTool({
      name: 'explain_emissions_change',
      arguments: { namespace: 'fresh' },
    });
    expect(none.isError).toBe(true);
    expect((none.content as Array<{ text: string }>)[0]!.text).toContain('a change needs two months');
  });
});

describe('explain_emissions_change (REST)', () => {
  let app: LoopbackHttpApp;
  let base: string;
  beforeAll(async () => {
    app = await startLoopbackHttpApp(deps(), { authenticator: noAuthentication, stateless: true });
    base = app.base;
  });
  afterAll(() => app.stop());

  test('POST /tools/explain_emissions_change answers the same structure; the OpenAPI document has the route', async () => {
    const ok = await fetch(`${base}/tools/explain_emissions_change`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        namespace: 'ai-team',
        policy_name: 'carbon',
        from_month: '2026-10',
        to_month: '2026-11',
      }),
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Answer;
    expect(body.change_kgCO2eq).toBeCloseTo(-28.8, 6);
    const bad = await fetch(`${base}/tools/explain_emissions_change`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'ai-team', policy_name: 'carbon', from_month: 'October' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'from_month' });
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
    };
    const route = openapi.paths['/tools/explain_emissions_change']?.post;
    expect(route?.requestBody).toBeDefined();
    expect(JSON.stringify(route?.responses?.['200'])).toContain('effects_kgCO2eq');
  });
});
