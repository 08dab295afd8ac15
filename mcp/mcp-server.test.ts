import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';
import { samplePolicies, storedByApiServer, withBudgetAndLedger } from '../hack/testenv/sample-policies.js';
import { cloudRegion } from '../operator/reference-data/cloud-regions-file.js';
import { annualGridIntensity } from '../operator/reference-data/grid-factors-file.js';
import { toolCatalogue } from './tools/catalogue.js';
import { rampProfile } from '../hack/testenv/engine-inputs.js';
import { verifySavings } from '../operator/engine/verified-savings.js';
import type { AdoptedChange, VerifiedSavings } from '../operator/domain/types.js';

async function connected(policies = samplePolicies()) {
  return connectInMemory(policies);
}

describe('MCP server over an in-memory transport', () => {
  test('lists every tool with title, read-only annotations and an output schema', async () => {
    const { client } = await connected();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(toolCatalogue.map((t) => t.name));
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        openWorldHint: false,
      });
      expect(tool.outputSchema?.type).toBe('object');
    }
  });

  test('assess_workload_compliance returns the seed example from status, with a Korean summary', async () => {
    const { client } = await connected();
    const result = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'ml-training-job', namespace: 'ai-team' },
    });
    expect(result.isError).toBeFalsy();
    const s = result.structuredContent as Record<string, unknown>;
    expect(s.status).toBe('NON_COMPLIANT');
    expect(s.current_carbon_intensity_gCO2eq_kWh).toBeCloseTo(510.12, 2);
    expect(s.gap_percent).toBeCloseTo(20.3, 1);
    expect(s.policy).toMatchObject({ namespace: 'ai-team', name: 'carbon' });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain('미준수');
  });

  test('assess_workload_compliance returns the verified savings of the workload and of the site, schema-checked', async () => {
    const policies = samplePolicies();
    const hourly = [12, 13].map((h) => ({ hourStart: `2026-04-03T0${h - 9}:00:00Z`, energy_kWh: 0.5 }));
    const entry = (workload: string, change: AdoptedChange['kind']) =>
      verifySavings({
        change: {
          workload,
          kind: change,
          since: '2026-04-02T00:00:00Z',
          source: 'applied by the operator (spec.actions.temporalShift: Apply)',
          before: change === 'pue' ? { pue: 1.5 } : { schedule: '0 20 * * *', timeZone: 'Asia/Seoul' },
          after: change === 'pue' ? { pue: 1.2 } : { schedule: '0 12 * * *', timeZone: 'Asia/Seoul' },
        },
        hourly,
        profile: rampProfile,
        pue: 1.2,
        now: new Date('2026-04-04T00:00:00Z'),
      });
    policies[0]!.status!.verifiedSavings = [
      entry('Job/ml-training-job', 'schedule'),
      entry('*', 'pue'),
      entry('Deployment/inference', 'schedule'),
    ];
    const { client } = await connected(policies);
    // The SDK client checks structuredContent against the tool's outputSchema.
    const result = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'ml-training-job', namespace: 'ai-team' },
    });
    expect(result.isError).toBeFalsy();
    const s = result.structuredContent as { verified_savings: VerifiedSavings[]; schedule_action: unknown };
    expect(s.verified_savings.map((v) => [v.workload, v.verdict, v.percent])).toEqual([
      ['Job/ml-training-job', 'verified', 15.8], // ramp: 1 − (420 + 430)/(500 + 510)
      ['*', 'verified', 20], // 1 − 1.2/1.5
    ]);
    expect(s.schedule_action).toBeNull();
  });

  test('bad arguments are JSON-RPC -32602 naming the field', async () => {
    const { client } = await connected();
    const call = client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'x', namespace: 'Bad_NS' },
    });
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('namespace') });
    await expect(
      client.callTool({ name: 'list_workloads_by_compliance', arguments: { limit: 0 } }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('limit') });
  });

  test('an uncovered workload is a tool error that shows a policy to apply', async () => {
    const { client } = await connected();
    const result = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'nope', namespace: 'web' },
    });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain('kind: CarbonCompliancePolicy');
    expect(text).toContain('app: nope');
  });

  test('list_workloads_by_compliance pages with an opaque cursor and sends progress', async () => {
    const { client } = await connected();
    const seen: string[] = [];
    let cursor: string | undefined;
    let progressEvents = 0;
    do {
      const result = await client.callTool(
        { name: 'list_workloads_by_compliance', arguments: { limit: 2, ...(cursor ? { cursor } : {}) } },
        undefined,
        { onprogress: () => (progressEvents += 1) },
      );
      const s = result.structuredContent as {
        workloads: Array<{ workload: string }>;
        next_cursor: string | null;
        counts: { total: number };
      };
      expect(s.counts.total).toBe(5);
      seen.push(...s.workloads.map((w) => w.workload));
      cursor = s.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['idle-batch', 'inference', 'ml-training-job', 'api', 'frontend']);
    expect(progressEvents).toBeGreaterThan(0);
    const filtered = await client.callTool({
      name: 'list_workloads_by_compliance',
      arguments: { status: 'INSUFFICIENT_DATA' },
    });
    expect(
      (filtered.structuredContent as { workloads: Array<{ workload: string }> }).workloads.map(
        (w) => w.workload,
      ),
    ).toEqual(['idle-batch']);
  });

  test('a cursor from another query is refused naming cursor', async () => {
    const { client } = await connected();
    const first = await client.callTool({ name: 'list_workloads_by_compliance', arguments: { limit: 1 } });
    const cursor = (first.structuredContent as { next_cursor: string }).next_cursor;
    await expect(
      client.callTool({
        name: 'list_workloads_by_compliance',
        arguments: { limit: 1, cursor, namespace: 'web' },
      }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('cursor') });
  });

  test('power tools rank, find hotspots and total without double counting', async () => {
    const { client } = await connected();
    const top = await client.callTool({ name: 'list_top_power_consumers', arguments: { limit: 2 } });
    const topS = top.structuredContent as {
      workloads: Array<{ workload: string; rank: number }>;
      total_power_watts: number;
    };
    expect(topS.workloads.map((w) => w.workload)).toEqual(['ml-training-job', 'inference']);
    expect(topS.total_power_watts).toBeCloseTo(94.5, 5);
    const hot = await client.callTool({ name: 'identify_power_hotspots', arguments: { share_percent: 60 } });
    expect(
      (hot.structuredContent as { hotspots: Array<{ workload: string }> }).hotspots.map((h) => h.workload),
    ).toEqual(['ml-training-job']);
    const summary = await client.callTool({ name: 'get_power_consumption_summary', arguments: {} });
    const sum = summary.structuredContent as {
      total: { workloads: number; power_watts: number };
      namespaces: Array<{ namespace: string }>;
    };
    expect(sum.total.workloads).toBe(5);
    expect(sum.total.power_watts).toBeCloseTo(94.5, 5);
    expect(sum.namespaces.map((n) => n.namespace)).toEqual(['ai-team', 'web']);
  });

  test('compare_optimization_impact combines reductions and reports unavailable ones', async () => {
    const { client } = await connected();
    const result = await client.callTool({
      name: 'compare_optimization_impact',
      arguments: {
        workload_name: 'ml-training-job',
        namespace: 'ai-team',
        optimizations: ['temporal_shift', 'regional_migration'],
      },
    });
    const s = result.structuredContent as {
      combined: {
        reduction_percent: number;
        projected_intensity_gCO2eq_kWh: number;
        reaches_target: boolean;
      };
      not_available: Array<{ type: string }>;
    };
    expect(s.combined.reduction_percent).toBeCloseTo(12.5, 5);
    expect(s.combined.projected_intensity_gCO2eq_kWh).toBeCloseTo(510.12 * 0.875, 1);
    expect(s.combined.reaches_target).toBe(false);
    expect(s.not_available.map((n) => n.type)).toEqual(['regional_migration']);
  });

  test('resources list and read; templates complete namespaces and names', async () => {
    const { client } = await connected();
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'carbon://standards',
        'carbon://standards/KR_CARBON_2050',
        'carbon://grid/KR',
        'carbon://policies/web/carbon-en',
      ]),
    );
    const read = await client.readResource({ uri: 'carbon://policies/ai-team/carbon' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as {
      status: { workloads: unknown[] };
    };
    expect(body.status.workloads).toHaveLength(3);
    const ns = await client.complete({
      ref: { type: 'ref/resource', uri: 'carbon://policies/{namespace}/{name}' },
      argument: { name: 'namespace', value: 'a' },
    });
    expect(ns.completion.values).toEqual(['ai-team']);
    const names = await client.complete({
      ref: { type: 'ref/resource', uri: 'carbon://policies/{namespace}/{name}' },
      argument: { name: 'name', value: '' },
      context: { arguments: { namespace: 'web' } },
    });
    expect(names.completion.values).toEqual(['carbon-en']);
    const unknown = await client.complete({
      ref: { type: 'ref/prompt', name: 'no_such_prompt' },
      argument: { name: 'x', value: '' },
    });
    expect(unknown.completion.values).toEqual([]);
  });

  test('prompts embed the live answer', async () => {
    const { client } = await connected();
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['compliance_report', 'optimisation_plan']);
    const report = await client.getPrompt({ name: 'compliance_report', arguments: { namespace: 'web' } });
    const text = (report.messages[0]!.content as { text: string }).text;
    expect(text).toContain('"workload":"api"');
    const plan = await client.getPrompt({
      name: 'optimisation_plan',
      arguments: { namespace: 'ai-team', workload_name: 'ml-training-job' },
    });
    expect((plan.messages[0]!.content as { text: string }).text).toContain('temporal_shift');
  });

  test('logging/setLevel is accepted', async () => {
    const { client } = await connected();
    await expect(client.setLoggingLevel('debug')).resolves.toBeDefined();
  });
});

