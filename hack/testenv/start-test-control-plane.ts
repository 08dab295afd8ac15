// jest globalSetup (through global-setup.mjs) for the real-processes project: one real control plane for the whole run.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane, locateBinaries } from './control-plane.js';

declare global {
  var __carbonKeplerControlPlane: ControlPlane | undefined;
}

function ensureAssets(): void {
  if (process.env.KUBEBUILDER_ASSETS) return;
  // Builds once (cold: minutes), then only prints the cached directory.
  const dir = execFileSync('bash', [join(process.cwd(), 'hack/control-plane-binaries.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  process.env.KUBEBUILDER_ASSETS = dir;
}

export default async function globalSetup(): Promise<void> {
  ensureAssets();
  const started = Date.now();
  const controlPlane = new ControlPlane({ binaries: locateBinaries() });
  globalThis.__carbonKeplerControlPlane = controlPlane;
  process.once('exit', () => controlPlane.killNow());
  const info = await controlPlane.start();
  const infoPath = join(info.dir, 'control-plane.json');
  writeFileSync(infoPath, JSON.stringify(info, null, 2));
  process.env.TEST_KUBECONFIG = info.kubeconfigPath;
  process.env.TEST_CONTROL_PLANE = infoPath;
  if (info.binaries.kubectl) process.env.TEST_KUBECTL = info.binaries.kubectl;
  if (info.binaries.helm) process.env.TEST_HELM = info.binaries.helm;
  process.stderr.write(`\ntest control plane: ${info.server} ready in ${Date.now() - started} ms\n`);
}
