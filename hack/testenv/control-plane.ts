// A real local Kubernetes control plane for tests (envtest-style): etcd + kube-apiserver started as
// processes on free loopback ports, with their own CA, serving certificate, service-account key pair
// and an admin client certificate, RBAC on. With `workloadControllers`, also the real
// kube-controller-manager (ReplicaSets, Jobs, CronJobs, garbage collection, node lifecycle...),
// kube-scheduler and kwok (simulated nodes: it marks the pods bound to them Running); without it,
// nothing reconciles what a test writes (the shared control plane of the integration suites).
// Always torn down; processes left by a killed earlier run are found through their pid files and
// stopped at the next start.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  issueCertificate,
  makeCertificateAuthority,
  makeServiceAccountKeyPair,
  type CertificateAuthority,
} from './certificates.js';

const RUN_DIR_PREFIX = 'carbon-kepler-testenv-';

class ControlPlaneError extends Error {
  override name = 'ControlPlaneError';
}

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  kubectl?: string;
  helm?: string;
  kubeControllerManager?: string;
  kubeScheduler?: string;
  kwok?: string;
}

/** Where the binaries are: KUBEBUILDER_ASSETS (or TEST_ASSET_*), as envtest does. */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const assets = env.KUBEBUILDER_ASSETS;
  const kubeApiserver =
    env.TEST_ASSET_KUBE_APISERVER ?? (assets ? join(assets, 'kube-apiserver') : undefined);
  const etcd = env.TEST_ASSET_ETCD ?? (assets ? join(assets, 'etcd') : undefined);
  if (!kubeApiserver || !etcd || !existsSync(kubeApiserver) || !existsSync(etcd)) {
    throw new ControlPlaneError(
      'kube-apiserver and etcd were not found. Run `make control-plane` (builds them with Go >= 1.26 into a ' +
        'per-user cache) and set KUBEBUILDER_ASSETS to the directory `bash hack/control-plane-binaries.sh` prints, ' +
        'or point KUBEBUILDER_ASSETS at existing envtest binaries.',
    );
  }
  const kubectl = env.TEST_ASSET_KUBECTL ?? (assets ? join(assets, 'kubectl') : undefined);
  const inAssets = (name: string) =>
    assets && existsSync(join(assets, name)) ? join(assets, name) : undefined;
  return {
    kubeApiserver,
    etcd,
    kubectl: kubectl && existsSync(kubectl) ? kubectl : undefined,
    helm: inAssets('helm'),
    kubeControllerManager: inAssets('kube-controller-manager'),
    kubeScheduler: inAssets('kube-scheduler'),
    kwok: inAssets('kwok'),
  };
}

