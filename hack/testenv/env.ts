// What the real-processes tests (*.itest.ts) use to reach the control plane that globalSetup started.
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import type { ControlPlaneInfo } from './control-plane.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the *.itest.ts files through jest's "real-processes" project (make integration)`,
    );
  }
  return value;
}

export function testKubeconfigPath(): string {
  return required('TEST_KUBECONFIG');
}

export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  return kc;
}

export function testControlPlaneInfo(): ControlPlaneInfo {
  return JSON.parse(readFileSync(required('TEST_CONTROL_PLANE'), 'utf8')) as ControlPlaneInfo;
}

export function kubectlPath(): string {
  return required('TEST_KUBECTL');
}

export function helmPath(): string {
  return required('TEST_HELM');
}
