#!/usr/bin/env node
// carbon-operator: keeps every CarbonCompliancePolicy's status current from Kepler energy data.
// Flags and environment variables: operator/README.md. SIGTERM/SIGINT: finish running reconciles,
// stop watches, release the leader Lease, exit 0.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { loadOperatorConfig, operatorUsage } from './controller/operator-config.js';
import { PACKAGE_VERSION } from './package-version.js';
import { OperatorRuntime } from './controller/operator-runtime.js';
import { createMetricsSource } from './controller/metrics-source-factory.js';
import { createWatchedPolicyEvaluator } from './controller/policy-evaluator.js';
import { createLiveGrid } from './controller/live-grid-factory.js';
import { createUsageSource } from './controller/usage-source-factory.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(operatorUsage());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`carbon-operator ${PACKAGE_VERSION}\n`);
    return;
  }
  let config;
  try {
    config = loadOperatorConfig(argv, process.env);
  } catch (error) {
    process.stderr.write(`carbon-operator: ${(error as Error).message}\n(see carbon-operator --help)\n`);
    process.exit(2);
  }
  const logger = pino({
    level: config.logLevel,
    base: { component: 'carbon-operator', identity: config.identity },
  });
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault(); // in-cluster when KUBERNETES_SERVICE_HOST is set
  if (!config.leaseNamespace) {
    // In a pod, the Lease lives in the operator's own namespace.
    config.leaseNamespace =
      kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  }

  const source = await createMetricsSource(config, kubeConfig, logger);
  const usage = await createUsageSource(config, kubeConfig, logger);
  // New live grid points or a reloaded standards catalogue change every policy's figures: re-evaluate.
  let requeueAll = (): void => undefined;
  let liveGrid;
  try {
    liveGrid = createLiveGrid(config, logger, () => requeueAll());
  } catch (error) {
    process.stderr.write(`carbon-operator: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const engine = createWatchedPolicyEvaluator(logger, {
    ...(config.standardsFile ? { standardsFile: config.standardsFile } : {}),
    ...(liveGrid ? { liveGrid: liveGrid.refresher } : {}),
    onCatalogueChange: () => requeueAll(),
  });
  const evaluator = engine.evaluator;
  let exiting = false;
  const runtime = new OperatorRuntime({
    config,
    kubeConfig,
    source,
    ...(usage.source ? { usage: usage.source } : {}),
    evaluator,
    logger,
    onLostLeadership: () => {
      // Another replica may already be writing: stop at once and let Kubernetes restart us.
      logger.error('lost leadership: exiting');
      process.exit(1);
    },
  });
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    runtime
      .stop()
      .then(async () => {
        engine.close();
        await liveGrid?.close();
        await usage.close();
        await (source as { close?: () => Promise<void> }).close?.();
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  requeueAll = () => runtime.requeueAll();
  liveGrid?.refresher.start();
  await runtime.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`carbon-operator: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
