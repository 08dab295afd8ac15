// The MCP power tools keep estimated energy (the CCF fallback for nodes without Kepler readings) apart
// from measured energy: per row its basis and estimated part, in the totals the estimated part, and the
// text says how much of the total is estimated. Official SDK client over an in-memory transport.
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';
import { policy } from '../hack/testenv/sample-policies.js';

function policiesWithEstimate() {
  const p = policy('shop', 'carbon', [
    { workload: 'cloud', namespace: 'shop', power_watts: 5 },
    { workload: 'onprem', namespace: 'shop', power_watts: 12 },
  ]);
  const [cloud, onprem] = p.status!.workloads!;
  Object.assign(cloud!, {
    energy_kWh: 0.12,
    energy_measured_kWh: 0,
    energy_estimated_kWh: 0.12,
    energy_basis: 'estimated',
  });
  cloud!.sources.energy = 'estimated: CCF (test)';
  Object.assign(onprem!, {
    energy_kWh: 0.3,
    energy_measured_kWh: 0.3,
    energy_estimated_kWh: 0,
    energy_basis: 'measured',
  });
  p.spec.language = 'en';
  return [p];
}

async function connected() {
  return (await connectInMemory(policiesWithEstimate())).client;
}

describe('estimated energy in MCP tool output', () => {
  test('rows carry energy_basis and estimated_energy_kWh; the summary totals and names the estimate', async () => {
    const client = await connected();
    const top = (await client.callTool({ name: 'list_top_power_consumers', arguments: { limit: 5 } }))
      .structuredContent as { workloads: Array<Record<string, unknown>> };
    expect(top.workloads.find((r) => r.workload === 'cloud')).toMatchObject({
      energy_basis: 'estimated',
      estimated_energy_kWh: 0.12,
      energy_source: 'estimated: CCF (test)',
    });
    expect(top.workloads.find((r) => r.workload === 'onprem')).toMatchObject({
      energy_basis: 'measured',
      estimated_energy_kWh: 0,
    });

    const result = await client.callTool({ name: 'get_power_consumption_summary', arguments: {} });
    const summary = result.structuredContent as { total: Record<string, number>; energy_sources: string[] };
    expect(summary.total.energy_kWh).toBeCloseTo(0.42, 12);
    expect(summary.total.estimated_energy_kWh).toBeCloseTo(0.12, 12);
    expect(summary.energy_sources).toContain('estimated: CCF (test)');
    const text = (result.content as Array<{ type: string; text: string }>)[0]!.text;
    expect(text).toContain('0.42 kWh (of which 0.12 kWh estimated with CCF coefficients)');
  });
});
