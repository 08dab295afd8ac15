// The operator at scale on a real API server: a local control plane with the real controllers,
// scheduler and kwok-simulated nodes (hack/testenv), Deployments created as a user would (the
// controllers make the pods), policies selecting them, and energy from a real Prometheus holding
// 24 h of Kepler 0.10+ history written with Prometheus's own backfill (`promtool tsdb
// create-blocks-from openmetrics`) for exactly the pods the controllers made. The built operator
// (dist/operator/main.js, --source=prometheus) starts after all that; the figures are its first
// full pass:
//   BENCH cluster_<n>_all_statuses_s     operator start → every policy has a status
//   BENCH cluster_<n>_operator_rss_mb    the operator's peak resident set during that pass
//   BENCH cluster_<n>_apiserver_requests the operator's requests to kube-apiserver in that pass
//                                        (from the API server's audit log; no request per pod)
// Scale: CLUSTER_BENCH_SCALES (default "10k"; "10k,50k" adds 50,000 pods on 2,500 nodes; "1k" checks
// the harness in a minute). Each scale
// runs on a fresh control plane. Shape per scale: 20 pods per node, 10 pods per Deployment, one
// policy per Deployment, 10 policies per namespace.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../operator/api/v1alpha1/types.js';
import { fromStoredPolicy } from '../operator/api/v1alpha1/field-names.js';
import { ControlPlane, freeLoopbackPort, locateBinaries } from '../hack/testenv/control-plane.js';
import { createSimulatedNodes } from '../hack/testenv/simulated-nodes.js';
import { podTemplate, type DemoWorkloadPlan } from '../hack/demo/demo-workloads.js';
import { chartMemoryEnv, chartV8Flags, type V8Limits } from './support/chart-v8-flags.js';

interface Scale {
  label: string;
  pods: number;
  targets: { all_statuses_s: number; operator_rss_mb: number };
  /** Chart values a user sets at install for a cluster of this size (docs/operations.md § 2.1). */
  operatorValues?: V8Limits;
}

const SCALES: Record<string, Scale> = {
  // A quick check of the harness itself (CLUSTER_BENCH_SCALES=1k), with the 10k targets.
  '1k': { label: '1k', pods: 1_000, targets: { all_statuses_s: 60, operator_rss_mb: 384 } },
  '10k': { label: '10k', pods: 10_000, targets: { all_statuses_s: 60, operator_rss_mb: 384 } },
  '50k': {
    label: '50k',
    pods: 50_000,
    targets: { all_statuses_s: 180, operator_rss_mb: 512 },
    operatorValues: { maxHeapMiB: 384 },
  },
};
const PODS_PER_NODE = 20;
const PODS_PER_WORKLOAD = 10;
const POLICIES_PER_NAMESPACE = 10;
/** History resolution: 15 min keeps 4 samples in every hour, which `increase(...[1h])` needs. */
const SAMPLE_STEP_S = 900;
const HISTORY_S = 24 * 3600;
/** Each simulated node's idle power in the history (bench data, not a measurement). */
const NODE_IDLE_WATTS = 40;
const OPERATOR_USER = 'carbon-operator-bench';
const NODE_LEASE_S = 240;