/** kwok's stages for this project (what happens to simulated nodes and pods). */
const KWOK_STAGES_PATH = join(dirname(fileURLToPath(import.meta.url)), 'kwok-stages.yaml');
/** Nodes carrying this annotation are the ones kwok simulates. */
export const SIMULATED_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** A port nobody listens on right now (a race remains, so callers retry on "address already in use"). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Stops processes and removes directories left by runs whose owner process is gone. */
export function cleanStaleRuns(base = tmpdir()): number {
  let cleaned = 0;
  for (const entry of readdirSync(base)) {
    if (!entry.startsWith(RUN_DIR_PREFIX)) continue;
    const dir = join(base, entry);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // no owner file: a run that died while starting
    }
    if (owner > 0 && isAlive(owner)) continue;
    let children: number[] = [];
    try {
      children = readFileSync(join(dir, 'children.pids'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // nothing started
    }
    for (const pid of children) {
      // A pid may have been reused: only stop it if it still runs one of our binaries from this run.
      if (isAlive(pid) && commandLineOf(pid).includes(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    cleaned += 1;
  }
  return cleaned;
}

function get(
  url: string,
  tls?: { ca: string; cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https') ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', timeout: 2000, ...(tls ?? {}) },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

export interface ControlPlaneOptions {
  binaries?: ControlPlaneBinaries;
  /** Milliseconds to wait for /readyz. */
  startTimeoutMs?: number;
  /**
   * Also run kube-controller-manager, kube-scheduler and kwok, so that Deployments, Jobs and
   * CronJobs make their pods, pods are bound to (simulated) nodes and run. Off for the shared
   * plane of the integration suites, whose hand-made ReplicaSets and Pods no controller must touch.
   */
  workloadControllers?: boolean;
  /** Write an audit log (`auditLogPath`) of the requests these users make (benchmarks count them). */
  auditUsers?: string[];
  /**
   * How long a simulated node's Lease lasts (kwok renews it every quarter of that, as the kubelet does);
   * the node lifecycle controller's grace period is 1.25 × this (Kubernetes' 40 s and 50 s by default).
   * Scale runs lengthen it: 2,500 nodes renewing every 10 s are 250 writes/s, which kwok could not keep up
   * on a loaded 2-core machine, so nodes went NotReady and their pods were marked NotReady and back.
   */
  nodeLeaseDurationSeconds?: number;
  log?: (line: string) => void;
}

export interface ControlPlaneInfo {
  server: string;
  kubeconfigPath: string;
  caCertPath: string;
  caKeyPath: string;
  adminCertPath: string;
  adminKeyPath: string;
  dir: string;
  binaries: ControlPlaneBinaries;
}

export class ControlPlane {
  private etcd?: ChildProcess;
  private apiServer?: ChildProcess;
  private controllers: ChildProcess[] = [];
  private readonly workloadControllers: boolean;
  private readonly auditUsers: string[];
  private readonly nodeLeaseDurationSeconds: number;
  private authority?: CertificateAuthority;
  private etcdPort = 0;
  private apiPort = 0;
  private readonly logTail: string[] = [];
  readonly dir: string;
  readonly binaries: ControlPlaneBinaries;
  private readonly startTimeoutMs: number;
  private readonly log: (line: string) => void;
  private certs?: {
    caCertPath: string;
    caKeyPath: string;
    serverCertPath: string;
    serverKeyPath: string;
    adminCertPath: string;
    adminKeyPath: string;
    saPrivateKeyPath: string;
    saPublicKeyPath: string;
    ca: string;
    adminCert: string;
    adminKey: string;
  };

  constructor(options: ControlPlaneOptions = {}) {
    this.binaries = options.binaries ?? locateBinaries();
    this.startTimeoutMs = options.startTimeoutMs ?? 90_000;
    this.workloadControllers = options.workloadControllers ?? false;
    this.auditUsers = options.auditUsers ?? [];
    this.nodeLeaseDurationSeconds = options.nodeLeaseDurationSeconds ?? 40;
    if (this.workloadControllers) {
      const missing = (['kubeControllerManager', 'kubeScheduler', 'kwok'] as const).filter(
        (b) => !this.binaries[b],
      );
      if (missing.length > 0)
        throw new ControlPlaneError(
          `${missing.join(', ')} not found next to kube-apiserver (KUBEBUILDER_ASSETS). Run \`make control-plane\` ` +
            '(builds kube-controller-manager, kube-scheduler and kwok into the same per-user cache) and use the ' +
            'directory `bash hack/control-plane-binaries.sh` prints.',
        );
    }
    this.log = options.log ?? (() => undefined);
    cleanStaleRuns();
    this.dir = mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
    writeFileSync(join(this.dir, 'owner.pid'), String(process.pid));
  }

  get server(): string {
    return `https://127.0.0.1:${this.apiPort}`;
  }

  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  info(): ControlPlaneInfo {
    if (!this.certs) throw new ControlPlaneError('control plane not started');
    return {
      server: this.server,
      kubeconfigPath: this.kubeconfigPath,
      caCertPath: this.certs.caCertPath,
      caKeyPath: this.certs.caKeyPath,
      adminCertPath: this.certs.adminCertPath,
      adminKeyPath: this.certs.adminKeyPath,
      dir: this.dir,
      binaries: this.binaries,
    };
  }

  async start(): Promise<ControlPlaneInfo> {
    this.makeCertificates();
    await this.startEtcd();
    await this.startApiServer();
    this.writeKubeconfig();
    if (this.workloadControllers) await this.startWorkloadControllers();
    return this.info();
  }

  /**
   * kube-controller-manager, kube-scheduler and kwok, each waited for on its health endpoint. They
   * use the admin client certificate: their own RBAC is not what these tests are about.
   */
  private async startWorkloadControllers(): Promise<void> {
    const c = this.certs!;
    const b = this.binaries;
    const kubeconfig = this.kubeconfigPath;
    const tls = { ca: c.ca, cert: c.adminCert, key: c.adminKey };
    const servingFlags = (port: number) => [
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${c.serverCertPath}`,
      `--tls-private-key-file=${c.serverKeyPath}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
    ];

    const managerPort = await freeLoopbackPort();
    const manager = this.spawnTracked('kube-controller-manager', b.kubeControllerManager!, [
      `--kubeconfig=${kubeconfig}`,
      ...servingFlags(managerPort),
      '--leader-elect=false',
      `--root-ca-file=${c.caCertPath}`,
      `--service-account-private-key-file=${c.saPrivateKeyPath}`,
      // The scale benchmarks create thousands of pods; the default 20 requests/s would dominate.
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
      `--node-monitor-grace-period=${Math.ceil(this.nodeLeaseDurationSeconds * 1.25)}s`,
      '--v=0',
    ]);
    this.controllers.push(manager);

    const schedulerPort = await freeLoopbackPort();
    const schedulerConfig = join(this.dir, 'kube-scheduler.yaml');
    writeFileSync(
      schedulerConfig,
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        'clientConnection:',
        `  kubeconfig: ${kubeconfig}`,
        '  qps: 500',
        '  burst: 1000',
        // Score 5 % of the nodes (at least 100), as large clusters are tuned: the default adaptive share
        // (30 % at 2,500 nodes) cost the scheduler about 38 ms of CPU per pod in the 50k benchmark's setup.
        'percentageOfNodesToScore: 5',
        'leaderElection:',
        '  leaderElect: false',
        '',
      ].join('\n'),
    );
    const scheduler = this.spawnTracked('kube-scheduler', b.kubeScheduler!, [
      `--config=${schedulerConfig}`,
      ...servingFlags(schedulerPort),
      '--v=0',
    ]);
    this.controllers.push(scheduler);

    const kwokPort = await freeLoopbackPort();
    const kwok = this.spawnTracked('kwok', b.kwok!, [
      `--kubeconfig=${kubeconfig}`,
      `--config=${KWOK_STAGES_PATH}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${SIMULATED_NODE_ANNOTATION}=fake`,
      `--node-lease-duration-seconds=${this.nodeLeaseDurationSeconds}`,
      '--cidr=10.244.0.1/16',
      `--server-address=127.0.0.1:${kwokPort}`,
      // INFO logs every lease renewal of every node: thousands of lines a minute at bench scale.
      '--v=WARN',
    ]);
    this.controllers.push(kwok);

    await this.waitUntil(
      'kube-controller-manager',
      manager,
      async () => (await get(`https://127.0.0.1:${managerPort}/healthz`, tls)).status === 200,
      'kube-controller-manager',
    );
    await this.waitUntil(
      'kube-scheduler',
      scheduler,
      async () => (await get(`https://127.0.0.1:${schedulerPort}/healthz`, tls)).status === 200,
      'kube-scheduler',
    );
    await this.waitUntil(
      'kwok',
      kwok,
      async () => (await get(`http://127.0.0.1:${kwokPort}/healthz`)).status === 200,
      'kwok',
    );
  }

  private makeCertificates(): void {
    const pki = join(this.dir, 'pki');
    const ca = makeCertificateAuthority(pki, 'carbon-kepler-test-ca');
    this.authority = ca;
    const serving = issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      ipAddresses: ['127.0.0.1', '10.0.0.1'],
      usage: 'server',
    });
    const admin = issueCertificate(ca, {
      commonName: 'admin',
      organization: 'system:masters',
      usage: 'client',
    });
    const sa = makeServiceAccountKeyPair(pki);
    this.certs = {
      caCertPath: ca.certPath,
      caKeyPath: ca.keyPath,
      serverCertPath: serving.certPath,
      serverKeyPath: serving.keyPath,
      adminCertPath: admin.certPath,
      adminKeyPath: admin.keyPath,
      saPrivateKeyPath: sa.privateKeyPath,
      saPublicKeyPath: sa.publicKeyPath,
      ca: ca.certPem,
      adminCert: admin.certPem,
      adminKey: admin.keyPem,
    };
  }

  private spawnTracked(name: string, command: string, args: string[]): ChildProcess {
    const logPath = join(this.dir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: false });
    closeSync(fd);
    if (child.pid) writeFileSync(join(this.dir, 'children.pids'), `${child.pid}\n`, { flag: 'a' });
    child.on('exit', (code, signal) => this.log(`${name} exited (code ${code}, signal ${signal})`));
    return child;
  }

  private readLog(name: string): string {
    try {
      const text = readFileSync(join(this.dir, `${name}.log`), 'utf8');
      return text.split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  }

  private async waitUntil(
    what: string,
    child: ChildProcess,
    probe: () => Promise<boolean>,
    logName: string,
  ): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new ControlPlaneError(`${what} exited while starting:\n${this.readLog(logName)}`);
      }
      if (await probe().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new ControlPlaneError(
      `${what} not ready after ${this.startTimeoutMs} ms:\n${this.readLog(logName)}`,
    );
  }

  private async startEtcd(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.etcdPort = await freeLoopbackPort();
      const peerPort = await freeLoopbackPort();
      const dataDir = join(this.dir, 'etcd-data');
      const client = `http://127.0.0.1:${this.etcdPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      this.etcd = this.spawnTracked('etcd', this.binaries.etcd, [
        '--name=test',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=test=${peer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        '--quota-backend-bytes=2147483648',
      ]);
      try {
        await this.waitUntil(
          'etcd',
          this.etcd,
          async () => (await get(`${client}/health`)).status === 200,
          'etcd',
        );
        return;
      } catch (error) {
        // "address already in use": another process took the port between the check and the bind.
        if (attempt < 3 && /address already in use/.test(this.readLog('etcd'))) continue;
        throw error;
      }
    }
  }

  /** Starts (or restarts, on the same port and data) kube-apiserver. */
  async startApiServer(): Promise<void> {
    if (!this.certs) throw new ControlPlaneError('certificates missing');
    const fixedPort = this.apiPort !== 0;
    for (let attempt = 1; ; attempt++) {
      if (!fixedPort) this.apiPort = await freeLoopbackPort();
      const c = this.certs;
      this.apiServer = this.spawnTracked('kube-apiserver', this.binaries.kubeApiserver, [
        `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
        `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
        `--tls-cert-file=${c.serverCertPath}`,
        `--tls-private-key-file=${c.serverKeyPath}`,
        `--client-ca-file=${c.caCertPath}`,
        `--secure-port=${this.apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--disable-admission-plugins=ServiceAccount',
        '--authorization-mode=RBAC',
        `--service-account-issuer=https://127.0.0.1:${this.apiPort}/`,
        `--service-account-key-file=${c.saPublicKeyPath}`,
        `--service-account-signing-key-file=${c.saPrivateKeyPath}`,
        '--enable-priority-and-fairness=false',
        '--watch-cache=true',
        // An APIService backed by a Service is reached at its endpoint's IP (no kube-proxy here): the
        // aggregated metrics.k8s.io test serves PodMetrics from a local HTTPS server this way.
        '--enable-aggregator-routing=true',
        ...this.auditFlags(),
        '--v=0',
      ]);
      const tls = { ca: c.ca, cert: c.adminCert, key: c.adminKey };
      try {
        await this.waitUntil(
          'kube-apiserver',
          this.apiServer,
          async () => (await get(`${this.server}/readyz`, tls)).status === 200,
          'kube-apiserver',
        );
        return;
      } catch (error) {
        if (!fixedPort && attempt < 3 && /address already in use/.test(this.readLog('kube-apiserver')))
          continue;
        throw error;
      }
    }
  }

  get auditLogPath(): string {
    return join(this.dir, 'audit.log');
  }

  private auditFlags(): string[] {
    if (this.auditUsers.length === 0) return [];
    const policyPath = join(this.dir, 'audit-policy.yaml');
    writeFileSync(
      policyPath,
      [
        'apiVersion: audit.k8s.io/v1',
        'kind: Policy',
        'omitStages: [RequestReceived]',
        'rules:',
        '  - level: Metadata',
        `    users: [${this.auditUsers.map((u) => JSON.stringify(u)).join(', ')}]`,
        '  - level: None',
        '',
      ].join('\n'),
    );
    return [
      `--audit-policy-file=${policyPath}`,
      `--audit-log-path=${this.auditLogPath}`,
      '--audit-log-maxsize=0',
    ];
  }

  /**
   * A kubeconfig for another client identity signed by this plane's CA (e.g. the operator under a
   * benchmark, so that the audit log tells its requests apart). Returns its path.
   */
  writeClientKubeconfig(commonName: string, organization?: string): string {
    if (!this.authority) throw new ControlPlaneError('control plane not started');
    const client = issueCertificate(this.authority, { commonName, organization, usage: 'client' });
    const path = join(this.dir, `kubeconfig-${commonName.replace(/[^a-zA-Z0-9-]/g, '_')}`);
    this.writeKubeconfigFor(path, commonName, client.certPath, client.keyPath);
    return path;
  }

  /** Stops kube-apiserver only (etcd keeps the data), for restart tests. */
  async stopApiServer(): Promise<void> {
    await stopChild(this.apiServer);
    this.apiServer = undefined;
  }

  private writeKubeconfig(): void {
    const c = this.certs!;
    this.writeKubeconfigFor(this.kubeconfigPath, 'admin', c.adminCertPath, c.adminKeyPath);
  }

  private writeKubeconfigFor(path: string, user: string, certPath: string, keyPath: string): void {
    const c = this.certs!;
    const b64 = (path: string) => readFileSync(path).toString('base64');
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${this.server}`,
      `    certificate-authority-data: ${b64(c.caCertPath)}`,
      'users:',
      `- name: ${JSON.stringify(user)}`,
      '  user:',
      `    client-certificate-data: ${b64(certPath)}`,
      `    client-key-data: ${b64(keyPath)}`,
      'contexts:',
      '- name: test',
      `  context: {cluster: test, user: ${JSON.stringify(user)}, namespace: default}`,
      'current-context: test',
      '',
    ].join('\n');
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path, kubeconfig, { mode: 0o600 });
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((child) => stopChild(child)));
    this.controllers = [];
    await stopChild(this.apiServer);
    await stopChild(this.etcd);
    this.apiServer = undefined;
    this.etcd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killNow(): void {
    for (const child of [...this.controllers, this.apiServer, this.etcd]) {
      if (child?.pid && child.exitCode === null) {
        try {
          child.kill('SIGKILL');
        } catch {
          // gone
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
