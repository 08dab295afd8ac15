// Two inputs on the real API server: live grid data (operator flags → the real Electricity Maps
// client → a local HTTPS server replaying recorded responses) and the standards file reloaded after
// an edit. Each changes what `kubectl get carboncompliance -o yaml` shows: hours counted as live, the
// GridDataLive condition, the target after an edit, and StandardsCatalogue=False with a Warning Event
// for a bad edit. Energy comes from a scripted in-process source (the Kepler sources have their own
// integration tests).
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { testKubeConfig } from '../../hack/testenv/env.js';
import { ScriptedMetricsSource } from '../../hack/testenv/scripted-metrics-source.js';
import {
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
  waitUntil,
} from '../../hack/testenv/cluster-fixtures.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { dataFilePath } from '../reference-data/data-files.js';
import { startReplayServer, type ReplayServer } from '../../hack/testenv/electricity-maps-replay-server.js';
import { createWatchedPolicyEvaluator } from './policy-evaluator.js';
import { KubeEventRecorder } from '../kube/event-recorder.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import { createLiveGrid, type LiveGrid } from './live-grid-factory.js';
import { loadOperatorConfig } from './operator-config.js';
import type { PodView } from '../kube/pod-view.js';
import { policyPath } from './status-writer.js';
import type { SupervisedInformer } from '../kube/supervised-informer.js';
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import { podHoursOf } from '../sources/pod-hours.js';

const NS = 'grid-live';
const logger = pino({ level: 'silent' });
const shownByKubectl = (name: string) =>
  fromStoredPolicy(
    JSON.parse(kubectl('get', 'carboncompliance', '-n', NS, name, '-o', 'json')) as CarbonCompliancePolicy,
  );

