// Usage for right-sizing on the real API server, from both usage sources the operator can be given:
// - a REAL Prometheus scraping cAdvisor-shaped series (container_cpu_usage_seconds_total,
//   container_memory_working_set_bytes) from a small exporter started here;
// - the metrics.k8s.io API of the REAL kube-apiserver, aggregated (an APIService backed by a Service
//   whose endpoint is a local HTTPS server with a certificate made here, serving PodMetrics in the
//   API's documented shape: metrics-server itself cannot run without kubelets).
// Each source is built from the operator's flags (loadOperatorConfig → createUsageSource, as main.ts
// does), and each changes what `kubectl get carboncompliance -o yaml` shows: the right_sizing proposal
// with its resources patch, the usage figures with their source and sample count, UsageAvailable.
// Energy comes from a scripted in-process source (the Kepler sources have their own integration tests).
import { fromStoredPolicy } from '../api/v1alpha1/field-names.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { issueCertificate, makeCertificateAuthority } from '../../hack/testenv/certificates.js';
import { testKubeConfig } from '../../hack/testenv/env.js';
import { ScriptedMetricsSource } from '../../hack/testenv/scripted-metrics-source.js';
import {
  installPolicyCrd,
  kubectl,
  reconcilerOnTestPlane,
  startOperatorInformers,
} from '../../hack/testenv/cluster-fixtures.js';
import {
  prometheusAvailable,
  startTestPrometheus,
  type TestPrometheus,
} from '../../hack/testenv/prometheus.js';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import { MetricsApiUsageSampler } from '../sources/metrics-api-usage.js';
import { PrometheusClient } from '../sources/prometheus-source.js';
import { PrometheusUsageSource, podUsageExpressions } from '../sources/prometheus-usage.js';
import { quantile } from '../sources/usage-percentile.js';
import { createPolicyEvaluator } from './policy-evaluator.js';
import { KubeRestClient, isKubeApiError } from '../kube/kube-rest-client.js';
import { loadOperatorConfig } from './operator-config.js';
import type { PodView } from '../kube/pod-view.js';
import { policyPath } from './status-writer.js';
import type { SupervisedInformer } from '../kube/supervised-informer.js';
import { createUsageSource, type ConfiguredUsage } from './usage-source-factory.js';
import type { UsageSource } from '../sources/usage-source.js';
import { podHoursOf } from '../sources/pod-hours.js';

const PROM_NS = 'usage-prom';
const API_NS = 'usage-api';
const MIB = 2 ** 20;
const logger = pino({ level: 'silent' });
/** What `kubectl get carboncompliance -o json` shows. */
const shownByKubectl = (namespace: string, name: string) =>
  fromStoredPolicy(
    JSON.parse(
      kubectl('get', 'carboncompliance', '-n', namespace, name, '-o', 'json'),
    ) as CarbonCompliancePolicy,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A pod with one container `app` requesting 1 core and 1 GiB. */
async function createPod(client: KubeRestClient, namespace: string, name: string) {
  await client.create(`/api/v1/namespaces/${namespace}/pods`, {
    metadata: { name, labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
    },
  });
}

async function createPolicy(client: KubeRestClient, namespace: string, name: string) {
  await client.create(policyPath(namespace), {
    apiVersion: 'carbon-aware.dev/v1alpha1',
    kind: 'CarbonCompliancePolicy',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      site: { zone: 'KR', pue: 1.2 },
      window: '2h',
      language: 'en',
    },
  });
}

/**
 * cAdvisor-shaped series for one pod, as the kubelet's /metrics/cadvisor exposes them: container "app"
 * at 0.25 cores and 200 MiB, plus the pod cgroup (container="") and the pause container ("POD"),
 * which the usage query must not add on top (they would double the pod).
 */
