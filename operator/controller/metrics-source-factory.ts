// Builds the MetricsSource the cluster admin configured (flags/env, Helm values): Kepler endpoints
// scraped directly, or Prometheus. Never a URL from a policy.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createMetricsSource as createKeplerEndpointSource } from '../sources/kepler-endpoint-source.js';
import { createMetricsSource as createPrometheusSource } from '../sources/prometheus-source.js';
import { withCcfFallback } from '../sources/ccf-fallback-source.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import type { MetricsSource } from './metrics-source.js';
import type { OperatorConfig } from './operator-config.js';

const factories = {
  kepler: createKeplerEndpointSource,
  prometheus: createPrometheusSource,
} satisfies Record<OperatorConfig['source'], unknown>;

export async function createMetricsSource(
  config: OperatorConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
): Promise<MetricsSource> {
  const measured = await factories[config.source]({ config, kubeConfig, logger });
  // Pods on nodes without Kepler readings: estimated with the CCF model when the admin turns it on.
  const source = config.estimateUnmeasuredPower
    ? withCcfFallback(measured, new KubeRestClient(kubeConfig))
    : measured;
  logger.info({ source: source.description }, 'metrics source configured');
  return source;
}
