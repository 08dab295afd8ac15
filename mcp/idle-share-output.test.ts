// The MCP power tools carry the idle share beside the active power (issue "One truth" §3): added
// fields, the existing ones unchanged in meaning (power_watts/energy_kWh = active).
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';
import { policy } from '../hack/testenv/sample-policies.js';

function policiesWithIdle() {
  const p = policy('ai-team', 'carbon', [
    { workload: 'trainer', namespace: 'ai-team', power_watts: 12 },
    { workload: 'web', namespace: 'ai-team', power_watts: 4 },
  ]);
  const [trainer, web] = p.status!.workloads!;
  Object.assign(trainer!, {
    idle_share_watts: 90,
    idle_share_kWh: 2.16,
    idle_share_source: 'allocated: test',
  });
  Object.assign(web!, {
    idle_share_watts: null,
    idle_share_kWh: null,
    idle_share_source: 'unavailable: test',
  });
  return [p];
}

async function connected() {
  return (await connectInMemory(policiesWithIdle())).client;
}

describe('idle share in MCP tool output', () => {
  test('power rows and compliance lists carry idle_share_* beside power_watts; totals only when complete', async () => {
    const client = await connected();
    const top = (await client.callTool({ name: 'list_top_power_consumers', arguments: { limit: 5 } }))
      .structuredContent as { workloads: Array<Record<string, unknown>> };
    const rows = top.workloads;
    expect(rows.find((r) => r.workload === 'trainer')).toMatchObject({
      power_watts: 12,
      idle_share_watts: 90,
      idle_share_kWh: 2.16,
    });
    expect(rows.find((r) => r.workload === 'web')).toMatchObject({ power_watts: 4, idle_share_watts: null });

    const summary = (await client.callTool({ name: 'get_power_consumption_summary', arguments: {} }))
      .structuredContent as { total: Record<string, unknown> };
    // One workload has no idle figure: the total is not part-guessed.
    expect(summary.total.idle_share_kWh).toBeNull();

    const listed = (await client.callTool({ name: 'list_workloads_by_compliance', arguments: {} }))
      .structuredContent as { workloads: Array<Record<string, unknown>> };
    expect(listed.workloads.find((w) => w.workload === 'trainer')?.idle_share_watts).toBe(90);

    const one = (
      await client.callTool({
        name: 'assess_workload_compliance',
        arguments: { workload_name: 'trainer', namespace: 'ai-team' },
      })
    ).structuredContent as Record<string, unknown>;
    expect(one).toMatchObject({
      power_watts: 12,
      idle_share_watts: 90,
      idle_share_source: 'allocated: test',
    });
  });
});