function log(line: string): void {
  process.stdout.write(`# ${line}\n`);
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/** Pods in phase Running, counted over a paged list (the API server gives no count with a selector). */
async function runningPods(kc: KubeConfig): Promise<number> {
  const core = kc.makeApiClient(CoreV1Api);
  let running = 0;
  let token: string | undefined;
  do {
    const page = await core.listPodForAllNamespaces({
      fieldSelector: 'status.phase=Running',
      limit: 5000,
      _continue: token,
    });
    running += page.items.length;
    token = page.metadata?._continue;
  } while (token);
  return running;
}

/** Σ of every Deployment's status.readyReplicas (pods kwok marked Running and ready). */
async function readyReplicas(kc: KubeConfig): Promise<number> {
  const apps = kc.makeApiClient(AppsV1Api);
  let ready = 0;
  let token: string | undefined;
  do {
    const page = await apps.listDeploymentForAllNamespaces({ limit: 5000, _continue: token });
    for (const d of page.items) ready += d.status?.readyReplicas ?? 0;
    token = page.metadata?._continue;
  } while (token);
  return ready;
}

/** 24 h of Kepler 0.10+ counters (and the last half hour of watts) for every pod, as OpenMetrics. */
async function writeHistory(
  path: string,
  pods: Array<{ namespace: string; name: string; node: string; watts: number }>,
  endS: number,
): Promise<number> {
  const out = createWriteStream(path);
  let samples = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const start = endS - HISTORY_S;
  await write('# TYPE kepler_pod_cpu_joules counter\n');
  for (const pod of pods) {
    const labels = `node_name="${pod.node}",pod_name="${pod.name}",pod_namespace="${pod.namespace}",zone="package"`;
    let chunk = '';
    for (let t = start; t <= endS; t += SAMPLE_STEP_S) {
      chunk += `kepler_pod_cpu_joules_total{${labels}} ${(pod.watts * (t - start)).toFixed(1)} ${t}\n`;
      samples += 1;
    }
    await write(chunk);
  }
  // Each node's own counters, as Kepler exports them: its pods' power plus NODE_IDLE_WATTS of idle.
  const nodeWatts = new Map<string, number>();
  for (const pod of pods) nodeWatts.set(pod.node, (nodeWatts.get(pod.node) ?? 0) + pod.watts);
  for (const [family, watts] of [
    ['kepler_node_cpu_joules', (podsWatts: number) => podsWatts + NODE_IDLE_WATTS],
    ['kepler_node_cpu_idle_joules', () => NODE_IDLE_WATTS],
  ] as const) {
    await write(`# TYPE ${family} counter\n`);
    for (const [node, podsWatts] of nodeWatts) {
      let chunk = '';
      for (let t = start; t <= endS; t += SAMPLE_STEP_S) {
        chunk += `${family}_total{node_name="${node}",zone="package"} ${(watts(podsWatts) * (t - start)).toFixed(1)} ${t}\n`;
        samples += 1;
      }
      await write(chunk);
    }
  }
  await write('# TYPE kepler_pod_cpu_watts gauge\n');
  for (const pod of pods) {
    const labels = `node_name="${pod.node}",pod_name="${pod.name}",pod_namespace="${pod.namespace}",zone="package"`;
    let chunk = '';
    for (let t = endS - 1800; t <= endS; t += SAMPLE_STEP_S) {
      chunk += `kepler_pod_cpu_watts{${labels}} ${pod.watts} ${t}\n`;
      samples += 1;
    }
    await write(chunk);
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** USER_HZ: Linux reports process times in 1/100 s on every architecture Node supports. */
const CLOCK_TICKS_PER_S = 100;

/** The control plane's processes by binary name (from its pid file), and any others given. */
function processesToWatch(dir: string, others: Record<string, number | undefined>): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'children.pids'), 'utf8').split('\n')) {
    const pid = Number(line);
    if (!pid) continue;
    try {
      pids.set(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), pid);
    } catch {
      // exited
    }
  }
  for (const [name, pid] of Object.entries(others)) if (pid) pids.set(name, pid);
  return pids;
}

function peakRssMb(pid: number, peak: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.max(peak, kb / 1024);
  } catch {
    return peak;
  }
}

