// One truth: the same readings through the three surfaces give the same figures. The CLI reads two
// real Kepler 0.11 expositions an hour apart; the operator (real reconciler, real engine, status
// written to the real kube-apiserver) gets the same per-pod energy for that hour; the MCP server
// (spawned carbon-mcp, SDK client over stdio) and its REST API read that status back. Intensity,
// emissions, monthly projection, every saving (kg, kWh, KRW, USD), SCI, the accounting figures and
// the regional-migration figures must agree, and get_regional_comparison must give the same cut for
// the region the status advises.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import {
  createDeploymentWithReplicaSet,
  createOwnedPod,
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
} from '../../hack/testenv/cluster-fixtures.js';
import { frontEndCommand, spawnFrontEnd } from '../../hack/testenv/spawned-front-end.js';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { run as runCli } from '../../operator/cli/carbon-kepler.js';
import { createPolicyEvaluator } from '../../operator/controller/policy-evaluator.js';
import { KubeRestClient } from '../../operator/kube/kube-rest-client.js';
import type {
  MetricsCollection,
  MetricsSource,
  CollectedPodEnergy,
} from '../../operator/sources/metrics-source.js';
import type { PodView } from '../../operator/kube/pod-view.js';
import { policyPath } from '../../operator/controller/status-writer.js';
import type { SupervisedInformer } from '../../operator/kube/supervised-informer.js';
import type { WorkloadAssessment } from '../../operator/domain/types.js';
import { podHoursOf } from '../../operator/sources/pod-hours.js';

const NS = 'one-truth';
const RS = 'trainer-5d8f7c9b4';
const PODS = [
  { name: `${RS}-x2k4p`, joules: 0.25 * 3.6e6 },
  { name: `${RS}-q8x2m`, joules: 0.35 * 3.6e6 },
];
// 10:00–11:00 KST on a spring weekday: the KR modelled profile and the KEPCO tariff both apply.
const T1 = '2026-04-14T01:00:00Z';
const T2 = '2026-04-14T02:00:00Z';

