// What the demo prints once everything runs: where to look and how to ask.
export interface ReadyBannerInput {
  kubectlTable: string;
  httpBase: string;
  kubeconfigPath: string;
  kubectlPath: string;
  mcpEntryPath: string;
  keplerUrls: string[];
  /** Seconds from `make demo`'s start to this banner, and what took them. */
  startup: { total_s: number; phases: Array<{ name: string; seconds: number }> };
}

export function readyBanner(input: ReadyBannerInput): string {
  const claudeDesktop = {
    mcpServers: {
      'carbon-kepler': {
        command: 'node',
        args: [input.mcpEntryPath],
        env: { KUBECONFIG: input.kubeconfigPath },
      },
    },
  };
  const body = JSON.stringify({ workload_name: 'ml-training-job', namespace: 'ai-team' });
  return [
    '',
    '── Carbon compliance (kubectl get carboncompliance -A) ──',
    input.kubectlTable.trimEnd(),
    '',
    `Kubeconfig:   export KUBECONFIG=${input.kubeconfigPath}`,
    `kubectl:      ${input.kubectlPath} get carboncompliance -A`,
    `Dashboard:    ${input.httpBase}/   (ko; English: ${input.httpBase}/?lang=en)`,
    `Swagger UI:   ${input.httpBase}/docs`,
    `OpenAPI:      ${input.httpBase}/openapi.json`,
    `MCP (HTTP):   ${input.httpBase}/mcp`,
    `Kepler feed:  ${input.keplerUrls.join(' ')}`,
    '              (SIMULATED Kepler 0.11-format series over HTTPS, one endpoint per node, demo CA)',
    '',
    'Ask the REST API:',
    `  curl -s -X POST ${input.httpBase}/tools/assess_workload_compliance \\`,
    `    -H 'content-type: application/json' -d '${body}'`,
    '',
    'Claude Desktop (claude_desktop_config.json), MCP over stdio:',
    JSON.stringify(claudeDesktop, null, 2)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    '',
    `Start-up:     ${input.startup.total_s.toFixed(1)} s (${input.startup.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')})`,
    '',
    'Press Ctrl-C to stop the demo and remove its data.',
    'DEMO READY',
    '',
  ].join('\n');
}
