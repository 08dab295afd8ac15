// Builds the MetricsSource the cluster admin configured (flags/env, Helm values): Kepler endpoints
// scraped directly, or Prometheus. Never a URL from a policy. Each source takes its own settings; this
// is the one place that maps the operator's configuration onto them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KubeRestClient } from '../kube/kube-rest-client.js';
import { withCcfFallback } from '../sources/ccf-fallback-source.js';
import {
  createKeplerEndpointSource,
  type KeplerEndpointSettings,
} from '../sources/kepler-endpoint-source.js';
import type { MetricsSource } from '../sources/metrics-source.js';
import { createPrometheusSource, type PrometheusClientOptions } from '../sources/prometheus-source.js';
import type { OperatorConfig } from './operator-config.js';

/** The --kepler-* flags as the direct Kepler source's settings. */
function keplerEndpointSettings(config: OperatorConfig): KeplerEndpointSettings {
  return {
    ...(config.keplerEndpoints ? { endpoints: config.keplerEndpoints } : {}),
    discovery: {
      namespace: config.keplerNamespace,
      service: config.keplerService,
      portName: config.keplerPortName,
      scheme: config.keplerScheme,
    },
    scrapeIntervalSeconds: config.keplerScrapeInterval,
    ...(config.keplerCaFile ? { caFile: config.keplerCaFile } : {}),
    ...(config.keplerCertFile ? { certFile: config.keplerCertFile } : {}),
    ...(config.keplerKeyFile ? { keyFile: config.keplerKeyFile } : {}),
    ...(config.keplerTokenFile ? { tokenFile: config.keplerTokenFile } : {}),
  };
}

/** The --prometheus-* flags as a Prometheus client's options (energy and usage share them). */
export function prometheusClientOptions(config: OperatorConfig): PrometheusClientOptions {
  return {
    url: config.prometheusUrl!,
    ...(config.prometheusCaFile ? { caFile: config.prometheusCaFile } : {}),
    ...(config.prometheusTokenFile ? { tokenFile: config.prometheusTokenFile } : {}),
  };
}

type SourceFactory = (
  config: OperatorConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
) => Promise<MetricsSource>;

const factories = {
  kepler: (config, kubeConfig, logger) =>
    Promise.resolve(
      createKeplerEndpointSource({ settings: keplerEndpointSettings(config), kubeConfig, logger }),
    ),
  prometheus: (config, _kubeConfig, logger) => {
    if (!config.prometheusUrl) throw new Error('--prometheus-url is required with --source=prometheus');
    return createPrometheusSource({ client: prometheusClientOptions(config), logger });
  },
} satisfies Record<OperatorConfig['source'], SourceFactory>;

export async function createMetricsSource(
  config: OperatorConfig,
  kubeConfig: KubeConfig,
  logger: Logger,
): Promise<MetricsSource> {
  const measured = await factories[config.source](config, kubeConfig, logger);
  // Pods on nodes without Kepler readings: estimated with the CCF model when the admin turns it on.
  const source = config.estimateUnmeasuredPower
    ? withCcfFallback(measured, new KubeRestClient(kubeConfig))
    : measured;
  logger.info({ source: source.description }, 'metrics source configured');
  return source;
}