describe('status as the API server returns it', () => {
  test('null fields dropped by the API server come back as null in answers', async () => {
    const p = samplePolicies()[0]!;
    const { client } = await connectInMemory([storedByApiServer(p)]);
    const result = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'idle-batch', namespace: 'ai-team' },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: 'INSUFFICIENT_DATA',
      gap_percent: null,
      combined: null,
    });
    const list = await client.callTool({ name: 'list_workloads_by_compliance', arguments: {} });
    expect(list.isError).toBeFalsy();
  });
});

describe('carbon budget in answers', () => {
  test("assess_workload_compliance and compare_optimization_impact carry the policy's budget; none without spec.budget", async () => {
    // Over budget (144 of 100 kg): the exhaustion date is the day it ran out. Stored as the API server
    // stores status (nulls dropped), so the nullable fields must come back.
    const withBudget = withBudgetAndLedger(samplePolicies()[0]!, 100);
    const { client } = await connectInMemory([storedByApiServer(withBudget), samplePolicies()[1]!]);
    const assessed = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'ml-training-job', namespace: 'ai-team' },
    });
    expect(assessed.isError).toBeFalsy();
    const policy = (assessed.structuredContent as { policy: { budget: Record<string, unknown> } }).policy;
    expect(policy.budget).toMatchObject({
      month: '2026-12',
      budget_kgCO2eq: 100,
      monthToDate_kgCO2eq: 144,
      usedPercent: 144,
      state: 'exceeded',
      projectedExhaustionDate: '2026-12-10',
    });
    const compared = await client.callTool({
      name: 'compare_optimization_impact',
      arguments: { workload_name: 'ml-training-job', namespace: 'ai-team' },
    });
    expect((compared.structuredContent as { policy: { budget: unknown } }).policy.budget).toMatchObject({
      state: 'exceeded',
    });
    const plain = await client.callTool({
      name: 'assess_workload_compliance',
      arguments: { workload_name: 'api', namespace: 'web' },
    });
    expect((plain.structuredContent as { policy: { budget: unknown } }).policy.budget).toBeNull();
  });
});

