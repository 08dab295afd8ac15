// The operator's configuration: flags override environment variables override defaults. Validated
// with zod; an error names the flag. The metrics source (which URLs to scrape) is configured here
// by the cluster admin, never by a policy.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const seconds = z.coerce.number().positive();

export const operatorConfigSchema = z
  .object({
    kubeconfig: z.string().optional(),
    source: z.enum(['kepler', 'prometheus']),
    keplerEndpoints: csv.optional(),
    keplerNamespace: z.string().default('kepler'),
    keplerService: z.string().default('kepler'),
    keplerPortName: z.string().default('http'),
    keplerScheme: z.enum(['http', 'https']).default('http'),
    keplerCaFile: z.string().optional(),
    keplerCertFile: z.string().optional(),
    keplerKeyFile: z.string().optional(),
    keplerTokenFile: z.string().optional(),
    keplerScrapeInterval: seconds.default(30),
    prometheusUrl: z.string().url().optional(),
    prometheusCaFile: z.string().optional(),
    prometheusTokenFile: z.string().optional(),
    /** Where p95 CPU/memory usage for right-sizing comes from; auto: prometheus when --prometheus-url is
     * set (whatever --source is), else metrics.k8s.io. */
    usageSource: z.enum(['auto', 'prometheus', 'metrics-api', 'none']).default('auto'),
    usageSampleInterval: seconds.min(1).default(60),
    usageRateWindow: z
      .string()
      .regex(/^\d+(ms|s|m|h)$/, 'a Prometheus duration such as 5m')
      .default('5m'),
    /** Send a bearer token over plain http anyway (an admin's explicit choice, e.g. a sidecar proxy). */
    allowBearerOverHttp: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    leaderElection: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** Estimate pods on nodes without real Kepler readings with the CCF model (labelled, never mixed silently). */
    estimateUnmeasuredPower: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    leaseName: z.string().default('carbon-aware-operator'),
    leaseNamespace: z.string().optional(),
    leaseDuration: seconds.default(15),
    renewDeadline: seconds.default(10),
    retryPeriod: seconds.default(2),
    identity: z.string().default(`${hostname()}-${process.pid}`),
    healthPort: z.coerce.number().int().min(0).max(65535).default(8081),
    healthHost: z.string().default('0.0.0.0'),
    concurrency: z.coerce.number().int().min(1).max(64).default(4),
    minInterval: seconds.default(5),
    watchNamespace: z.string().optional(),
    /** Let policies with spec.actions.temporalShift=Apply move CronJob schedules (needs list and patch
     * on CronJobs: the chart grants them with operator.actions.enabled). Off: Apply acts as Recommend. */
    actions: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    standardsFile: z.string().min(1).optional(),
    electricityMapsTokenFile: z.string().min(1).optional(),
    electricityMapsUrl: z.string().url().optional(),
    electricityMapsCaFile: z.string().min(1).optional(),
    electricityMapsZones: csv.optional(),
    electricityMapsRefreshInterval: seconds.min(60).default(900),
    electricityMapsTimeout: seconds.max(120).default(10),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .refine((c) => c.source !== 'prometheus' || c.prometheusUrl, {
    message: '--prometheus-url is required with --source=prometheus',
    path: ['prometheusUrl'],
  })
  .refine((c) => c.usageSource !== 'prometheus' || c.prometheusUrl, {
    message: '--prometheus-url is required with --usage-source=prometheus',
    path: ['usageSource'],
  })
  .refine(
    (c) =>
      c.allowBearerOverHttp ||
      c.source !== 'kepler' ||
      !c.keplerTokenFile ||
      (c.keplerEndpoints?.length
        ? c.keplerEndpoints.every((url) => !/^http:/i.test(url))
        : c.keplerScheme === 'https'),
    {
      message:
        'a bearer token would be sent over plain http (anyone on the path can read and replay it): ' +
        'use https endpoints (--kepler-scheme https, a CA with --kepler-ca-file), or set ' +
        '--allow-bearer-over-http true to accept the risk',
      path: ['keplerTokenFile'],
    },
  )
  .refine(
    (c) =>
      c.allowBearerOverHttp ||
      (c.source !== 'prometheus' && usageFrom(c) !== 'prometheus') ||
      !c.prometheusTokenFile ||
      !/^http:/i.test(c.prometheusUrl ?? ''),
    {
      message:
        'a bearer token would be sent over plain http (anyone on the path can read and replay it): ' +
        'use an https --prometheus-url, or set --allow-bearer-over-http true to accept the risk',
      path: ['prometheusTokenFile'],
    },
  )
  .refine((c) => !(c.keplerCertFile && !c.keplerKeyFile), {
    message: '--kepler-key-file is required with --kepler-cert-file',
    path: ['keplerKeyFile'],
  });

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

/** The usage source `--usage-source` resolves to: auto is prometheus when a Prometheus is configured. */
export function usageFrom(c: {
  usageSource: 'auto' | 'prometheus' | 'metrics-api' | 'none';
  prometheusUrl?: string | undefined;
}): 'prometheus' | 'metrics-api' | 'none' {
  if (c.usageSource !== 'auto') return c.usageSource;
  return c.prometheusUrl ? 'prometheus' : 'metrics-api';
}

/** flag name (kebab) → [config key, environment variable]. */
const operatorFlags: Record<string, [keyof z.input<typeof operatorConfigSchema>, string]> = {
  kubeconfig: ['kubeconfig', 'KUBECONFIG'],
  source: ['source', 'METRICS_SOURCE'],
  'kepler-endpoints': ['keplerEndpoints', 'KEPLER_ENDPOINTS'],
  'kepler-namespace': ['keplerNamespace', 'KEPLER_NAMESPACE'],
  'kepler-service': ['keplerService', 'KEPLER_SERVICE'],
  'kepler-port-name': ['keplerPortName', 'KEPLER_PORT_NAME'],
  'kepler-scheme': ['keplerScheme', 'KEPLER_SCHEME'],
  'kepler-ca-file': ['keplerCaFile', 'KEPLER_CA_FILE'],
  'kepler-cert-file': ['keplerCertFile', 'KEPLER_CERT_FILE'],
  'kepler-key-file': ['keplerKeyFile', 'KEPLER_KEY_FILE'],
  'kepler-token-file': ['keplerTokenFile', 'KEPLER_TOKEN_FILE'],
  'kepler-scrape-interval': ['keplerScrapeInterval', 'KEPLER_SCRAPE_INTERVAL_SECONDS'],
  'prometheus-url': ['prometheusUrl', 'PROMETHEUS_URL'],
  'prometheus-ca-file': ['prometheusCaFile', 'PROMETHEUS_CA_FILE'],
  'prometheus-token-file': ['prometheusTokenFile', 'PROMETHEUS_TOKEN_FILE'],
  'usage-source': ['usageSource', 'USAGE_SOURCE'],
  'usage-sample-interval': ['usageSampleInterval', 'USAGE_SAMPLE_INTERVAL_SECONDS'],
  'usage-rate-window': ['usageRateWindow', 'USAGE_RATE_WINDOW'],
  'allow-bearer-over-http': ['allowBearerOverHttp', 'ALLOW_BEARER_OVER_HTTP'],
  'leader-election': ['leaderElection', 'LEADER_ELECTION'],
  'estimate-unmeasured-power': ['estimateUnmeasuredPower', 'ESTIMATE_UNMEASURED_POWER'],
  'lease-name': ['leaseName', 'LEASE_NAME'],
  'lease-namespace': ['leaseNamespace', 'POD_NAMESPACE'],
  'lease-duration': ['leaseDuration', 'LEASE_DURATION_SECONDS'],
  'renew-deadline': ['renewDeadline', 'RENEW_DEADLINE_SECONDS'],
  'retry-period': ['retryPeriod', 'RETRY_PERIOD_SECONDS'],
  identity: ['identity', 'POD_NAME'],
  'health-port': ['healthPort', 'HEALTH_PORT'],
  'health-host': ['healthHost', 'HEALTH_HOST'],
  concurrency: ['concurrency', 'RECONCILE_CONCURRENCY'],
  'min-interval': ['minInterval', 'MIN_INTERVAL_SECONDS'],
  'watch-namespace': ['watchNamespace', 'WATCH_NAMESPACE'],
  actions: ['actions', 'ACTIONS_ENABLED'],
  'standards-file': ['standardsFile', 'STANDARDS_FILE'],
  'electricity-maps-token-file': ['electricityMapsTokenFile', 'ELECTRICITY_MAPS_TOKEN_FILE'],
  'electricity-maps-url': ['electricityMapsUrl', 'ELECTRICITY_MAPS_URL'],
  'electricity-maps-ca-file': ['electricityMapsCaFile', 'ELECTRICITY_MAPS_CA_FILE'],
  'electricity-maps-zones': ['electricityMapsZones', 'ELECTRICITY_MAPS_ZONES'],
  'electricity-maps-refresh-interval': [
    'electricityMapsRefreshInterval',
    'ELECTRICITY_MAPS_REFRESH_INTERVAL_SECONDS',
  ],
  'electricity-maps-timeout': ['electricityMapsTimeout', 'ELECTRICITY_MAPS_TIMEOUT_SECONDS'],
  'log-level': ['logLevel', 'LOG_LEVEL'],
};

/** `carbon-operator --help`: every flag with its environment variable (meanings: operator/README.md). */
export function operatorUsage(): string {
  const width = Math.max(...Object.keys(operatorFlags).map((f) => f.length)) + 2;
  const lines = Object.entries(operatorFlags).map(
    ([flag, [, envName]]) => `  --${flag.padEnd(width)} VALUE   env ${envName}`,
  );
  return [
    'carbon-operator: keeps every CarbonCompliancePolicy status current from Kepler energy metrics.',
    '',
    'Usage: carbon-operator [--flag VALUE ...]     flags override environment variables',
    '       carbon-operator --help | --version',
    '',
    ...lines,
    '',
    'Defaults, meanings and RBAC: operator/README.md in the package; the Helm chart sets these for you.',
    '',
  ].join('\n');
}

export function loadOperatorConfig(argv: string[], env: NodeJS.ProcessEnv): OperatorConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.keys(operatorFlags).map((flag) => [flag, { type: 'string' as const }]),
    ),
    strict: true,
    allowPositionals: false,
  });
  const raw: Record<string, unknown> = { source: 'kepler' };
  for (const [flag, [key, envName]] of Object.entries(operatorFlags)) {
    const value = (values as Record<string, string | undefined>)[flag] ?? env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = operatorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const flag = Object.entries(operatorFlags).find(([, [k]]) => k === key);
    throw new Error(
      `invalid configuration: --${flag?.[0] ?? key} (env ${flag?.[1][1] ?? '?'}): ${issue.message}`,
    );
  }
  return parsed.data;
}
