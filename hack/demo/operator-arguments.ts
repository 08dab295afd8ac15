// How the demo configures the operator: the simulated Kepler endpoints (a fixed list, as a cluster
// admin would set in Helm values) with the demo CA, and its own health/metrics port.
export interface DemoOperatorConfig {
  keplerUrls: string[];
  caPath: string;
  kubeconfigPath: string;
  healthPort: number;
}

export function operatorArguments(config: DemoOperatorConfig): string[] {
  return [
    '--source=kepler',
    `--kepler-endpoints=${config.keplerUrls.join(',')}`,
    `--kepler-ca-file=${config.caPath}`,
    `--kubeconfig=${config.kubeconfigPath}`,
    `--health-port=${config.healthPort}`,
  ];
}