/** The kubelet's ConfigMap update: a new versioned directory, then `..data` renamed over. */
function configMapMount(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'standards-cm-'));
  let version = 0;
  const write = (content: string) => {
    version += 1;
    mkdirSync(join(dir, `..v${version}`));
    writeFileSync(join(dir, `..v${version}`, 'standards.yaml'), content);
    symlinkSync(`..v${version}`, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  write(text);
  symlinkSync('..data/standards.yaml', join(dir, 'standards.yaml'));
  return {
    path: join(dir, 'standards.yaml'),
    write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('live grid data and standards reload on a real API server', () => {
  const client = new KubeRestClient(testKubeConfig());
  const source = new ScriptedMetricsSource();
  // Inside the recorded history (2026-10-07T15:00Z … 2026-10-08T14:00Z).
  const now = new Date('2026-10-08T14:30:00Z');
  const shipped = readFileSync(dataFilePath('standards.yaml'), 'utf8');
  const withTarget = (target: number) =>
    shipped.replace(
      /(code: KR_CARBON_2050[\s\S]*?carbonTarget_gCO2eq_kWh:\s*\n\s*value:\s*)424/,
      `$1${target}`,
    );
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;
  let server: ReplayServer;
  let live: LiveGrid;
  let mount: ReturnType<typeof configMapMount>;
  let catalogueChanged: () => void = () => undefined;
  let engine: ReturnType<typeof createWatchedPolicyEvaluator>;

  const reconciler = (evaluator: ReturnType<typeof createWatchedPolicyEvaluator>['evaluator']) =>
    reconcilerOnTestPlane(client, {
      policies,
      pods,
      source,
      evaluator,
      events: new KubeEventRecorder(client, 'carbon-aware-operator', 'itest', logger),
      logger,
      clock: () => now,
    });

  beforeAll(async () => {
    installPolicyCrd();
    kubectl('create', 'namespace', NS);
    await client.create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'etl-1', labels: { app: 'etl' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    for (const name of ['live', 'modelled']) {
      await client.create(policyPath(NS), {
        apiVersion: 'carbon-aware.dev/v1alpha1',
        kind: 'CarbonCompliancePolicy',
        metadata: { name },
        spec: { selector: { matchLabels: { app: 'etl' } }, site: { zone: 'KR', pue: 1.2 }, language: 'en' },
      });
    }
    source.readings.set(`${NS}/etl-1`, {
      namespace: NS,
      pod: 'etl-1',
      hours: podHoursOf([
        { hourStart: '2026-10-08T10:00:00Z', energy_kWh: 0.5 },
        { hourStart: '2026-10-08T11:00:00Z', energy_kWh: 0.5 },
      ]),
    });
    server = await startReplayServer();
    mount = configMapMount(shipped);
    // The operator's own wiring: flags → createLiveGrid → createWatchedPolicyEvaluator (main.ts does the same).
    const config = loadOperatorConfig(['--standards-file', mount.path, ...server.operatorFlags], {});
    live = createLiveGrid(
      config,
      logger,
      () => undefined,
      () => now,
    )!;
    engine = createWatchedPolicyEvaluator(logger, {
      standardsFile: config.standardsFile!,
      liveGrid: live.refresher,
      onCatalogueChange: () => catalogueChanged(),
    });
    ({ policies, pods } = await startOperatorInformers(NS));
    await waitUntil('the informer cache', () => policies.list(NS).length === 2 && pods.list(NS).length === 1);
  }, 120_000);

  afterAll(async () => {
    policies?.stop();
    pods?.stop();
    engine?.close();
    await live?.close();
    await server?.close();
    mount?.remove();
  });

  it('without a live provider: every hour modelled, no GridDataLive condition', async () => {
    const plain = createWatchedPolicyEvaluator(logger);
    await reconciler(plain.evaluator).handle(`${NS}/modelled`);
    const shown = shownByKubectl('modelled');
    expect(shown.status?.summary?.grid_hours_by_source).toEqual({ live: 0, modelled: 24, annual: 0 });
    expect(shown.status?.workloads?.[0]?.grid_hours_by_source).toEqual({ live: 0, modelled: 2, annual: 0 });
    expect(shown.status?.conditions?.map((c) => c.type)).not.toContain('GridDataLive');
  });

  it('with Electricity Maps configured: hours counted as live and GridDataLive=True', async () => {
    await live.refresher.refreshZone('KR');
    await reconciler(engine.evaluator).handle(`${NS}/live`);
    const shown = shownByKubectl('live');
    expect(shown.status?.summary?.grid_hours_by_source).toEqual({ live: 24, modelled: 0, annual: 0 });
    expect(shown.status?.summary?.grid_source_by_hour?.sources).toHaveLength(24);
    const workload = shown.status!.workloads![0]!;
    expect(workload.grid_hours_by_source).toEqual({ live: 2, modelled: 0, annual: 0 });
    // The recorded KR history: 10:00Z → 462, 11:00Z → 460 g/kWh (19:00 and 20:00 KST on 2026-10-08).
    expect(workload.grid_intensity_gCO2eq_kWh).toBe(461);
    expect(shownByKubectl('modelled').status?.workloads?.[0]?.grid_intensity_gCO2eq_kWh).not.toBe(461);
    expect(workload.sources.grid_intensity).toMatch(/^live: Electricity Maps API v3/);
    expect(shown.status?.conditions?.find((c) => c.type === 'GridDataLive')).toMatchObject({
      status: 'True',
      reason: 'LiveDataInUse',
    });
  });

  it('when the provider fails: GridDataLive=False with the reason, the verdict still computed', async () => {
    server.mode = 'unauthorized';
    await live.refresher.refreshZone('KR');
    await reconciler(engine.evaluator).handle(`${NS}/live`);
    const shown = shownByKubectl('live');
    const condition = shown.status?.conditions?.find((c) => c.type === 'GridDataLive');
    expect(condition).toMatchObject({ status: 'False', reason: 'Unauthorized' });
    expect(condition?.message).toMatch(/HTTP 401/);
    // Points fetched before the failure still serve their hours; the verdict is there.
    expect(shown.status?.summary?.grid_hours_by_source?.live).toBe(24);
    expect(shown.status?.summary?.status).not.toBe('INSUFFICIENT_DATA');
    server.mode = 'ok';
  });

  it('a standards edit changes the status without a restart; a bad edit keeps the last good one and warns', async () => {
    expect(shownByKubectl('live').status?.summary?.target_gCO2eq_kWh).toBe(424);
    let changed = new Promise<void>((resolve) => (catalogueChanged = resolve));
    mount.write(withTarget(300));
    await changed;
    await reconciler(engine.evaluator).handle(`${NS}/live`);
    let shown = shownByKubectl('live');
    expect(shown.status?.summary?.target_gCO2eq_kWh).toBe(300);
    expect(shown.status?.conditions?.find((c) => c.type === 'StandardsCatalogue')).toMatchObject({
      status: 'True',
      reason: 'Loaded',
    });

    changed = new Promise<void>((resolve) => (catalogueChanged = resolve));
    mount.write(withTarget(300).replace('standards:', 'standards:\n  - code: [unclosed'));
    await changed;
    await waitUntil(
      'the informer cache',
      () => policies.get(NS, 'live')?.status?.summary?.target_gCO2eq_kWh === 300,
    );
    await reconciler(engine.evaluator).handle(`${NS}/live`);
    shown = shownByKubectl('live');
    expect(shown.status?.summary?.target_gCO2eq_kWh).toBe(300);
    const condition = shown.status?.conditions?.find((c) => c.type === 'StandardsCatalogue');
    expect(condition).toMatchObject({ status: 'False', reason: 'InvalidCatalogue' });
    expect(condition?.message).toMatch(/not valid YAML: .*line \d+/);
    const events = JSON.parse(kubectl('get', 'events', '-n', NS, '-o', 'json')) as {
      items: Array<{ type: string; reason: string; message: string; involvedObject: { name: string } }>;
    };
    const warning = events.items.find((e) => e.reason === 'StandardsCatalogueInvalid');
    expect(warning).toMatchObject({ type: 'Warning', involvedObject: { name: 'live' } });
    expect(warning?.message).toMatch(/line \d+/);
  });
});