async function waitForHttp(url: string, child: ChildProcess, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready at ${url} within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function runScale(scale: Scale): Promise<{ seconds: number; rss: number; requests: number }> {
  const nodes = scale.pods / PODS_PER_NODE;
  const workloads = scale.pods / PODS_PER_WORKLOAD;
  const namespaces = workloads / POLICIES_PER_NAMESPACE;
  log(
    `${scale.label}: ${nodes} kwok nodes, ${scale.pods} pods in ${workloads} Deployments, ${workloads} policies in ${namespaces} namespaces`,
  );
  const plane = new ControlPlane({
    binaries: locateBinaries(),
    workloadControllers: true,
    auditUsers: [OPERATOR_USER],
    // Simulated kubelets renew their Leases every 60 s, not 10 s: at 2,500 nodes the 10 s renewals (250
    // writes/s) fell behind on this machine and nodes flapped NotReady, churning their pods' status.
    nodeLeaseDurationSeconds: NODE_LEASE_S,
    startTimeoutMs: 180_000,
  });
  process.once('exit', () => plane.killNow());
  let prometheus: ChildProcess | undefined;
  let operator: ChildProcess | undefined;
  try {
    const phase = Date.now();
    const info = await plane.start();
    const kc = new KubeConfig();
    kc.loadFromFile(info.kubeconfigPath);
    await createSimulatedNodes(
      kc,
      Array.from({ length: nodes }, (_, i) => ({
        name: `kwok-node-${i}`,
        cpu: '64',
        memory: '512Gi',
        pods: 110,
      })),
      600_000,
    );
    log(
      `${scale.label}: control plane and ${nodes} Ready nodes in ${((Date.now() - phase) / 1000).toFixed(1)} s`,
    );

    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    execKubectl(info.binaries.kubectl!, info.kubeconfigPath, ['apply', '-f', join(process.cwd(), 'crds')]);
    execKubectl(info.binaries.kubectl!, info.kubeconfigPath, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/${PLURAL}.${GROUP}`,
    ]);
    const plans: DemoWorkloadPlan[] = Array.from({ length: workloads }, (_, w) => ({
      namespace: `team-${Math.floor(w / POLICIES_PER_NAMESPACE)}`,
      kind: 'Deployment',
      name: `app-${w}`,
      replicas: PODS_PER_WORKLOAD,
      labels: { app: `app-${w}` },
      container: { name: 'app', image: 'nginx:1.27', cpu: '100m', memory: '128Mi' },
      power: { package_watts: 5 + (w % 20), dram_watts: 0 },
    }));
    const created = Date.now();
    await inBatches([...new Set(plans.map((p) => p.namespace))], 10, (name) =>
      core.createNamespace({ body: { metadata: { name } } }),
    );
    await inBatches(plans, 20, (plan) =>
      apps.createNamespacedDeployment({
        namespace: plan.namespace,
        body: {
          metadata: { name: plan.name, labels: plan.labels },
          spec: {
            replicas: plan.replicas,
            selector: { matchLabels: plan.labels },
            template: podTemplate(plan, 'Always'),
          },
        },
      }),
    );
    // Progress from the Deployments' ready counts (5,000 small objects at 50k), not a list of every pod:
    // listing 50,000 pods every few seconds took a core from the controllers this setup is waiting for.
    for (;;) {
      const ready = await readyReplicas(kc);
      if (ready >= scale.pods && (await runningPods(kc)) >= scale.pods) break;
      if (Date.now() - created > 3_600_000)
        throw new Error(`only ${ready} of ${scale.pods} pods ready after 1 h`);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    log(
      `${scale.label}: ${scale.pods} pods made by the controllers and Running in ${((Date.now() - created) / 1000).toFixed(1)} s`,
    );

    // Kepler history for exactly these pods, backfilled into a fresh Prometheus TSDB.
    const historyStarted = Date.now();
    const wattsOf = new Map(plans.map((p) => [p.name, p.power.package_watts]));
    const pods: Array<{ namespace: string; name: string; node: string; watts: number }> = [];
    let token: string | undefined;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 5000, _continue: token });
      for (const pod of page.items) {
        const app = pod.metadata?.labels?.app;
        if (!app || !wattsOf.has(app)) continue;
        pods.push({
          namespace: pod.metadata!.namespace!,
          name: pod.metadata!.name!,
          node: pod.spec!.nodeName!,
          watts: wattsOf.get(app)!,
        });
      }
      token = page.metadata?._continue;
    } while (token);
    const tsdb = join(info.dir, 'prometheus-data');
    mkdirSync(tsdb, { recursive: true });
    const openMetrics = join(info.dir, 'kepler-history.om');
    const endS = Math.floor(Date.now() / 1000 / SAMPLE_STEP_S) * SAMPLE_STEP_S;
    const samples = await writeHistory(openMetrics, pods, endS);
    const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', openMetrics, tsdb], {
      encoding: 'utf8',
    });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.stderr}`);
    rmSync(openMetrics);
    const promPort = await freeLoopbackPort();
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${writePrometheusConfig(info.dir)}`,
        `--storage.tsdb.path=${tsdb}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${promPort}`,
        // The backfilled watts end when the history was written; keep them visible to "now".
        '--query.lookback-delta=30m',
      ],
      { stdio: 'ignore' },
    );
    await waitForHttp(`http://127.0.0.1:${promPort}/-/ready`, prometheus, 'prometheus', 120_000);
    log(
      `${scale.label}: ${samples} Kepler samples (24 h, ${SAMPLE_STEP_S / 60} min steps) backfilled with promtool and served by Prometheus in ${((Date.now() - historyStarted) / 1000).toFixed(1)} s`,
    );

    await inBatches(plans, 20, (plan) =>
      custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: plan.namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'CarbonCompliancePolicy',
          metadata: { name: plan.name, namespace: plan.namespace },
          spec: {
            selector: { matchLabels: plan.labels },
            standard: 'KR_CARBON_2050',
            site: { zone: 'KR', pue: 1.3 },
            window: '24h',
            interval: '30m',
            language: 'en',
          },
        },
      }),
    );

    // Every policy's first status, from a watch (the watcher is admin: its requests are not audited).
    const assessed = new Set<string>();
    const withEnergy = new Set<string>();
    /** One status without energy, to say why in the error. */
    let withoutEnergy: CarbonCompliancePolicy['status'];
    let allAssessedAt = 0;
    let resolveAll: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
    const watch = await new Watch(kc).watch(
      `/apis/${GROUP}/${VERSION}/${PLURAL}`,
      {},
      (_type: string, stored: CarbonCompliancePolicy) => {
        // The watch gives the object as stored (camelCase status names): read it under the engine's.
        const policy = fromStoredPolicy(stored);
        if (!policy.status?.lastEvaluationTime) return;
        const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
        assessed.add(key);
        if ((policy.status.summary?.energy_kWh ?? 0) > 0) withEnergy.add(key);
        else withoutEnergy ??= policy.status;
        if (assessed.size === workloads && !allAssessedAt) {
          allAssessedAt = Date.now();
          resolveAll();
        }
      },
      () => undefined,
    );

    const operatorKubeconfig = plane.writeClientKubeconfig(OPERATOR_USER, 'system:masters');
    const healthPort = await freeLoopbackPort();
    const operatorStarted = Date.now();
    // Where the pass's time goes: CPU seconds of every process of the pass, from before the operator starts.
    const watched = processesToWatch(info.dir, { prometheus: prometheus.pid });
    const cpuBefore = new Map([...watched].map(([name, pid]) => [name, cpuSeconds(pid)]));
    const heapProfileDir = process.env.CLUSTER_BENCH_HEAP_PROFILE;
    log(
      `${scale.label}: operator V8 flags as the chart sets them: ${chartV8Flags('operator', scale.operatorValues).join(' ')}`,
    );
    operator = spawn(
      process.execPath,
      [
        // Sampling heap profile of what is still live when the operator exits (written on SIGTERM).
        ...(heapProfileDir ? ['--heap-prof', `--heap-prof-dir=${heapProfileDir}`] : []),
        // Memory as deployed: the V8 limits the chart sets (values operator.maxHeapMiB, operator.maxSemiSpaceMiB),
        // with the values advised for this size.
        ...chartV8Flags('operator', scale.operatorValues),
        'dist/operator/main.js',
        '--source=prometheus',
        `--prometheus-url=http://127.0.0.1:${promPort}`,
        `--kubeconfig=${operatorKubeconfig}`,
        '--leader-election=false',
        '--health-host=127.0.0.1',
        `--health-port=${healthPort}`,
        '--log-level=warn',
      ],
      // Memory as deployed: the chart's malloc arena limit too (values operator.mallocArenaMax).
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...chartMemoryEnv('operator') } },
    );
    let rss = 0;
    const sampler = setInterval(() => (rss = peakRssMb(operator!.pid!, rss)), 250);
    // Where the memory sits when the resident set is largest: the operator's /metrics every 2 s, the
    // reading with the highest RSS kept (the end-of-pass reading alone misses transient peaks).
    let peakReading: OperatorMemory | undefined;
    const memorySampler = setInterval(() => {
      operatorMemory(healthPort).then(
        (m) => {
          if (m && m.rssMb > (peakReading?.rssMb ?? 0)) peakReading = m;
        },
        () => undefined,
      );
    }, 2_000);
    const deadline = setTimeout(() => resolveAll(), 1_800_000);
    // An operator that exits (out of memory, a crash) ends the pass at once, not at the deadline.
    let operatorExit: string | undefined;
    operator.once('exit', (code, signal) => {
      operatorExit = `the operator exited during the pass (${signal ?? `code ${code}`})`;
      resolveAll();
    });
    await allDone;
    clearTimeout(deadline);
    clearInterval(sampler);
    clearInterval(memorySampler);
    if (operatorExit) throw new Error(operatorExit);
    rss = peakRssMb(operator.pid!, rss);
    watch.abort();
    if (peakReading)
      log(`${scale.label}: operator memory at its highest sampled RSS: ${describeMemory(peakReading)}`);
    const end = await operatorMemory(healthPort).catch((error: unknown) => String(error));
    log(
      `${scale.label}: operator memory after the pass: ${typeof end === 'object' ? describeMemory(end) : `/metrics unreadable: ${end}`}`,
    );
    if (!allAssessedAt)
      throw new Error(`only ${assessed.size} of ${workloads} policies got a status within 30 min`);
    const seconds = (allAssessedAt - operatorStarted) / 1000;
    watched.set('operator', operator.pid!);
    const cpuDuring = [...watched]
      .map(([name, pid]) => [name, cpuSeconds(pid) - (cpuBefore.get(name) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1]);
    log(
      `${scale.label}: CPU seconds used during the pass (wall ${seconds.toFixed(1)} s, ${availableParallelism()} cores = ${(availableParallelism() * seconds).toFixed(0)} CPU s, load average ${loadavg()[0]!.toFixed(1)}): ` +
        cpuDuring.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', '),
    );
    log(`${scale.label}: ${withEnergy.size} of ${workloads} first statuses carry energy from Prometheus`);
    if (withEnergy.size < workloads)
      throw new Error(
        `${workloads - withEnergy.size} policies were assessed without energy: the figure would not be a full pass; ` +
          `one such status's conditions: ${JSON.stringify(withoutEnergy?.conditions)}`,
      );

    // The operator's requests until that moment, from the audit log (one entry per request: the
    // RequestReceived stage is omitted; a watch also logs ResponseStarted, so count unique audit IDs).
    const requests = new Map<string, string>();
    for (const line of readFileSync(plane.auditLogPath, 'utf8').split('\n')) {
      if (!line) continue;
      const event = JSON.parse(line) as {
        auditID: string;
        verb: string;
        user?: { username?: string };
        objectRef?: { resource?: string; subresource?: string };
        requestReceivedTimestamp: string;
      };
      if (event.user?.username !== OPERATOR_USER) continue;
      if (Date.parse(event.requestReceivedTimestamp) > allAssessedAt) continue;
      const resource = `${event.objectRef?.resource ?? '?'}${event.objectRef?.subresource ? `/${event.objectRef.subresource}` : ''}`;
      requests.set(event.auditID, `${event.verb} ${resource}`);
    }
    const byKind = new Map<string, number>();
    for (const kind of requests.values()) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    log(
      `${scale.label}: operator requests by verb and resource: ${[...byKind.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}=${n}`)
        .join(', ')}`,
    );
    return { seconds, rss, requests: requests.size };
  } finally {
    await stop(operator);
    await stop(prometheus);
    await plane.stop();
  }
}

interface OperatorMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/** The operator's memory from its own /metrics (prom-client); undefined while it does not answer yet. */
async function operatorMemory(healthPort: number): Promise<OperatorMemory | undefined> {
  const res = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
  if (!res.ok) return undefined;
  const text = await res.text();
  const mb = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return {
    rssMb: mb('process_resident_memory_bytes'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
  };
}

function describeMemory(m: OperatorMemory): string {
  return (
    `rss ${m.rssMb.toFixed(1)} MB, V8 heap used ${m.heapUsedMb.toFixed(1)} MB of ${m.heapTotalMb.toFixed(1)} MB, ` +
    `external ${m.externalMb.toFixed(1)} MB`
  );
}

function execKubectl(kubectl: string, kubeconfig: string, args: string[]): void {
  const result = spawnSync(kubectl, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
}

function writePrometheusConfig(dir: string): string {
  const path = join(dir, 'prometheus.yml');
  // No scrape jobs: the data is the backfilled history.
  writeFileSync(path, 'global:\n  scrape_interval: 1m\n');
  return path;
}

async function main(): Promise<void> {
  if (!existsSync('dist/operator/main.js'))
    throw new Error('dist/operator/main.js is missing: run `npm run build`');
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new Error('promtool is missing: bash hack/install-prometheus.sh');
  const requested = (process.env.CLUSTER_BENCH_SCALES ?? '10k').split(',').map((s) => s.trim());
  const results = new Map<string, { seconds: number; rss: number; requests: number }>();
  for (const label of requested) {
    const scale = SCALES[label];
    if (!scale)
      throw new Error(
        `CLUSTER_BENCH_SCALES: unknown scale "${label}" (known: ${Object.keys(SCALES).join(', ')})`,
      );
    const result = await runScale(scale);
    results.set(label, result);
    console.log(
      `BENCH cluster_${label}_all_statuses_s ${result.seconds.toFixed(1)} (target <= ${scale.targets.all_statuses_s})`,
    );
    console.log(
      `BENCH cluster_${label}_operator_rss_mb ${result.rss.toFixed(1)} (target <= ${scale.targets.operator_rss_mb})`,
    );
    console.log(
      `BENCH cluster_${label}_apiserver_requests ${result.requests} (target: no request per pod; ${scale.pods} pods, ${(result.requests / scale.pods).toFixed(3)} per pod)`,
    );
  }
  const small = results.get('10k');
  const large = results.get('50k');
  if (small && large) {
    console.log(
      `# 10k → 50k pods (×5): time ×${(large.seconds / small.seconds).toFixed(2)}, operator RSS ×${(large.rss / small.rss).toFixed(2)}, requests ×${(large.requests / small.requests).toFixed(2)}`,
    );
  }
}

await main();
