#!/usr/bin/env node
// carbon-kepler: a CI gate on Kepler metrics. Reads one or more Kepler scrapes (files or URLs), finds
// the workload's pods, runs the same carbon engine as the operator, prints the assessment and exits
// 0 = compliant, 1 = non-compliant, 2 = bad input or not enough data (the reason goes to stderr).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadBindingData } from '../binding/binding-data.js';
import { BindingError, createSiteBinder, type FieldNames } from '../binding/site-binding.js';
import { EngineInputError } from '../engine/engine-input-error.js';
import type { WorkloadAssessment, WorkloadKind } from '../domain/types.js';
import { DataFileError } from '../reference-data/data-file-error.js';
import { CliInputError, loadSnapshot, parseMetricsArgument } from './metrics-snapshots.js';
import { pueAssumedMessage } from '../binding/pue-assumed.js';
import { renderTable } from './table-output.js';
import { PACKAGE_VERSION } from '../package-version.js';
import { clusterPods } from './cluster-owners.js';
import { unnamedMessage, workloadInputs, type Selection } from './workload-inputs.js';
import { HOUR_MS } from '../domain/time.js';

export const HELP = `carbon-kepler assess — carbon compliance of a workload from Kepler metrics

Usage:
  carbon-kepler assess --metrics <file|url>[@<ISO 8601>] [--metrics <second snapshot>]
                       (--workload NAME --namespace NS | --all [--namespace NS])
                       [--zone KR | --cloud-region aws/ap-northeast-2] [--pue 1.17]
                       [--grid-intensity 436] [--standard KR_CARBON_2050] [--at ISO8601]
                       [--lang ko|en] [--output json|table]
  carbon-kepler --version | --help

Metrics:
  --metrics        A Kepler /metrics scrape: a file (Prometheus text or OpenMetrics) or an http(s) URL.
                   Give it twice (or more) for energy from the joule counters' increase between the scrapes;
                   each file then needs its time: samples with timestamps, or <file>@2026-05-04T10:00:00Z.
                   With one snapshot the counters are not used (their start is unknown): the watts gauges
                   (Kepler 0.10+) are held for the hour before the scrape, and the sources say so.
                   Kepler 0.7 has no watts gauges: one 0.7 snapshot is not enough.
  --ca-file        CA bundle (PEM) to verify an https URL; --token-file: bearer token file for it.

Workload:
  --workload NAME  Matches the pod NAME itself and pods named after it by their controller:
                   Deployment NAME-<hash>-<5 chars>, CronJob NAME-<digits>-<5 chars>, Job (or DaemonSet)
                   NAME-<5 chars>, StatefulSet NAME-<ordinal>. --namespace NS is required with it.
  --all            Every workload in the metrics (pods grouped by the same naming rules).
  --kind KIND      Override the guessed kind (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod).
                   A name that fits several controllers (a Job and a DaemonSet are both NAME-<5 chars>; a
                   template hash can be all digits) is labelled ambiguous (kind_ambiguous) and gets no
                   kind-specific advice unless --kind or --kubeconfig settles it.
  --kubeconfig F   Ask the cluster (read-only: list pods, get ReplicaSets and Jobs): owners are resolved as
                   the operator resolves them, and pods Kepler names only by UID (container-level series)
                   get their names. Without it such pods are left out and stderr says so.

Site and standard:
  --zone           Grid zone (default KR: modelled hourly KR profile). --cloud-region instead: the region's
                   zone and published PUE.
  --pue            Facility PUE (default: the cloud region's published PUE, else an assumed average, with a
                   warning on stderr: set it).
  --grid-intensity Flat grid intensity gCO2eq/kWh for every hour instead of the zone's profile.
  --standard       Standard code from the catalogue (default KR_CARBON_2050); --standards-file: another catalogue.
  --at             Evaluation time (default: now); also the time of a single snapshot without one.
  --no-recommendations  Verdict only.

Output:
  --lang ko|en     Language of the sentences (default ko).  --output json|table (default table).
                   Energy is active (dynamic) energy for every Kepler generation; the workload's share of node
                   idle energy is beside it (idle_share_kWh, IDLE kWh), and footprint gives emissions on both
                   bases. The 30-day projection scales the hours the snapshots span.
  Exit status: 0 compliant, 1 non-compliant, 2 bad input or insufficient data.
`;

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet'] as const;

