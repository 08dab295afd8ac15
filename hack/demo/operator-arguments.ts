// How the demo (and the resilience tests) configure the operator (flags in operator/README.md): the
// Kepler endpoints as a fixed list, as a cluster admin would set in Helm values, with the CA that
// signed their certificates, and a health/metrics port on loopback.
export interface DemoOperatorConfig {
  keplerUrls: string[];
  caPath: string;
  kubeconfigPath: string;
  healthPort: number;
  /** Seconds between scrapes; short so that a demo shows data within seconds. */
  scrapeIntervalSeconds?: number;
  /** Restrict to one namespace (tests sharing a control plane must not touch each other's policies). */
  watchNamespace?: string;
  leaderElection?: boolean;
}

export function operatorArguments(config: DemoOperatorConfig): string[] {
  return [
    '--source=kepler',
    `--kepler-endpoints=${config.keplerUrls.join(',')}`,
    `--kepler-ca-file=${config.caPath}`,
    `--kepler-scrape-interval=${config.scrapeIntervalSeconds ?? 5}`,
    `--kubeconfig=${config.kubeconfigPath}`,
    '--health-host=127.0.0.1',
    `--health-port=${config.healthPort}`,
    `--leader-election=${config.leaderElection ?? true}`,
    '--min-interval=5',
    ...(config.watchNamespace ? [`--watch-namespace=${config.watchNamespace}`] : []),
  ];
}
