// estimate_manifest through the official SDK client (in-memory transport): a Deployment calibrated on
// the policy's measured power per requested core, a CronJob on CCF coefficients with its cleaner
// schedule, and strict, size-limited parsing whose errors name the field.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CarbonCompliancePolicy } from '../operator/api/v1alpha1/types.js';
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';
import { policy } from '../hack/testenv/sample-policies.js';

const NOW = new Date('2026-05-04T00:30:00Z');

function policies(): CarbonCompliancePolicy[] {
  // Measured: 12 W over 4 requested cores = 3 W per core.
  const measured = policy('shop', 'carbon', [{ workload: 'web', namespace: 'shop', power_watts: 12 }]);
  Object.assign(measured.status!.workloads![0]!, { cpuRequested_cores: 4, energy_basis: 'measured' });
  measured.spec.language = 'en';
  // Nothing with CPU requests: the CCF coefficients.
  const bare = policy('batch', 'carbon', [{ workload: 'old', namespace: 'batch', power_watts: 5 }]);
  bare.spec.language = 'en';
  return [measured, bare];
}

async function connected() {
  return (await connectInMemory(policies(), { now: () => NOW })).client;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: app
          resources: {requests: {cpu: 500m, memory: 1Gi}}
        - name: sidecar
          image: proxy
          resources: {requests: {cpu: "0.5"}}
`;

const cronJob = JSON.stringify({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly' },
  spec: {
    schedule: '0 2 * * *',
    timeZone: 'Asia/Seoul',
    jobTemplate: {
      spec: {
        template: {
          spec: { containers: [{ name: 'etl', image: 'etl', resources: { requests: { cpu: '2' } } }] },
        },
      },
    },
  },
});

describe('estimate_manifest', () => {
  test('is listed with input and output schemas, read-only', async () => {
    const client = await connected();
    const tool = (await client.listTools()).tools.find((t) => t.name === 'estimate_manifest')!;
    expect(tool.inputSchema.required).toEqual(['manifest', 'namespace']);
    expect(tool.outputSchema?.properties).toHaveProperty('power_basis');
    expect(tool.annotations?.readOnlyHint).toBe(true);
  });

  test('a Deployment is projected from measured power per requested core, through the policy’s engine', async () => {
    const client = await connected();
    const result = await client.callTool({
      name: 'estimate_manifest',
      arguments: { manifest: deployment, namespace: 'shop' },
    });
    const out = result.structuredContent as Record<string, any>;
    expect(out.workload).toEqual({ kind: 'Deployment', name: 'api', pods: 2 });
    expect(out.cpuRequested_cores_per_pod).toBe(1);
    // 3 W per requested core × 1 core × 2 pods, 720 h per 30 days.
    expect(out.power_basis).toBe('measured');
    expect(out.power_watts).toBeCloseTo(6, 9);
    expect(out.power_source).toMatch(
      /^measured: Kepler, 3 W of active power per requested core over 1 Deployment workload/,
    );
    expect(out.hours_per_month).toBe(720);
    expect(out.energy_kWh).toBeCloseTo(4.32, 9);
    // The engine's verdict under the policy (KR site, PUE 1.17, target 424) and its emissions.
    expect(out.verdict).toBe(out.assessment.status);
    expect(out.assessment.energy_basis).toBe('measured');
    expect(out.emissions_kgCO2eq).toBeCloseTo((out.assessment.emissions_gCO2eq * 30) / 1000, 3);
    expect(out.emissions_kgCO2eq / out.energy_kWh).toBeCloseTo(
      out.assessment.current_carbon_intensity_gCO2eq_kWh / 1000,
      3,
    );
    expect(out.energy_cost_KRW).toBeGreaterThan(0);
    expect(out.better_schedule).toBeNull();
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toMatch(
      /^Deployment api: 6 W \(from measured workloads\), 4\.32 kWh and .* kgCO2eq per 30 days/,
    );
  });

  test('a CronJob with nothing measured uses CCF coefficients, labelled, and gets the cleaner schedule', async () => {
    const client = await connected();
    const result = await client.callTool({
      name: 'estimate_manifest',
      arguments: { manifest: cronJob, namespace: 'batch', run_hours: 2, instance_type: 'm5.large' },
    });
    const out = result.structuredContent as Record<string, any>;
    // m5.large → Skylake: 2 cores × (0.65 + 0.5 × 3.61) = 4.91 W; daily at 02:00 → 30 runs × 2 h.
    expect(out.power_basis).toBe('estimated');
    expect(out.power_watts).toBeCloseTo(4.91, 9);
    expect(out.power_source).toMatch(
      /^estimated: CCF .*instance type m5\.large → Skylake, 0\.65–4\.26 W per vCPU; CPU requests 2 cores × assumed utilisation 50 %/,
    );
    expect(out.hours_per_month).toBe(60);
    expect(out.energy_kWh).toBeCloseTo(0.2946, 9);
    expect(out.assessment.energy_basis).toBe('estimated');
    expect(out.assessment.sources.energy_estimate).toMatch(/^estimated: CCF/);
    expect(out.assumptions).toContain('30 runs per 30 days from the schedule "0 2 * * *"');
    expect(out.better_schedule).toMatchObject({
      time_zone: 'Asia/Seoul',
      cron: expect.stringMatching(/^0 \d+ \* \* \*$/),
    });
    expect(out.better_schedule.savings_percent).toBeGreaterThanOrEqual(0);
  });

  test('strict parsing: duplicate keys, several documents, a missing CPU request, another kind, too large', async () => {
    const client = await connected();
    const call = (args: Record<string, unknown>) =>
      client.callTool({ name: 'estimate_manifest', arguments: { namespace: 'shop', ...args } });
    const rejects = async (args: Record<string, unknown>, message: RegExp) => {
      const promise = call(args);
      await expect(promise).rejects.toBeInstanceOf(McpError);
      await expect(promise).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(message) });
    };
    await rejects(
      { manifest: 'kind: Deployment\nkind: Job\n' },
      /manifest: not valid YAML\/JSON: .*[Mm]ap keys must be unique/,
    );
    await rejects(
      { manifest: `${deployment}---\n${deployment}` },
      /manifest: exactly one YAML or JSON document/,
    );
    await rejects(
      { manifest: deployment.replace('resources: {requests: {cpu: "0.5"}}', 'resources: {}') },
      /manifest\.spec\.template\.spec\.containers\.1\.resources\.requests\.cpu: container "sidecar" has no CPU request/,
    );
    await rejects(
      { manifest: deployment.replace('kind: Deployment', 'kind: StatefulSet') },
      /manifest\.kind/,
    );
    await rejects({ manifest: cronJob }, /run_hours: required for a CronJob/);
    await rejects({ manifest: `${deployment}#${'x'.repeat(70_000)}` }, /manifest/);
    // No policy to assess it under: a tool error that says what to do.
    const none = await call({ manifest: deployment, namespace: 'nowhere' });
    expect(none.isError).toBe(true);
    expect((none.content as Array<{ text: string }>)[0]!.text).toMatch(
      /No CarbonCompliancePolicy .* "nowhere": apply one/,
    );
  });
});

describe('estimate_manifest bounds', () => {
  test('absurd CPU requests are a 400-class error naming the container, never a crash', async () => {
    const client = await connected();
    const promise = client.callTool({
      name: 'estimate_manifest',
      arguments: { namespace: 'shop', manifest: deployment.replace('cpu: 500m', 'cpu: 1e300') },
    });
    await expect(promise).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(
        /containers\.0\.resources\.requests\.cpu: container "app" requests more than 1000 cores/,
      ),
    });
  });
});