const optionsSchema = z
  .object({
    metrics: z.array(z.string().min(1)).min(1, 'at least one --metrics is required'),
    workload: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    all: z.boolean().default(false),
    kind: z.enum(KINDS).optional(),
    zone: z
      .string()
      .regex(/^[A-Z]{2}(-[A-Z0-9-]+)?$/, 'a zone code like KR or JP-TK')
      .optional(),
    'cloud-region': z
      .string()
      .regex(/^(aws|azure|gcp)\/[a-z0-9-]+$/, '<aws|azure|gcp>/<region>, e.g. aws/ap-northeast-2')
      .optional(),
    pue: z.coerce.number().finite().min(1).max(5).optional(),
    'grid-intensity': z.coerce.number().finite().positive().max(5000).optional(),
    standard: z
      .string()
      .regex(/^[A-Z0-9_]+$/, 'a standard code like KR_CARBON_2050')
      .default('KR_CARBON_2050'),
    'standards-file': z.string().min(1).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
    lang: z.enum(['ko', 'en']).default('ko'),
    output: z.enum(['json', 'table']).default('table'),
    'no-recommendations': z.boolean().default(false),
    'ca-file': z.string().min(1).optional(),
    'token-file': z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.all && o.workload)
      ctx.addIssue({ code: 'custom', path: ['all'], message: 'use either --all or --workload' });
    if (!o.all && !o.workload) {
      ctx.addIssue({
        code: 'custom',
        path: ['workload'],
        message: 'name a workload (with --namespace) or use --all',
      });
    }
    if (o.workload && !o.namespace) {
      ctx.addIssue({ code: 'custom', path: ['namespace'], message: 'required with --workload' });
    }
    if (o.zone && o['cloud-region']) {
      ctx.addIssue({ code: 'custom', path: ['zone'], message: 'use either --zone or --cloud-region' });
    }
  });

export type CliOptions = z.infer<typeof optionsSchema>;

/** Parses `assess …` arguments; throws CliInputError naming the option. */
export function parseCliArguments(argv: string[]): CliOptions | 'help' {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'assess')
    throw new CliInputError(`unknown command '${command}' (expected: assess; see --help)`);
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        metrics: { type: 'string', multiple: true },
        workload: { type: 'string' },
        namespace: { type: 'string' },
        all: { type: 'boolean' },
        kind: { type: 'string' },
        zone: { type: 'string' },
        'cloud-region': { type: 'string' },
        pue: { type: 'string' },
        'grid-intensity': { type: 'string' },
        standard: { type: 'string' },
        'standards-file': { type: 'string' },
        at: { type: 'string' },
        lang: { type: 'string' },
        output: { type: 'string' },
        'no-recommendations': { type: 'boolean' },
        'ca-file': { type: 'string' },
        'token-file': { type: 'string' },
        kubeconfig: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new CliInputError((error as Error).message);
  }
  // Numbers must be plain decimals: '' or '1.1x' are errors, not NaN or 0.
  for (const key of ['pue', 'grid-intensity'] as const) {
    const v = values[key];
    if (typeof v === 'string' && !/^\s*\d+(\.\d+)?\s*$/.test(v)) {
      throw new CliInputError(`--${key}: '${v}' is not a number`);
    }
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliInputError(`--${String(issue.path[0] ?? 'arguments')}: ${issue.message}`);
  }
  return parsed.data;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => number;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  now: () => Date.now(),
};

/** The CLI's names for what a policy calls spec.* (errors name the flag to fix). */
const CLI_FIELDS: FieldNames = {
  origin: 'cli',
  standard: '--standard',
  zone: '--zone',
  cloudRegion: '--cloud-region',
  pue: '--pue',
  carbonTarget: '--standard',
  candidateRegions: '--cloud-region',
  gridIntensity: '--grid-intensity',
};

