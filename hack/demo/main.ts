// `make demo`: a local control plane with the real controllers, scheduler and kwok-simulated nodes,
// workloads created as a user would (Deployments, a StatefulSet, a DaemonSet, Jobs, a CronJob), a
// simulated Kepler exporter over HTTPS that follows the pods through a watch, the operator and the
// MCP/HTTP server as child processes, and the sample policies with live status.
// Runs in the foreground until SIGINT/SIGTERM, then stops everything it started and removes its data.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { ControlPlane, freeLoopbackPort, locateBinaries } from '../testenv/control-plane.js';
import { issueCertificate, makeCertificateAuthority } from '../testenv/certificates.js';
import { ChildProcessGroup } from './child-process-group.js';
import { createSimulatedNodes } from '../testenv/simulated-nodes.js';
import { applyDemoWorkloads, DEMO_NODES, waitForDemoWorkloads } from './demo-workloads.js';
import { configurationFailure, waitForPolicyStatuses } from './policy-status-wait.js';
import { assertPortFree } from './port-check.js';
import { readyBanner } from './ready-banner.js';
import { startSimulatedKepler, type SimulatedKepler } from '../testenv/simulated-kepler.js';
import { operatorArguments } from './operator-arguments.js';

const HOST = '127.0.0.1';
const SCRAPE_INTERVAL_S = 5;
/** Sample policies re-evaluate every 5–15 min; the demo shows values moving within a minute. */
const DEMO_POLICY_INTERVAL = '30s';

/** The policy document with spec.interval replaced (the sample files stay as they are). */
function withInterval(manifest: string, interval: string): string {
  return parseAllDocuments(manifest)
    .map((doc) => {
      const object = doc.toJS() as { kind?: string; spec?: Record<string, unknown> } | null;
      if (object?.kind === 'CarbonCompliancePolicy' && object.spec) object.spec.interval = interval;
      return stringify(object);
    })
    .join('---\n');
}

async function waitForHttpOk(url: string, timeoutMs: number, abort: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = abort();
    if (reason) throw new Error(reason);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'carbon-aware-kepler')
      return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the repository root (package.json of carbon-aware-kepler)');
    dir = parent;
  }
}

function step(message: string): void {
  process.stdout.write(`[demo] ${message}\n`);
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => join(dir, f));
}

/** Seconds per start-up phase, for the banner. */
class StartupClock {
  private readonly started = Date.now();
  private last = this.started;
  readonly phases: Array<{ name: string; seconds: number }> = [];

  lap(name: string): void {
    const now = Date.now();
    this.phases.push({ name, seconds: (now - this.last) / 1000 });
    this.last = now;
  }

  get total_s(): number {
    return (Date.now() - this.started) / 1000;
  }
}