/** A Kepler 0.11 exposition with the pods' package counters at `offsetJoules` above a base. */
function exposition(extra: (p: (typeof PODS)[number]) => number): string {
  const lines = [
    '# HELP kepler_pod_cpu_joules_total Energy consumption of cpu at pod level in joules',
    '# TYPE kepler_pod_cpu_joules_total counter',
  ];
  PODS.forEach((p, i) => {
    lines.push(
      `kepler_pod_cpu_joules_total{node_name="worker-1",pod_id="00000000-0000-4000-8000-00000000000${i}",pod_name="${p.name}",pod_namespace="${NS}",state="running",zone="package"} ${1000 + extra(p)}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The same readings handed to the operator: each pod's energy in the hour of the two scrapes. */
class SameReadingsSource implements MetricsSource {
  description = 'the readings the CLI integrates from the two expositions';
  collect(): Promise<MetricsCollection> {
    const pods = new Map<string, CollectedPodEnergy>();
    for (const p of PODS) {
      pods.set(`${NS}/${p.name}`, {
        namespace: NS,
        pod: p.name,
        hours: podHoursOf([{ hourStart: T1, energy_kWh: p.joules / 3.6e6 }]),
        power_watts: p.joules / 3600,
      });
    }
    return Promise.resolve({
      pods,
      zonesCounted: ['package'],
      energyProvenance: 'measured: kepler 0.11 (same readings as the CLI)',
      dataQuality: [],
      errors: [],
      // Observed from the first of the CLI's two scrapes: the 30-day projection scales the same hour.
      observedSinceMs: Date.parse(T1),
    });
  }
}

type Figures = Pick<
  WorkloadAssessment,
  | 'status'
  | 'current_carbon_intensity_gCO2eq_kWh'
  | 'grid_intensity_gCO2eq_kWh'
  | 'gap_percent'
  | 'pue'
  | 'energy_kWh'
  | 'emissions_gCO2eq'
  | 'monthly_projection'
  | 'sci_gCO2eq_per_workload_hour'
  | 'accounting'
  | 'pue_certification_points'
> & { optimizations: Array<Record<string, unknown>> };

/** The figures every surface must agree on (sentences and data-source prose excluded). A null the
 * API server dropped from the stored status counts as null. */
function figures(a: WorkloadAssessment): Figures {
  return {
    status: a.status,
    current_carbon_intensity_gCO2eq_kWh: a.current_carbon_intensity_gCO2eq_kWh,
    grid_intensity_gCO2eq_kWh: a.grid_intensity_gCO2eq_kWh,
    gap_percent: a.gap_percent ?? null,
    pue: a.pue,
    energy_kWh: a.energy_kWh,
    emissions_gCO2eq: a.emissions_gCO2eq,
    monthly_projection: { ...a.monthly_projection, basis: '' },
    sci_gCO2eq_per_workload_hour: a.sci_gCO2eq_per_workload_hour ?? null,
    accounting: { ...a.accounting, source: '' },
    pue_certification_points: a.pue_certification_points ?? null,
    optimizations: a.optimizations.map((o) => ({
      type: o.type,
      estimated_reduction_percent: o.estimated_reduction_percent,
      savings_per_month: o.savings_per_month,
      ...(o.targetRegion ? { targetRegion: o.targetRegion } : {}),
      ...(o.schedule ? { schedule: o.schedule } : {}),
    })),
  };
}

describe('one truth: CLI, operator status and MCP/REST give the same figures', () => {
  const client = new KubeRestClient(testKubeConfig());
  let tmp: string;
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  let cliAssessment: WorkloadAssessment;
  let statusAssessment: WorkloadAssessment;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'one-truth-'));
    installPolicyCrd();
    kubectl('create', 'namespace', NS);
    const { replicaSet } = await createDeploymentWithReplicaSet(
      client,
      NS,
      { deployment: 'trainer', replicaSet: RS },
      { app: 'trainer' },
    );
    for (const p of PODS) await createOwnedPod(client, NS, p.name, { app: 'trainer' }, replicaSet);

    // CLI: the two expositions, an hour apart.
    const first = join(tmp, 'first.prom');
    const second = join(tmp, 'second.prom');
    writeFileSync(
      first,
      exposition(() => 0),
    );
    writeFileSync(
      second,
      exposition((p) => p.joules),
    );
    let out = '';
    const code = await runCli(
      [
        'assess',
        '--metrics',
        `${first}@${T1}`,
        '--metrics',
        `${second}@${T2}`,
        '--workload',
        'trainer',
        '--namespace',
        NS,
        '--kind',
        'Deployment',
        '--zone',
        'KR',
        '--pue',
        '1.3',
        '--lang',
        'en',
        '--output',
        'json',
        '--at',
        T2,
      ],
      { stdout: (t) => (out += t), stderr: () => undefined, now: () => Date.parse(T2) },
    );
    expect([0, 1]).toContain(code);
    cliAssessment = JSON.parse(out) as WorkloadAssessment;

    // Operator: the same site as a policy, reconciled at the CLI's time against the real API server.
    await client.create(policyPath(NS), {
      apiVersion: 'carbon-aware.dev/v1alpha1',
      kind: 'CarbonCompliancePolicy',
      metadata: { name: 'one-truth' },
      spec: {
        selector: { matchLabels: { app: 'trainer' } },
        site: { zone: 'KR', pue: 1.3 },
        window: '2h',
        language: 'en',
      },
    });
    ({ policies, pods } = await startOperatorInformers());
    const reconciler = reconcilerOnTestPlane(client, {
      policies,
      pods,
      source: new SameReadingsSource(),
      evaluator: createPolicyEvaluator(),
      logger: pino({ level: 'silent' }),
      clock: () => new Date(T2),
    });
    await reconciler.handle(`${NS}/one-truth`);
    const written = fromStoredPolicy(await client.get<CarbonCompliancePolicy>(`${policyPath(NS)}/one-truth`));
    statusAssessment = written.status!.workloads!.find((w) => w.workload === 'trainer')!;
  }, 180_000);

  afterAll(() => {
    policies?.stop();
    pods?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the CLI and the operator status agree on every figure', () => {
    expect(statusAssessment.energy_kWh).toBeCloseTo(0.6, 9);
    expect(figures(cliAssessment)).toEqual(figures(statusAssessment));
    // K-ETS is priced on both (it used to be CLI-only with --carbon-price).
    expect(cliAssessment.sources.cost).toMatch(/K-ETS/);
    expect(statusAssessment.sources.cost).toMatch(/K-ETS/);
  });

  test('the MCP tools over stdio and the REST API answer with the status figures', async () => {
    const transport = new StdioClientTransport({
      command: frontEndCommand.command,
      args: frontEndCommand.args,
      env: {
        ...(process.env as Record<string, string>),
        KUBECONFIG: testKubeconfigPath(),
        LOG_LEVEL: 'warn',
      },
      stderr: 'pipe',
    });
    const mcp = new Client({ name: 'one-truth', version: '1' });
    await mcp.connect(transport);
    const http = await spawnFrontEnd([], { KUBECONFIG: testKubeconfigPath(), LOG_LEVEL: 'info' });
    try {
      const args = { workload_name: 'trainer', namespace: NS };
      let assessed = await mcp.callTool({ name: 'assess_workload_compliance', arguments: args });
      for (let i = 0; i < 80 && assessed.isError; i += 1) {
        await new Promise((r) => setTimeout(r, 250)); // the server's watch catches up with the status
        assessed = await mcp.callTool({ name: 'assess_workload_compliance', arguments: args });
      }
      expect(assessed.isError).toBeFalsy();
      const viaMcp = assessed.structuredContent as unknown as WorkloadAssessment;
      expect(figures(viaMcp)).toEqual(figures(statusAssessment));

      let rest: WorkloadAssessment | undefined;
      for (let i = 0; i < 80 && !rest; i += 1) {
        const response = await fetch(`${http.url}/tools/assess_workload_compliance`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
        if (response.ok) rest = (await response.json()) as WorkloadAssessment;
        else await new Promise((r) => setTimeout(r, 250));
      }
      expect(figures(rest!)).toEqual(figures(statusAssessment));

      const impact = await mcp.callTool({ name: 'compare_optimization_impact', arguments: args });
      const impactFigures = impact.structuredContent as {
        baseline: { carbon_intensity_gCO2eq_kWh: number; monthly_emissions_kgCO2eq: number };
        optimizations: Array<{ type: string; savings_per_month: unknown }>;
      };
      expect(impactFigures.baseline.carbon_intensity_gCO2eq_kWh).toBe(
        statusAssessment.current_carbon_intensity_gCO2eq_kWh,
      );
      expect(impactFigures.baseline.monthly_emissions_kgCO2eq).toBe(
        statusAssessment.monthly_projection.emissions_kgCO2eq,
      );
      for (const o of statusAssessment.optimizations) {
        expect(impactFigures.optimizations.find((x) => x.type === o.type)?.savings_per_month).toEqual(
          o.savings_per_month,
        );
      }

      // Regional migration: the tool's cut for the advised region is the status's cut.
      const migration = statusAssessment.optimizations.find((o) => o.type === 'regional_migration');
      expect(migration).toBeDefined();
      const compared = await mcp.callTool({
        name: 'get_regional_comparison',
        arguments: { ...args, candidate_regions: [migration!.targetRegion!] },
      });
      const region = (
        compared.structuredContent as { regions: Array<{ region: string; reduction_percent: number }> }
      ).regions[0]!;
      expect(region.region).toBe(migration!.targetRegion);
      expect(region.reduction_percent).toBeCloseTo(migration!.estimated_reduction_percent, 1);
    } finally {
      await mcp.close();
      await http.stop();
    }
  }, 180_000);
});