export function exitCodeFor(assessments: WorkloadAssessment[]): number {
  if (assessments.some((a) => a.status === 'NON_COMPLIANT')) return 1;
  if (assessments.length === 0 || assessments.some((a) => a.status === 'INSUFFICIENT_DATA')) return 2;
  return 0;
}

export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    if (argv[0] === '--version') {
      io.stdout(`carbon-kepler ${PACKAGE_VERSION}\n`);
      return 0;
    }
    const options = parseCliArguments(argv);
    if (options === 'help') {
      io.stdout(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    const nowMs = options.at ? Date.parse(options.at) : io.now();
    const locations = options.metrics.map(parseMetricsArgument);
    const loaded = [];
    for (const location of locations) {
      loaded.push(
        await loadSnapshot(location, nowMs, {
          ...(options['ca-file'] ? { caFile: options['ca-file'] } : {}),
          ...(options['token-file'] ? { tokenFile: options['token-file'] } : {}),
        }),
      );
    }
    const selection: Selection = options.all
      ? { all: true, ...(options.namespace ? { namespace: options.namespace } : {}) }
      : { all: false, workload: options.workload!, namespace: options.namespace! };
    const cluster = options.kubeconfig ? await clusterPods(options.kubeconfig, options.namespace) : undefined;
    const energy = workloadInputs(loaded, selection, {
      ...(options.kind ? { kind: options.kind as WorkloadKind } : {}),
      ...(cluster ? { cluster } : {}),
    });
    if (energy.unnamedPodUids.length > 0)
      io.stderr(`carbon-kepler: ${unnamedMessage(energy.unnamedPodUids)}\n`);
    const windowEndMs = Date.parse(energy.window.end);
    // The operator's own binding path: the same standard, PUE, profile, tariff, K-ETS price,
    // candidate regions and SCI coefficients as a policy with the same site.
    let binder;
    try {
      binder = createSiteBinder(
        loadBindingData(options['standards-file'] ? { standardsFile: options['standards-file'] } : {}),
      );
    } catch (error) {
      if (error instanceof DataFileError) throw new CliInputError(`--standards-file: ${error.message}`);
      throw error;
    }
    const bound = binder.bind(
      {
        standard: options.standard,
        site: {
          ...(options.zone ? { zone: options.zone } : {}),
          ...(options['cloud-region'] ? { cloudRegion: options['cloud-region'] } : {}),
          ...(options.pue !== undefined ? { pue: options.pue } : {}),
        },
        ...(options['grid-intensity'] !== undefined
          ? { gridIntensity_gCO2eq_kWh: options['grid-intensity'] }
          : {}),
      },
      new Date(windowEndMs),
      CLI_FIELDS,
    );
    if (bound.pueAssumed) {
      io.stderr(`carbon-kepler: warning: ${pueAssumedMessage(bound.site.pue.value, '--pue')}\n`);
    }
    const hours = (windowEndMs - Date.parse(energy.window.start)) / HOUR_MS;
    const { assessments } = binder.evaluate(bound, energy.inputs, {
      window: { ...energy.window, hours },
      language: options.lang,
      now: new Date(nowMs),
      recommendations: !options['no-recommendations'],
    });
    if (options.output === 'json') {
      io.stdout(`${JSON.stringify(options.all ? assessments : assessments[0], null, 2)}\n`);
    } else {
      io.stdout(renderTable(assessments, options.lang));
    }
    const code = exitCodeFor(assessments);
    if (code === 2) {
      const missing = assessments
        .filter((a) => a.status === 'INSUFFICIENT_DATA')
        .map((a) => `${a.namespace}/${a.workload}`);
      io.stderr(
        `carbon-kepler: insufficient data for ${missing.join(', ')}: no energy in the window (${energy.basis})\n`,
      );
    }
    return code;
  } catch (error) {
    if (
      error instanceof CliInputError ||
      error instanceof EngineInputError ||
      error instanceof BindingError
    ) {
      io.stderr(`carbon-kepler: ${error.message}\n`);
      return 2;
    }
    io.stderr(`carbon-kepler: ${(error as Error).message ?? String(error)}\n`);
    return 2;
  }
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await run(process.argv.slice(2));
}
