// The Kepler endpoint goes down, hangs, returns garbage, returns 50 MB: the real operator process keeps
// the last good assessment in status, says why in its conditions, does not crash, recovers when Kepler
// does, and its peak RSS stays bounded.
import { jest } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { freeLoopbackPort } from '../../hack/testenv/control-plane.js';
import { testKubeConfig, testKubeconfigPath } from '../../hack/testenv/env.js';
import { createHandMadeWorkloads, deploymentPlan } from '../../hack/testenv/hand-made-workloads.js';
import { operatorArguments } from '../../hack/demo/operator-arguments.js';
import {
  startFaultyKeplerWithCa,
  type FaultyKepler,
  type KeplerFault,
} from '../../hack/testenv/faulty-kepler.js';
import {
  createPolicy,
  installPolicyCrd,
  readPolicy,
  waitForPolicy,
} from '../../hack/testenv/cluster-fixtures.js';
import { processMemory, reportFigures } from '../../hack/testenv/process-memory.js';
import { SpawnedNodeProcess } from '../../hack/testenv/spawned-node-process.js';

const NAMESPACE = 'resilience-kepler';
const POLICY = 'kepler-faults';
const PEAK_RSS_LIMIT_MiB = 350;

jest.setTimeout(600_000);

describe('operator when Kepler misbehaves', () => {
  const kc = testKubeConfig();
  const api = kc.makeApiClient(CustomObjectsApi);
  const pkiDir = mkdtempSync(join(tmpdir(), 'carbon-kepler-resilience-'));
  let kepler: FaultyKepler;
  let operator: SpawnedNodeProcess;
  let good: CarbonCompliancePolicy;

  const read = () => readPolicy(api, NAMESPACE, POLICY);
  const condition = (policy: CarbonCompliancePolicy, type: string) =>
    policy.status?.conditions?.find((c) => c.type === type);

  const waitFor = (what: string, test: (p: CarbonCompliancePolicy) => boolean, timeoutMs = 120_000) =>
    waitForPolicy(operator, read, what, test, timeoutMs);

  beforeAll(async () => {
    installPolicyCrd();
    const pods = await createHandMadeWorkloads(kc, [
      deploymentPlan(NAMESPACE, 'api', { package_watts: 20, dram_watts: 3 }),
    ]);
    // All pods on one endpoint: the faults then hit the whole source, not one node of several.
    const started = await startFaultyKeplerWithCa(pkiDir, 'resilience-kepler-ca', pods);
    kepler = started.kepler;
    const ca = started.ca;
    await createPolicy(kc, NAMESPACE, POLICY, {
      selector: { matchLabels: { app: 'api' } },
      standard: 'KR_CARBON_2050',
      site: { zone: 'KR', pue: 1.3 },
      window: '24h',
      interval: '5s',
      language: 'en',
    });
    operator = new SpawnedNodeProcess(
      'operator',
      'dist/operator/main.js',
      operatorArguments({
        keplerUrls: [kepler.url],
        caPath: ca.certPath,
        kubeconfigPath: testKubeconfigPath(),
        healthPort: await freeLoopbackPort(),
        watchNamespace: NAMESPACE,
        leaderElection: false,
      }),
      { KUBECONFIG: testKubeconfigPath(), LOG_LEVEL: 'info' },
    );
  });

  afterAll(async () => {
    if (operator) {
      const memory = operator.alive ? processMemory(operator.pid) : undefined;
      reportFigures('kepler-faults.operator', {
        peak_rss_MiB: memory?.peakRss_MiB ?? -1,
        rss_MiB: memory?.rss_MiB ?? -1,
        scrapes_ok: kepler?.requests.ok ?? 0,
        scrapes_slow: kepler?.requests.slow ?? 0,
        scrapes_garbage: kepler?.requests.garbage ?? 0,
        scrapes_huge: kepler?.requests.huge ?? 0,
      });
      await operator.stop();
    }
    await kepler?.stop();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  it('assesses the workload from good Kepler data', async () => {
    const { policy, ms } = await waitFor(
      'a measured assessment',
      (p) =>
        !!p.status?.summary &&
        p.status.summary.status !== 'INSUFFICIENT_DATA' &&
        condition(p, 'MetricsAvailable')?.status === 'True',
    );
    good = policy;
    reportFigures('kepler-faults.first-assessment', { ms, status: policy.status!.summary!.status });
    expect(policy.status!.summary!.workloads).toBe(1);
    expect(policy.status!.workloads![0]!.workload).toBe('api');
  });

  /**
   * The source failing shows in MetricsAvailable: False (whole source down, status marked stale) or
   * True/PartialData naming the failed target (the operator still holds integrated energy for the
   * window). Either way the message must say which target failed and why.
   */
  const failing = (p: CarbonCompliancePolicy) => {
    const metrics = condition(p, 'MetricsAvailable');
    if (!metrics) return false;
    if (metrics.status === 'False') return !!p.status?.stale;
    return metrics.reason === 'PartialData' && metrics.message.includes(kepler.url);
  };
  const healthy = (p: CarbonCompliancePolicy) => {
    const metrics = condition(p, 'MetricsAvailable');
    return metrics?.status === 'True' && metrics.reason !== 'PartialData' && !p.status?.stale;
  };

  /** The MetricsAvailable reason each fault must produce (a hang is a timeout, not "unreachable"). */
  const expectedReason: Record<Exclude<KeplerFault, 'ok'>, string> = {
    down: 'Unreachable',
    slow: 'Timeout',
    garbage: 'ParseError',
    huge: 'BodyTooLarge',
  };

  it.each<Exclude<KeplerFault, 'ok'>>(['down', 'slow', 'garbage', 'huge'])(
    'keeps the last good assessment when Kepler is %s, says why, and recovers',
    async (fault) => {
      const faultStartedAt = Date.now();
      await kepler.setMode(fault);
      const { policy: failed, ms: detectMs } = await waitFor(`the ${fault} fault reported`, failing);
      const reason = condition(failed, 'MetricsAvailable')!;
      expect(`${reason.status}/${reason.reason}`).toBe(`False/${expectedReason[fault]}`);
      // The assessment is still there: same verdict and workloads as the good one, and its
      // evaluation time is that of the last good evaluation (before the fault), not a new one.
      expect(failed.status!.summary!.status).toBe(good.status!.summary!.status);
      expect(failed.status!.summary!.workloads).toBe(good.status!.summary!.workloads);
      expect(failed.status!.workloads?.map((w) => w.workload)).toEqual(['api']);
      const lastGoodEvaluation = failed.status!.lastEvaluationTime!;
      // Until a fault is detected the source still serves the energy it integrated before it, so an
      // evaluation may land after the fault began (a trickling body is only cut by the 30 s scrape
      // deadline); none lands after the fault was reported, and none while it lasts (below).
      expect(Date.parse(lastGoodEvaluation)).toBeLessThanOrEqual(faultStartedAt + detectMs);
      expect(reason.message.length).toBeGreaterThan(0);
      // Some more failing scrapes: nothing erases the assessment, the process stays up.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const later = await read();
      expect(later.status!.summary!.status).toBe(good.status!.summary!.status);
      expect(later.status!.workloads?.map((w) => w.workload)).toEqual(['api']);
      expect(later.status!.lastEvaluationTime).toBe(lastGoodEvaluation);
      expect(failing(later)).toBe(true);
      expect(operator.alive).toBe(true);
      const memory = processMemory(operator.pid);

      await kepler.setMode('ok');
      const { policy: recovered, ms: recoverMs } = await waitFor(`recovery after ${fault}`, healthy, 180_000);
      reportFigures(`kepler-faults.${fault}`, {
        detect_ms: detectMs,
        recover_ms: recoverMs,
        condition: `${reason.status}/${reason.reason}`,
        rss_MiB: memory.rss_MiB,
        peak_rss_MiB: memory.peakRss_MiB,
      });
      expect(recovered.status!.summary!.status).not.toBe('INSUFFICIENT_DATA');
      expect(Date.parse(recovered.status!.lastEvaluationTime!)).toBeGreaterThan(
        Date.parse(lastGoodEvaluation),
      );
      expect(memory.peakRss_MiB).toBeLessThan(PEAK_RSS_LIMIT_MiB);
    },
  );
});
