// `make demo` end to end: spawn the built demo, wait for DEMO READY, check the kubectl table shows live
// statuses (one compliant and one non-compliant policy at least), that every pod was made by a
// controller (none by hand), call the REST API, SIGTERM, and check that every process it started is
// gone and its data removed.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { freeLoopbackPort } from '../testenv/control-plane.js';

jest.setTimeout(300_000);

const root = process.cwd();
const demoEntry = join(root, 'dist-dev/hack/demo/main.js');

function descendants(pid: number): number[] {
  // Children found through /proc/<pid>/task/*/children (Linux).
  const found: number[] = [];
  const visit = (parent: number) => {
    let tasks: string[] = [];
    try {
      tasks = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      return;
    }
    for (const child of tasks.map(Number)) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is dead for our purposes.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('make demo', () => {
  let demo: ChildProcess | undefined;
  let output = '';

  afterAll(() => {
    if (demo?.pid && alive(demo.pid)) demo.kill('SIGKILL');
  });

  it('comes up with live statuses, answers REST, and cleans up on SIGTERM', async () => {
    if (!existsSync(demoEntry))
      throw new Error(`${demoEntry} is missing: run \`make build\` (make integration does)`);
    const port = await freeLoopbackPort();
    demo = spawn(process.execPath, [demoEntry], {
      cwd: root,
      env: { ...process.env, CARBON_DEMO_PORT: String(port), CARBON_DEMO_TIMEOUT_MS: '200000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));

    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('DEMO READY')) {
          clearInterval(timer);
          resolve();
        } else if (demo!.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`demo exited (${demo!.exitCode}) before DEMO READY:\n${output.slice(-4000)}`));
        }
      }, 250);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`no DEMO READY within 240 s:\n${output.slice(-4000)}`));
      }, 240_000);
      deadline.unref();
    });

    // The kubectl table: header with the printer columns and one row per policy, each with a verdict.
    const table = output.slice(output.indexOf('kubectl get carboncompliance -A'));
    expect(table).toMatch(
      /NAMESPACE\s+NAME\s+READY\s+STATUS\s+WORKLOADS\s+NON-COMPLIANT\s+INTENSITY-G\/KWH\s+TARGET-G\/KWH/,
    );
    expect(table).toMatch(/ai-team\s+ml-training\s+True\s+NON_COMPLIANT/);
    expect(table).toMatch(/research\s+climate-sim\s+True\s+COMPLIANT/);
    expect(table).toMatch(/production\s+web-app\s+True\s+(NON_)?COMPLIANT/);
    expect(table).toMatch(/analytics\s+analytics-aws-seoul\s+True\s+(NON_)?COMPLIANT/);
    // Every sample policy is assessed: none is left with a configuration error.
    expect(output).not.toContain('has no assessment');
    expect(output).toContain(`http://127.0.0.1:${port}/docs`);
    expect(output).toContain(`Dashboard:    http://127.0.0.1:${port}/ `);
    expect(output).toContain('"mcpServers"');
    expect(existsSync(join(root, '.demo/kubeconfig'))).toBe(true);

    expect(output).toMatch(/Start-up:\s+\d+\.\d s \(control plane \d+\.\d s, workloads running \d+\.\d s/);

    // Every pod comes from a controller: a ReplicaSet (of a Deployment), a StatefulSet, a DaemonSet or a
    // Job, created by kube-controller-manager, bound by the scheduler, run by kwok.
    const kc = new KubeConfig();
    kc.loadFromFile(join(root, '.demo/kubeconfig'));
    const pods = (await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({})).items.filter(
      (p) => p.metadata?.namespace !== 'kube-system',
    );
    expect(pods.length).toBeGreaterThanOrEqual(14);
    for (const pod of pods) {
      const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
      expect([pod.metadata?.name, owner?.kind]).toEqual([
        pod.metadata?.name,
        expect.stringMatching(/^(ReplicaSet|StatefulSet|DaemonSet|Job)$/),
      ]);
      expect((pod.metadata?.managedFields ?? []).map((f) => f.manager)).toContain('kube-controller-manager');
      expect(pod.spec?.nodeName).toMatch(/^demo-node-\d$/);
    }
    const kinds = new Set(pods.map((p) => p.metadata!.ownerReferences![0]!.kind));
    expect([...kinds].sort()).toEqual(['DaemonSet', 'Job', 'ReplicaSet', 'StatefulSet']);

    const response = await fetch(`http://127.0.0.1:${port}/tools/assess_workload_compliance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workload_name: 'ml-training-job', namespace: 'ai-team' }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(JSON.stringify(body)).toContain('NON_COMPLIANT');
    expect(JSON.stringify(body)).toContain('ml-training-job');
    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(docs.status).toBe(200);

    const children = descendants(demo.pid!);
    process.stdout.write(`RESILIENCE demo children=${children.length}\n`);
    // etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, the operator and carbon-mcp.
    expect(children.length).toBeGreaterThanOrEqual(7);

    demo.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(join(root, '.demo'))).toBe(false);
    expect(output).toContain('demo data removed');
  });
});
