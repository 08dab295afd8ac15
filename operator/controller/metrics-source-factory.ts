// Builds the MetricsSource the cluster admin configured (flags/env, Helm values). The source
// implementations live in operator/sources/ (Kepler endpoints, Prometheus); they are loaded by
// name so that the controller does not depend on their internals, and a missing or incompatible
// module fails at startup with a message instead of at the first reconcile.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { MetricsSource } from './metrics-source.js';
import type { OperatorConfig } from './operator-config.js';

export interface MetricsSourceModule {
  createMetricsSource(options: {
    config: OperatorConfig;
    kubeConfig: KubeConfig;
    logger: Logger;
  }): Promise<MetricsSource> | MetricsSource;
}

const modules: Record<OperatorConfig['source'], string> = {
  kepler: '../sources/kepler-endpoint-source.js',
  prometheus: '../sources/prometheus-source.js',
};

export async function createMetricsSource(
  config: OperatorConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
): Promise<MetricsSource> {
  const specifier = modules[config.source];
  let mod: Partial<MetricsSourceModule>;
  try {
    mod = (await import(specifier)) as Partial<MetricsSourceModule>;
  } catch (error) {
    throw new Error(`--source=${config.source}: cannot load ${specifier}: ${(error as Error).message}`);
  }
  if (typeof mod.createMetricsSource !== 'function') {
    throw new Error(`--source=${config.source}: ${specifier} does not export createMetricsSource(options)`);
  }
  const source = await mod.createMetricsSource({ config, kubeConfig, logger });
  logger.info({ source: source.description }, 'metrics source configured');
  return source;
}