function startCadvisorExporter(): Promise<{ server: Server; port: number }> {
  const started = Date.now();
  const server = createHttpServer((_req, res) => {
    const elapsedS = (Date.now() - started) / 1000;
    const labels = (container: string) =>
      `container="${container}",namespace="${PROM_NS}",pod="web-1",id="/kubepods/pod-web-1/${container}"`;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
        '# TYPE container_cpu_usage_seconds_total counter',
        `container_cpu_usage_seconds_total{${labels('app')}} ${0.25 * elapsedS}`,
        `container_cpu_usage_seconds_total{${labels('POD')}} ${0.001 * elapsedS}`,
        `container_cpu_usage_seconds_total{${labels('')}} ${0.251 * elapsedS}`,
        '# HELP container_memory_working_set_bytes Current working set in bytes.',
        '# TYPE container_memory_working_set_bytes gauge',
        `container_memory_working_set_bytes{${labels('app')}} ${200 * MIB}`,
        `container_memory_working_set_bytes{${labels('POD')}} ${MIB}`,
        `container_memory_working_set_bytes{${labels('')}} ${201 * MIB}`,
        '',
      ].join('\n'),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

/** This machine's first non-loopback IPv4 address: Endpoints may not point at loopback. */
function nonLoopbackIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces()))
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('usage for right-sizing on a real API server', () => {
  const client = new KubeRestClient(testKubeConfig());
  const energy = new ScriptedMetricsSource('scripted test energy');
  let policies: SupervisedInformer<CarbonCompliancePolicy>;
  let pods: SupervisedInformer<PodView>;

  const reconciler = (usage: UsageSource | undefined) =>
    reconcilerOnTestPlane(client, {
      policies,
      pods,
      source: energy,
      ...(usage ? { usage } : {}),
      evaluator: createPolicyEvaluator(),
      logger,
    });

  beforeAll(async () => {
    installPolicyCrd();
    for (const ns of [PROM_NS, API_NS]) {
      kubectl('create', 'namespace', ns);
      await createPod(client, ns, 'web-1');
      await createPolicy(client, ns, 'sizing');
      // 0.4 kWh in the current hour: right-sizing is advised only for workloads with energy.
      const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
      energy.readings.set(`${ns}/web-1`, {
        namespace: ns,
        pod: 'web-1',
        hours: podHoursOf([{ hourStart: hourStart.replace(/\.\d{3}Z$/, 'Z'), energy_kWh: 0.4 }]),
      });
    }
    ({ policies, pods } = await startOperatorInformers());
    await waitFor(
      'the caches',
      () =>
        [PROM_NS, API_NS].every((ns) => policies.list(ns).length === 1 && pods.list(ns).length === 1) ||
        undefined,
    );
  }, 120_000);

  afterAll(() => {
    policies?.stop();
    pods?.stop();
  });

  const describeIfPrometheus = prometheusAvailable('right-sizing-usage.itest.ts') ? describe : describe.skip;

  describeIfPrometheus('from Prometheus cAdvisor series', () => {
    let exporter: { server: Server; port: number };
    let prom: TestPrometheus;
    let raw: PrometheusClient;
    let usage: ConfiguredUsage;

    beforeAll(async () => {
      exporter = await startCadvisorExporter();
      prom = await startTestPrometheus({ targets: [`127.0.0.1:${exporter.port}`], scrapeInterval: '1s' });
      raw = await PrometheusClient.create({ url: prom.url, timeoutMs: 10_000 });
      // The operator's wiring: energy straight from Kepler (--source kepler, the default) and a
      // Prometheus URL, so --usage-source auto reads usage from Prometheus.
      const config = loadOperatorConfig(
        ['--prometheus-url', prom.url, '--usage-sample-interval', '1', '--usage-rate-window', '5s'],
        {},
      );
      expect(config.source).toBe('kepler');
      usage = await createUsageSource(config, testKubeConfig(), logger);
      expect(usage.source).toBeInstanceOf(PrometheusUsageSource);
      // 25 one-second samples of the CPU rate: more than the 20 a p95 needs.
      const cpu = podUsageExpressions(PROM_NS, ['web-1'], '5s').cpu_cores;
      await waitFor(
        'Prometheus to hold 25 s of usage',
        async () => {
          const r = await raw.query(`count_over_time((${cpu})[1h:1s])`).catch(() => []);
          return r.length > 0 && r[0]!.v >= 25 ? true : undefined;
        },
        90_000,
      );
    }, 120_000);

    afterAll(async () => {
      await usage?.close();
      await raw?.close();
      await prom?.stop();
      await new Promise((resolve) => exporter?.server.close(resolve));
    });

    it("gives the p95 of the pod's containers (not the pod cgroup or pause container) with the sample count", async () => {
      const to = new Date();
      const from = new Date(to.getTime() - 2 * 3_600_000);
      const c = await usage.source!.collect({ pods: [{ namespace: PROM_NS, name: 'web-1' }], from, to });
      const u = c.pods.get(`${PROM_NS}/web-1`)!;
      expect(u.cpuSamples).toBeGreaterThanOrEqual(25);
      expect(u.memorySamples).toBeGreaterThanOrEqual(25);
      // 0.25 cores: counting container="" or "POD" as well would give 0.502.
      expect(u.cpuP95_cores).toBeGreaterThan(0.2);
      expect(u.cpuP95_cores).toBeLessThan(0.3);
      expect(u.memoryP95_bytes).toBe(200 * MIB);
      expect(c.provenance).toBe(
        'measured: cAdvisor via prometheus (p95 of rate(container_cpu_usage_seconds_total[5s]) and ' +
          "container_memory_working_set_bytes, summed over each pod's containers, one sample every 1 s over the window)",
      );
      // The same p95 from the same samples computed here (usage-percentile.ts, the metrics.k8s.io path's
      // formula): Prometheus's quantile_over_time and ours are one definition.
      const windowS = Math.ceil((to.getTime() - from.getTime()) / 1000);
      const cpuExpr = podUsageExpressions(PROM_NS, ['web-1'], '5s').cpu_cores;
      const matrix = await raw.queryRange(
        cpuExpr,
        Math.floor(to.getTime() / 1000 - windowS) * 1000,
        to.getTime(),
        1,
      );
      const samples = [...matrix[0]!.v];
      expect(samples.length).toBe(u.cpuSamples);
      expect(quantile(samples, 0.95)).toBeCloseTo(u.cpuP95_cores!, 9);
      process.stderr.write(
        `FIGURE usage_prometheus_cpu_p95_cores ${u.cpuP95_cores} samples ${u.cpuSamples}; local quantile ${quantile(samples, 0.95)}\n`,
      );
    });

    it('puts the right-sizing proposal, usage figures and UsageAvailable=True into the policy status', async () => {
      await reconciler(usage.source).handle(`${PROM_NS}/sizing`);
      const shown = shownByKubectl(PROM_NS, 'sizing');
      const w = shown.status!.workloads!.find((x) => x.workload === 'web-1')!;
      expect(w.usage).toMatchObject({
        assessed: true,
        cpuRequest_cores: 1,
        memoryRequest_bytes: 2 ** 30,
        memoryP95_bytes: 200 * MIB,
      });
      expect(w.usage!.samples).toBeGreaterThanOrEqual(25);
      expect(w.sources.usage).toMatch(/^measured: cAdvisor via prometheus .*; \d+ samples per pod at least$/);
      const sizing = w.optimizations.find((o) => o.type === 'right_sizing')!;
      expect(sizing).toBeDefined();
      // p95 + 20 % headroom: ~0.3 cores and exactly 240 MiB for the one container.
      const requests = (
        sizing.resourcesPatch as {
          spec: { containers: Array<{ name: string; resources: { requests: Record<string, string> } }> };
        }
      ).spec.containers[0]!;
      expect(requests.name).toBe('app');
      expect(requests.resources.requests.memory).toBe('240Mi');
      expect(Number(requests.resources.requests.cpu!.replace(/m$/, ''))).toBeGreaterThanOrEqual(250);
      expect(Number(requests.resources.requests.cpu!.replace(/m$/, ''))).toBeLessThanOrEqual(360);
      expect(sizing.capacity_freed!.memory_GiB).toBeCloseTo((1024 - 240) / 1024, 3);
      const condition = shown.status!.conditions!.find((c) => c.type === 'UsageAvailable')!;
      expect(condition).toMatchObject({ status: 'True', reason: 'Collected' });
      expect(condition.message).toMatch(
        /^1 of 1 selected pods have a p95 of CPU and memory usage from prometheus \(cAdvisor series\), \d+(–\d+)? samples per pod$/,
      );
      process.stderr.write(
        `FIGURE usage_prometheus_status ${JSON.stringify({ usage: w.usage, patch: sizing.resourcesPatch })}\n`,
      );
    });

    it('a Prometheus without cAdvisor series: UsageAvailable=False/NoUsageSeries, right-sizing not assessed', async () => {
      const other = await createUsageSource(
        loadOperatorConfig(
          ['--prometheus-url', prom.url, '--usage-sample-interval', '1', '--usage-rate-window', '5s'],
          {},
        ),
        testKubeConfig(),
        logger,
      );
      try {
        // The usage-api namespace has no series in this Prometheus.
        await reconciler(other.source).handle(`${API_NS}/sizing`);
        const shown = shownByKubectl(API_NS, 'sizing');
        expect(shown.status!.conditions!.find((c) => c.type === 'UsageAvailable')).toMatchObject({
          status: 'False',
          reason: 'NoUsageSeries',
          message: expect.stringMatching(
            /^right-sizing not assessed: prometheus \(cAdvisor series\): Prometheus holds no container_cpu_usage_seconds_total/,
          ),
        });
        const w = shown.status!.workloads![0]!;
        expect(w.optimizations.map((o) => o.type)).not.toContain('right_sizing');
        // Unknown figures are absent from the stored status (a merge patch drops nulls), never zero.
        expect(w.usage).toMatchObject({ assessed: false, cpuRequest_cores: 1 });
        expect(w.usage!.cpuP95_cores ?? null).toBeNull();
        expect(w.usage!.reason).toMatch(/^prometheus \(cAdvisor series\): Prometheus holds no/);
        expect(w.sources.usage).toMatch(/^not assessed: prometheus \(cAdvisor series\): Prometheus holds no/);
        // The verdict is still computed.
        expect(shown.status!.summary!.status).toBe('NON_COMPLIANT');
      } finally {
        await other.close();
      }
    });
  });

  describe('from the aggregated metrics.k8s.io API', () => {
    const ip = nonLoopbackIPv4();
    const SERVICE = 'podmetrics-test';
    const served: Array<{ cpu: string; memory: string }> = [];
    let servedTimestampMs = Date.now() - 30 * 60_000;
    let backend: ReturnType<typeof createHttpsServer> | undefined;
    let pki: string;
    let usage: ConfiguredUsage;

    beforeAll(async () => {
      if (!ip) throw new Error('no non-loopback IPv4 address: an aggregated API needs one for its Endpoints');
      const config = loadOperatorConfig(
        ['--usage-source', 'metrics-api', '--usage-sample-interval', '3600'],
        {},
      );
      usage = await createUsageSource(config, testKubeConfig(), logger);
      expect(usage.source).toBeInstanceOf(MetricsApiUsageSampler);
    });

    afterAll(async () => {
      await usage?.close();
      await client
        .delete('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io')
        .catch(() => undefined);
      await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
      if (pki) rmSync(pki, { recursive: true, force: true });
    });

    it('an API server without metrics.k8s.io: UsageAvailable=False/MetricsApiUnavailable, naming what to install', async () => {
      const sampler = usage.source as MetricsApiUsageSampler;
      await reconciler(sampler).handle(`${API_NS}/sizing`); // retains the pod
      await sampler.poll(); // the real API server answers 404
      await reconciler(sampler).handle(`${API_NS}/sizing`);
      const shown = shownByKubectl(API_NS, 'sizing');
      expect(shown.status!.conditions!.find((c) => c.type === 'UsageAvailable')).toMatchObject({
        status: 'False',
        reason: 'MetricsApiUnavailable',
        message: expect.stringMatching(
          /metrics\.k8s\.io\/v1beta1 is not served \(HTTP 404\): install metrics-server/,
        ),
      });
      expect(shown.status!.workloads![0]!.sources.usage).toMatch(/^not assessed: metrics\.k8s\.io/);
    });

    it('PodMetrics polled through the aggregation layer give the p95 and the right-sizing proposal in status', async () => {
      // The backend: HTTPS with a certificate for the Service's DNS name, signed by a CA made here.
      pki = mkdtempSync(join(tmpdir(), 'podmetrics-pki-'));
      const ca = makeCertificateAuthority(pki, 'podmetrics-test-ca');
      const serving = issueCertificate(ca, {
        commonName: `${SERVICE}.${API_NS}.svc`,
        dnsNames: [`${SERVICE}.${API_NS}.svc`],
        usage: 'server',
      });
      // CPU 100m…340m and memory 100…340 MiB over 25 polls: the p95 is known in advance.
      for (let i = 0; i < 25; i++) served.push({ cpu: `${100 + i * 10}m`, memory: `${100 + i * 10}Mi` });
      let polls = 0;
      backend = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
        const url = req.url ?? '';
        res.setHeader('content-type', 'application/json');
        if (
          url.startsWith('/apis/metrics.k8s.io/v1beta1/namespaces/') &&
          url.split('?')[0]!.endsWith('/pods')
        ) {
          const namespace = url.split('/')[5]!;
          const sample = served[Math.min(polls, served.length - 1)]!;
          polls += 1;
          // metrics-server reports when the kubelet measured; here a new 15-s window per request.
          servedTimestampMs += 15_000;
          res.end(
            JSON.stringify({
              kind: 'PodMetricsList',
              apiVersion: 'metrics.k8s.io/v1beta1',
              metadata: {},
              items:
                namespace === API_NS
                  ? [
                      {
                        metadata: { name: 'web-1', namespace: API_NS },
                        timestamp: new Date(servedTimestampMs).toISOString(),
                        window: '15s',
                        containers: [{ name: 'app', usage: { cpu: sample.cpu, memory: sample.memory } }],
                      },
                    ]
                  : [],
            }),
          );
          return;
        }
        if (url.split('?')[0] === '/apis/metrics.k8s.io/v1beta1') {
          res.end(
            JSON.stringify({
              kind: 'APIResourceList',
              apiVersion: 'v1',
              groupVersion: 'metrics.k8s.io/v1beta1',
              resources: [
                {
                  name: 'pods',
                  singularName: '',
                  namespaced: true,
                  kind: 'PodMetrics',
                  verbs: ['get', 'list'],
                },
              ],
            }),
          );
          return;
        }
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 404,
            reason: 'NotFound',
          }),
        );
      });
      await new Promise<void>((resolve) => backend!.listen(0, ip, resolve));
      const port = (backend.address() as { port: number }).port;
      // Service → Endpoints/EndpointSlice (this machine's address) → APIService: the real aggregator.
      await client.create(`/api/v1/namespaces/${API_NS}/services`, {
        metadata: { name: SERVICE },
        spec: { ports: [{ name: 'https', port: 443, targetPort: port, protocol: 'TCP' }] },
      });
      await client.create(`/api/v1/namespaces/${API_NS}/endpoints`, {
        metadata: { name: SERVICE },
        subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
      });
      await client.create(`/apis/discovery.k8s.io/v1/namespaces/${API_NS}/endpointslices`, {
        metadata: { name: `${SERVICE}-1`, labels: { 'kubernetes.io/service-name': SERVICE } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      });
      await client.create('/apis/apiregistration.k8s.io/v1/apiservices', {
        metadata: { name: 'v1beta1.metrics.k8s.io' },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: API_NS, name: SERVICE, port: 443 },
          caBundle: Buffer.from(ca.certPem).toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      });
      await waitFor('the aggregated API to answer', async () => {
        try {
          await client.get(`/apis/metrics.k8s.io/v1beta1/namespaces/${API_NS}/pods`);
          return true;
        } catch (error) {
          if (isKubeApiError(error)) return undefined;
          throw error;
        }
      });
      polls = 0; // the probe above took a sample off the list; start again
      servedTimestampMs = Date.now() - 30 * 60_000;

      const sampler = usage.source as MetricsApiUsageSampler;
      for (let i = 0; i < served.length; i++) await sampler.poll();
      await reconciler(sampler).handle(`${API_NS}/sizing`);
      const shown = shownByKubectl(API_NS, 'sizing');
      const w = shown.status!.workloads![0]!;
      // The p95 of what was served, by the same definition (rank 0.95 × 24 = 22.8 → 320 + 0.8 × 10 = 328).
      const cpuP95 = quantile(
        served.map((_, i) => (100 + i * 10) / 1000),
        0.95,
      )!;
      const memP95 = quantile(
        served.map((_, i) => (100 + i * 10) * MIB),
        0.95,
      )!;
      expect(w.usage).toEqual({
        assessed: true,
        cpuRequest_cores: 1,
        cpuP95_cores: Math.round(cpuP95 * 1000) / 1000,
        memoryRequest_bytes: 2 ** 30,
        memoryP95_bytes: Math.round(memP95),
        samples: 25,
      });
      expect(w.sources.usage).toMatch(
        /^measured: metrics\.k8s\.io PodMetrics \(container usage summed per pod\) polled every 3600 s .*; 25 samples per pod at least$/,
      );
      const sizing = w.optimizations.find((o) => o.type === 'right_sizing')!;
      // p95 0.328 cores and 328 MiB (+ 20 % headroom) → 400m and 394Mi.
      expect(sizing.resourcesPatch).toEqual({
        spec: { containers: [{ name: 'app', resources: { requests: { cpu: '400m', memory: '394Mi' } } }] },
      });
      expect(shown.status!.conditions!.find((c) => c.type === 'UsageAvailable')).toMatchObject({
        status: 'True',
        reason: 'Collected',
        message:
          '1 of 1 selected pods have a p95 of CPU and memory usage from metrics.k8s.io (PodMetrics samples), 25 samples per pod',
      });
      process.stderr.write(
        `FIGURE usage_metrics_api_status ${JSON.stringify({ usage: w.usage, patch: sizing.resourcesPatch })}\n`,
      );
    }, 120_000);
  });
});