async function main(): Promise<void> {
  const clock = new StartupClock();
  const root = repositoryRoot();
  const port = Number(process.env.CARBON_DEMO_PORT ?? 8000);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`CARBON_DEMO_PORT must be a port number, got "${process.env.CARBON_DEMO_PORT}"`);
  const operatorEntry = join(root, 'dist/operator/main.js');
  const mcpEntry = join(root, 'dist/mcp/main.js');
  for (const entry of [operatorEntry, mcpEntry]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (make demo does)`);
  }
  await assertPortFree(HOST, port);

  const demoDir = join(root, '.demo');
  const workDir = mkdtempSync(join(tmpdir(), 'carbon-kepler-demo-'));
  const children = new ChildProcessGroup(workDir);
  let controlPlane: ControlPlane | undefined;
  let kepler: SimulatedKepler | undefined;
  let stopping = false;

  const cleanup = async (): Promise<void> => {
    await children.stopAll();
    await kepler?.stop().catch(() => undefined);
    await controlPlane?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
    rmSync(demoDir, { recursive: true, force: true });
  };
  const shutdown = (signal: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    step(`${signal}: stopping the operator, the MCP server, the exporter and the control plane`);
    cleanup()
      .then(() => {
        step('stopped; demo data removed');
        process.exit(code);
      })
      .catch((error: unknown) => {
        process.stderr.write(`[demo] cleanup failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('exit', () => {
    // Last resort if something threw past the handlers: never leave processes behind.
    children.killAll();
    controlPlane?.killNow();
  });

  try {
    step(
      'starting a local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)',
    );
    controlPlane = new ControlPlane({ binaries: locateBinaries(), workloadControllers: true });
    const info = await controlPlane.start();
    const kubectl = info.binaries.kubectl;
    if (!kubectl)
      throw new Error(
        'kubectl was not found next to kube-apiserver (KUBEBUILDER_ASSETS); run `make control-plane`',
      );
    rmSync(demoDir, { recursive: true, force: true });
    mkdirSync(demoDir, { recursive: true });
    const kubeconfigPath = join(demoDir, 'kubeconfig');
    copyFileSync(info.kubeconfigPath, kubeconfigPath);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const kubectlRun = (args: string[], input?: string): string =>
      execFileSync(kubectl, ['--kubeconfig', kubeconfigPath, ...args], {
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
      });

    step(`control plane at ${info.server}; kubeconfig in .demo/kubeconfig`);
    kubectlRun(['apply', '-f', join(root, 'crds')]);
    kubectlRun([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/carboncompliancepolicies.carbon-aware.dev',
    ]);

    step(`registering ${DEMO_NODES.length} simulated nodes (kwok runs their pods)`);
    await createSimulatedNodes(
      kc,
      DEMO_NODES.map((name) => ({ name })),
    );
    clock.lap('control plane');

    step('creating workloads as a user would: Deployments, a StatefulSet, a DaemonSet, Jobs, a CronJob');
    await applyDemoWorkloads(kc);
    step('waiting for the controllers, the scheduler and kwok to run their pods');
    await waitForDemoWorkloads(kc);
    clock.lap('workloads running');

    step('starting the simulated Kepler exporter over HTTPS (demo CA made now)');
    const ca = makeCertificateAuthority(join(workDir, 'pki'), 'carbon-kepler-demo-ca');
    const serving = issueCertificate(ca, {
      commonName: 'kepler-demo',
      dnsNames: ['localhost'],
      ipAddresses: [HOST],
      usage: 'server',
    });
    kepler = await startSimulatedKepler({
      followCluster: {
        kubeConfig: kc,
        nodes: DEMO_NODES,
        onError: (error) => step(`WARNING simulated Kepler: ${error.message}`),
      },
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
    });

    step('starting the operator and the MCP/HTTP server');
    const childEnv = { KUBECONFIG: kubeconfigPath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
    const healthPort = await freeLoopbackPort();
    children.start(
      'operator',
      process.execPath,
      [
        operatorEntry,
        ...operatorArguments({
          keplerUrls: kepler.urls,
          caPath: ca.certPath,
          kubeconfigPath,
          healthPort,
          scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
        }),
      ],
      childEnv,
    );
    children.start(
      'carbon-mcp',
      process.execPath,
      [mcpEntry, '--http', '--port', String(port), '--host', HOST],
      childEnv,
    );

    const exitedReason = (): string | undefined => {
      const dead = children.exited();
      return dead
        ? `${dead.name} exited (code ${dead.process.exitCode}):\n${children.logTail(dead.name)}`
        : undefined;
    };
    await waitForHttpOk(`http://${HOST}:${healthPort}/readyz`, 60_000, exitedReason);
    // Two scrapes give the first energy increase; a policy evaluated before that would show no data.
    step('operator ready; letting it scrape the simulated Kepler twice');
    await new Promise((resolve) => setTimeout(resolve, (2 * SCRAPE_INTERVAL_S + 1) * 1000));
    clock.lap('operator and first scrapes');

    const policyFiles = [
      ...yamlFiles(join(root, 'examples')),
      ...yamlFiles(join(root, 'hack/demo/policies')),
    ];
    step(
      `applying ${policyFiles.length} policies (spec.interval shortened to ${DEMO_POLICY_INTERVAL} for the demo)`,
    );
    for (const file of policyFiles) {
      kubectlRun(['apply', '-f', '-'], withInterval(readFileSync(file, 'utf8'), DEMO_POLICY_INTERVAL));
    }
    let lastProgress = '';
    const settled = await waitForPolicyStatuses(kc, {
      expected: policyFiles.length,
      timeoutMs: Number(process.env.CARBON_DEMO_TIMEOUT_MS ?? 180_000),
      abort: exitedReason,
      onProgress: (lines) => {
        const progress = lines.map((l) => `${l.namespace}/${l.name}=${l.status ?? 'pending'}`).join(' ');
        if (progress !== lastProgress) step(`waiting for status: ${progress}`);
        lastProgress = progress;
      },
    });

    for (const policy of settled) {
      const failure = configurationFailure(policy);
      if (failure)
        step(`WARNING ${policy.metadata.namespace}/${policy.metadata.name} has no assessment: ${failure}`);
    }
    clock.lap('first statuses');
    const table = kubectlRun(['get', 'carboncompliance', '-A']);
    process.stdout.write(
      readyBanner({
        kubectlTable: table,
        httpBase: `http://${HOST}:${port}`,
        kubeconfigPath,
        kubectlPath: kubectl,
        mcpEntryPath: mcpEntry,
        keplerUrls: kepler.urls,
        startup: { total_s: clock.total_s, phases: clock.phases },
      }),
    );

    // Stay in the foreground; if a part dies, say which and stop the rest.
    const watchdog = setInterval(() => {
      const reason = exitedReason();
      if (reason && !stopping) {
        process.stderr.write(`[demo] ${reason}\n`);
        clearInterval(watchdog);
        shutdown('child exited', 1);
      }
    }, 1000);
  } catch (error) {
    process.stderr.write(`[demo] failed: ${(error as Error).message}\n`);
    for (const name of ['operator', 'carbon-mcp']) {
      const tail = children.logTail(name);
      if (tail) process.stderr.write(`--- ${name} log (last lines) ---\n${tail}\n`);
    }
    shutdown('error', 1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo] ${(error as Error).message}\n`);
  process.exit(1);
});
