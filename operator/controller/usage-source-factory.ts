// Builds the usage source the cluster admin configured (--usage-source): Prometheus's cAdvisor series
// when a Prometheus is configured (auto), else periodic samples of the metrics.k8s.io API, or none
// (then every policy's UsageAvailable condition says right-sizing was not assessed, and why).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { MetricsApiUsageSampler } from '../sources/metrics-api-usage.js';
import { PrometheusClient } from '../sources/prometheus-source.js';
import { PrometheusUsageSource } from '../sources/prometheus-usage.js';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import { prometheusClientOptions } from './metrics-source-factory.js';
import { usageFrom, type OperatorConfig } from './operator-config.js';
import type { UsageSource } from '../sources/usage-source.js';

export interface ConfiguredUsage {
  source: UsageSource | undefined;
  close(): Promise<void>;
}

export async function createUsageSource(
  config: OperatorConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
): Promise<ConfiguredUsage> {
  const kind = usageFrom(config);
  if (kind === 'none') {
    logger.info('no usage source: right-sizing is not assessed (--usage-source=none)');
    return { source: undefined, close: () => Promise.resolve() };
  }
  if (kind === 'prometheus') {
    const client = await PrometheusClient.create(prometheusClientOptions(config));
    const source = new PrometheusUsageSource({
      client,
      stepSeconds: config.usageSampleInterval,
      rateWindow: config.usageRateWindow,
    });
    logger.info({ usageSource: source.description }, 'usage source configured');
    return { source, close: () => client.close() };
  }
  const sampler = new MetricsApiUsageSampler({
    client: new KubeRestClient(kubeConfig),
    intervalMs: config.usageSampleInterval * 1000,
    ...(config.watchNamespace ? { watchNamespace: config.watchNamespace } : {}),
    logger,
  });
  sampler.start();
  logger.info({ usageSource: sampler.description }, 'usage source configured');
  return { source: sampler, close: () => sampler.stop() };
}