describe('what-if tools on the engine', () => {
  test('calculate_optimal_schedule picks the cleanest window of the profile and gives a cron line', async () => {
    const { client } = await connected();
    const result = await client.callTool({
      name: 'calculate_optimal_schedule',
      arguments: {
        duration_hours: 2,
        zone: 'KR',
        earliest_start: '2025-04-01T06:00:00+09:00',
        deadline: '2025-04-02T06:00:00+09:00',
      },
    });
    expect(result.isError).toBeFalsy();
    const s = result.structuredContent as {
      best: { start_local_hour: number; window_intensity_gCO2eq_kWh: number };
      worst: { window_intensity_gCO2eq_kWh: number };
      cron: { schedule: string; time_zone: string };
    };
    // The fixture profile is lowest around local midnight: the best 2-h window straddles it.
    expect([23, 0]).toContain(s.best.start_local_hour);
    expect(s.best.window_intensity_gCO2eq_kWh).toBeLessThan(s.worst.window_intensity_gCO2eq_kWh);
    expect(s.cron.time_zone).toBe('Asia/Seoul');
    expect(s.cron.schedule).toMatch(new RegExp(`^0 ${s.best.start_local_hour} `));
    await expect(
      client.callTool({
        name: 'calculate_optimal_schedule',
        arguments: {
          duration_hours: 5,
          earliest_start: '2025-04-01T06:00:00+09:00',
          deadline: '2025-04-01T08:00:00+09:00',
        },
      }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('deadline') });
    const unknownZone = await client.callTool({
      name: 'calculate_optimal_schedule',
      arguments: { duration_hours: 1, zone: 'XX' },
    });
    expect(unknownZone.isError).toBe(true);
  });

  test('get_regional_comparison ranks candidates against the workload and flags residency', async () => {
    const { client } = await connected();
    const result = await client.callTool({
      name: 'get_regional_comparison',
      arguments: {
        workload_name: 'ml-training-job',
        namespace: 'ai-team',
        candidate_regions: ['aws/ap-northeast-2', 'aws/eu-north-1', 'aws/nowhere-1'],
      },
    });
    expect(result.isError).toBeFalsy();
    const s = result.structuredContent as {
      current: { effective_gCO2eq_kWh: number };
      regions: Array<{
        region: string;
        effective_gCO2eq_kWh: number;
        reduction_percent: number;
        same_country: boolean;
      }>;
      unknown_regions: string[];
    };
    // Like for like, as the operator binds the policy (KR, PUE 1.17, window ending 2025-04-02):
    // annual grid × PUE on both sides.
    const kr = annualGridIntensity('KR', { year: 2025 }).value * 1.17;
    const se = cloudRegion('aws/eu-north-1');
    const seEffective = annualGridIntensity(se.zone, { year: 2025 }).value * se.pue!.value;
    expect(s.current.effective_gCO2eq_kWh).toBeCloseTo(kr, 1);
    expect(s.regions.map((r) => r.region)).toEqual(['aws/eu-north-1', 'aws/ap-northeast-2']);
    expect(s.regions[0]!.effective_gCO2eq_kWh).toBeCloseTo(seEffective, 1);
    expect(s.regions[0]!.reduction_percent).toBeCloseTo((1 - seEffective / kr) * 100, 1);
    expect(s.regions[0]!.same_country).toBe(false);
    expect(s.unknown_regions).toEqual(['aws/nowhere-1']);
  });
});
