// estimate_manifest: before deploying, what a Deployment, Job or CronJob would draw and emit under a
// chosen policy. The manifest (YAML or JSON, one document, at most 64 KiB) is parsed strictly (no
// duplicate keys, no aliases) and validated; its CPU requests times the measured active power per
// requested core of the policy's measured workloads give its power, else the Cloud Carbon Footprint
// coefficients (the operator's CCF model, labelled estimated). The energy then goes through the
// operator's own binding path and engine (operator/binding), so the verdict, emissions and advice are
// those the policy status would show; a CronJob also gets the cleanest schedule for its run length.
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import {
  BindingError,
  coefficientsForNode,
  cronAtHour,
  EngineInputError,
  estimatePodWatts,
  estimateSourceLabel,
  loadCcfCoefficients,
  localMonthAndHour,
  optimalSchedule,
  parseQuantity,
  policySiteRequest,
  policySpecSchema,
  requestsBasis,
  seasonOfMonth,
  type CarbonCompliancePolicy,
  type HourlyEnergy,
  type WorkloadEnergyInput,
  HOUR_MS,
  isoSeconds,
} from '../../operator/public-api.js';
import { policyLanguage } from './workload-lookup.js';
import { assessmentOutput, workloadAssessmentSchema } from './assessment-schema.js';
import { namespaceField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError, ToolInputError } from './tool-errors.js';

const MAX_MANIFEST_BYTES = 64 * 1024;
const ccf = loadCcfCoefficients();

const requests = z.record(z.string(), z.union([z.string(), z.number()]));
const container = z.looseObject({
  name: z.string().min(1),
  resources: z.looseObject({ requests: requests.optional() }).optional(),
});
const podTemplate = z.looseObject({
  spec: z.looseObject({ containers: z.array(container).min(1).max(100) }),
});
const jobSpec = z.looseObject({
  parallelism: z.number().int().min(0).max(10_000).optional(),
  template: podTemplate,
});
const metadata = z.looseObject({ name: z.string().min(1).max(253) });
const manifestSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('Deployment'),
    metadata,
    spec: z.looseObject({ replicas: z.number().int().min(0).max(10_000).optional(), template: podTemplate }),
  }),
  z.looseObject({ apiVersion: z.literal('batch/v1'), kind: z.literal('Job'), metadata, spec: jobSpec }),
  z.looseObject({
    apiVersion: z.literal('batch/v1'),
    kind: z.literal('CronJob'),
    metadata,
    spec: z.looseObject({
      schedule: z.string().min(1).max(256),
      timeZone: z.string().max(64).optional(),
      jobTemplate: z.looseObject({ spec: jobSpec }),
    }),
  }),
]);
type Manifest = z.infer<typeof manifestSchema>;

/** One YAML (or JSON) document, strictly: duplicate keys, aliases, tags and several documents are refused. */
function parseManifest(text: string): Manifest {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES)
    throw new ToolInputError('manifest', `larger than ${MAX_MANIFEST_BYTES} bytes`);
  const docs = parseAllDocuments(text, { uniqueKeys: true, strict: true });
  if (!Array.isArray(docs) || docs.length !== 1)
    throw new ToolInputError('manifest', 'exactly one YAML or JSON document is expected');
  const doc = docs[0]!;
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new ToolInputError('manifest', `not valid YAML/JSON: ${problem.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    throw new ToolInputError('manifest', (error as Error).message);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new ToolInputError(
      `manifest${path ? `.${path}` : ''}`,
      issue.code === 'invalid_union' && path === 'kind'
        ? 'kind must be Deployment (apps/v1), Job or CronJob (batch/v1)'
        : issue.message,
    );
  }
  return parsed.data;
}

/** Runs per 30 days of a cron line in the simple forms (fixed minutes and hours, every day or some weekdays). */
function runsPerMonth(schedule: string): { runs: number; firstHour: number } | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const list = (f: string, max: number) =>
    /^\d+(,\d+)*$/.test(f) && f.split(',').every((v) => Number(v) <= max)
      ? f.split(',').map(Number)
      : undefined;
  const minutes = list(minute, 59);
  const hours = hour === '*' ? Array.from({ length: 24 }, (_, i) => i) : list(hour, 23);
  if (!minutes || !hours || dom !== '*' || month !== '*') return undefined;
  const days = dow === '*' ? [0, 1, 2, 3, 4, 5, 6] : list(dow, 7)?.map((d) => d % 7);
  if (!days) return undefined;
  return {
    runs: (minutes.length * hours.length * new Set(days).size * 30) / 7,
    firstHour: Math.min(...hours),
  };
}

const round = (v: number, significant = 4) => (v === 0 ? 0 : Number(v.toPrecision(significant)));

export const estimateManifest = defineTool({
  name: 'estimate_manifest',
  title: 'Estimate a manifest before deploying',
  description:
    'Projects the energy, emissions, energy cost (KRW) and compliance verdict of a Deployment, Job or CronJob ' +
    'manifest (YAML or JSON) under a policy of the namespace, from its CPU requests: power per requested core is the ' +
    "measured active power of the policy's measured workloads when it has some, else Cloud Carbon Footprint " +
    'coefficients (labelled estimated). For a CronJob, also the cleanest start for its run length.',
  inputSchema: z
    .object({
      manifest: z
        .string()
        .min(1)
        .max(MAX_MANIFEST_BYTES)
        .describe('the manifest, YAML or JSON, one document (Deployment apps/v1, Job or CronJob batch/v1)'),
      namespace: namespaceField.describe('namespace of the policy to assess it under'),
      policy: z
        .string()
        .min(1)
        .max(253)
        .optional()
        .describe("policy name; default the namespace's only policy"),
      run_hours: z
        .number()
        .gt(0)
        .max(168)
        .optional()
        .describe('Job and CronJob: hours one run takes (required for them)'),
      runs_per_month: z
        .number()
        .gt(0)
        .max(44_640)
        .optional()
        .describe('CronJob: runs per 30 days, when its schedule is not a simple daily/weekday form'),
      instance_type: z
        .string()
        .max(64)
        .optional()
        .describe('node instance type (e.g. m5.large), for the CCF coefficients when nothing is measured'),
      cloud_provider: z.enum(['aws', 'gcp', 'azure']).optional().describe('for the CCF provider average'),
    })
    .meta({
      examples: [
        {
          manifest:
            'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 2 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: etl, image: etl, resources: {requests: {cpu: "2"}}}]\n',
          namespace: 'data',
          run_hours: 2,
        },
      ],
    }),
  outputSchema: z.object({
    workload: z.object({
      kind: z.enum(['Deployment', 'Job', 'CronJob']),
      name: z.string(),
      pods: z.number().int(),
    }),
    policy: z.object({ namespace: z.string(), name: z.string(), standard: z.string() }),
    cpuRequested_cores_per_pod: z.number(),
    power_watts: z.number().describe('mean IT power of all its pods while running'),
    power_basis: z.enum(['measured', 'estimated']),
    power_source: z
      .string()
      .describe("'measured: …' (power per requested core of measured workloads) or 'estimated: CCF …'"),
    hours_per_month: z.number().describe('running hours per 30 days (Deployment 720; Job: one run)'),
    energy_kWh: z.number().describe('IT energy per 30 days (Job: per run)'),
    emissions_kgCO2eq: z.number().describe('per 30 days (Job: per run), on the policy’s accounting basis'),
    energy_cost_KRW: z
      .number()
      .nullable()
      .describe('facility energy (IT × PUE) at the tariff rate of the hours it runs; null without a tariff'),
    verdict: workloadAssessmentSchema.shape.status,
    assessment: workloadAssessmentSchema.describe('what the policy status would show for it'),
    better_schedule: z
      .object({
        cron: z.string(),
        time_zone: z.string(),
        start_local_hour: z.number().int(),
        savings_percent: z.number(),
        window_intensity_gCO2eq_kWh: z.number(),
      })
      .nullable()
      .describe('CronJob: the cleanest start for its run length (null for other kinds)'),
    assumptions: z.array(z.string()),
  }),
  async handler(args, context) {
    const manifest = parseManifest(args.manifest);
    const policies = (await context.policies(args.namespace)).filter(
      (p) => p.metadata.namespace === args.namespace,
    );
    const policy = choosePolicy(policies, args.namespace, args.policy);
    const language = policyLanguage(policy);
    const spec = policySpecSchema.parse(policy.spec ?? {});
    const assumptions: string[] = [];

    const job =
      manifest.kind === 'CronJob'
        ? manifest.spec.jobTemplate.spec
        : manifest.kind === 'Job'
          ? manifest.spec
          : undefined;
    const template = job ? job.template : manifest.kind === 'Deployment' ? manifest.spec.template : undefined;
    const basePath = manifest.kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
    let cores = 0;
    template!.spec.containers.forEach((c, i) => {
      const cpu = parseQuantity(c.resources?.requests?.cpu);
      if (cpu !== undefined && !(cpu <= 1_000))
        throw new ToolInputError(
          `manifest.${basePath}.spec.containers.${i}.resources.requests.cpu`,
          `container "${c.name}" requests more than 1000 cores`,
        );
      if (cpu === undefined || !(cpu > 0))
        throw new ToolInputError(
          `manifest.${basePath}.spec.containers.${i}.resources.requests.cpu`,
          `container "${c.name}" has no CPU request; the estimate is per requested core`,
        );
      cores += cpu;
    });
    const pods = manifest.kind === 'Deployment' ? (manifest.spec.replicas ?? 1) : (job!.parallelism ?? 1);
    if (manifest.kind === 'Deployment' && manifest.spec.replicas === undefined)
      assumptions.push('replicas: 1 (the Kubernetes default when spec.replicas is unset)');
    if (job && job.parallelism === undefined) assumptions.push('parallelism: 1 (the Kubernetes default)');
    if (manifest.kind !== 'Deployment' && args.run_hours === undefined)
      throw new ToolInputError('run_hours', `required for a ${manifest.kind}: how long one run takes`);

    // Power per pod: measured per requested core where the policy has measured workloads, else CCF.
    const measured = (policy.status?.workloads ?? []).filter(
      (w) =>
        (w.energy_basis === 'measured' || (w.energy_basis === undefined && w.energy_kWh > 0)) &&
        (w.cpuRequested_cores ?? 0) > 0 &&
        w.power_watts > 0,
    );
    const sameKind = measured.filter((w) => w.kind === manifest.kind);
    const calibration = sameKind.length > 0 ? sameKind : measured;
    let podWatts: number;
    let powerBasis: 'measured' | 'estimated';
    let powerSource: string;
    if (calibration.length > 0) {
      const perCore =
        calibration.reduce((s, w) => s + w.power_watts, 0) /
        calibration.reduce((s, w) => s + (w.cpuRequested_cores ?? 0), 0);
      podWatts = perCore * cores;
      powerBasis = 'measured';
      powerSource =
        `measured: Kepler, ${round(perCore)} W of active power per requested core over ${calibration.length} ` +
        `${sameKind.length > 0 ? manifest.kind : 'measured'} workload(s) of policy ${policy.metadata.namespace}/${policy.metadata.name}`;
    } else {
      const choice = coefficientsForNode(
        {
          ...(args.instance_type ? { instanceType: args.instance_type } : {}),
          ...(args.cloud_provider ? { provider: args.cloud_provider } : {}),
        },
        ccf,
      );
      const cpu = requestsBasis(cores, ccf);
      podWatts = estimatePodWatts(cpu, choice);
      powerBasis = 'estimated';
      powerSource = `${estimateSourceLabel(ccf)}: ${choice.basis}, ${round(choice.minWattsPerVcpu)}–${round(choice.maxWattsPerVcpu)} W per vCPU; ${cpu.basis}`;
      assumptions.push(
        `no measured workload with CPU requests in policy ${policy.metadata.namespace}/${policy.metadata.name}: CCF coefficients`,
      );
      if (choice.assumed) assumptions.push('coefficients assumed: give instance_type or cloud_provider');
    }
    const watts = podWatts * pods;

    // The hours it runs, on one representative day from the current hour (a Job: one run from now).
    const now = context.now();
    const startMs = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    let hourly: HourlyEnergy[];
    let windowHours: number;
    let hoursPerMonth: number;
    let runLength: number | undefined;
    if (manifest.kind === 'Deployment') {
      windowHours = 24;
      hoursPerMonth = 720;
      hourly = hoursFrom(startMs, 24, watts / 1000);
    } else {
      runLength = args.run_hours!;
      const slots = Math.ceil(runLength);
      if (manifest.kind === 'CronJob' && runLength > 24)
        throw new ToolInputError('run_hours', 'a CronJob run longer than 24 h is not projected');
      if (manifest.kind === 'Job') {
        windowHours = slots;
        hoursPerMonth = runLength;
        hourly = hoursFrom(startMs, slots, (watts * runLength) / slots / 1000);
      } else {
        const cron = runsPerMonth(manifest.spec.schedule);
        const runs = args.runs_per_month ?? cron?.runs;
        if (runs === undefined)
          throw new ToolInputError(
            'runs_per_month',
            `the schedule "${manifest.spec.schedule}" is not a simple daily or weekday form; give runs_per_month`,
          );
        if (args.runs_per_month === undefined)
          assumptions.push(`${round(runs)} runs per 30 days from the schedule "${manifest.spec.schedule}"`);
        windowHours = 24;
        hoursPerMonth = runs * runLength;
        // Each day's share of the month's runs, at the schedule's hour in the CronJob's time zone (UTC unset).
        const zone = manifest.spec.timeZone ?? 'UTC';
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
        } catch {
          throw new ToolInputError('manifest.spec.timeZone', `"${zone}" is not an IANA time zone`);
        }
        if (!manifest.spec.timeZone)
          assumptions.push(
            'schedule read in UTC (spec.timeZone unset: the controller-manager’s zone, usually UTC)',
          );
        const localHour = cron?.firstHour ?? 0;
        const firstRunMs = nextLocalHour(startMs, localHour, zone);
        const dailyKWh = (watts * runLength * (runs / 30)) / 1000;
        hourly = hoursFrom(firstRunMs, slots, dailyKWh / slots).map((h) => ({
          ...h,
          // Fold the run into the 24-hour window that starts now.
          hourStart: isoSeconds(startMs + ((Date.parse(h.hourStart) - startMs) % (24 * HOUR_MS))),
        }));
      }
    }
    const input: WorkloadEnergyInput = {
      workload: manifest.metadata.name,
      namespace: args.namespace,
      kind: manifest.kind,
      pods,
      hourly,
      power_watts: watts,
      observed_hours: windowHours,
      zonesCounted: [],
      energySource: powerBasis === 'measured' ? `projected from ${powerSource}` : powerSource,
      ...(powerBasis === 'estimated'
        ? {
            estimateSource: estimateSourceLabel(ccf),
            hourly: hourly.map((h) => ({ ...h, estimated_kWh: h.energy_kWh })),
          }
        : {}),
      usage: { cpuRequest_cores: cores * pods },
      ...(runLength !== undefined ? { runLength_hours: runLength } : {}),
      ...(manifest.kind === 'CronJob' ? { cronSchedule: manifest.spec.schedule } : {}),
    };
    const binder = context.reference.binder;
    const windowEnd = new Date(startMs + windowHours * HOUR_MS);
    let evaluation;
    let bound;
    try {
      bound = binder.bind(policySiteRequest(spec), windowEnd);
      evaluation = binder.evaluate(bound, [input], {
        window: { start: isoSeconds(startMs), end: isoSeconds(windowEnd.getTime()), hours: windowHours },
        language,
        now,
        recommendations: spec.recommendations.enabled,
      });
    } catch (error) {
      if (error instanceof BindingError)
        throw new ToolDataError(
          `policy ${policy.metadata.namespace}/${policy.metadata.name}: ${error.message}`,
        );
      // The engine validates its input; a manifest that still gets here is out of range.
      if (error instanceof EngineInputError) throw new ToolInputError('manifest', error.message);
      throw error;
    }
    const { tariff, profile } = bound;
    const pue = bound.site.pue.value;
    const assessment = evaluation.assessments[0]!;
    const scale = manifest.kind === 'Job' ? 1 : 720 / windowHours;
    const energyKWh = assessment.energy_kWh * scale;
    const emissionsKg = (assessment.emissions_gCO2eq * scale) / 1000;
    const cost = tariff
      ? hourly.reduce((sum, h) => {
          const at = new Date(h.hourStart);
          const { month, hour } = localMonthAndHour(at, profile.timeZone);
          const season = tariff.seasonOfMonth?.(month) ?? seasonOfMonth(month);
          return sum + h.energy_kWh * pue * tariff.rate_KRW_per_kWh(hour, season, undefined, at);
        }, 0) * scale
      : null;

    let better: {
      cron: string;
      time_zone: string;
      start_local_hour: number;
      savings_percent: number;
      window_intensity_gCO2eq_kWh: number;
    } | null = null;
    if (manifest.kind === 'CronJob' && runLength !== undefined) {
      const schedule = optimalSchedule({ durationHours: runLength, profile, now });
      better = {
        cron: cronAtHour(schedule.best.startLocalHour),
        time_zone: schedule.timeZone,
        start_local_hour: schedule.best.startLocalHour,
        savings_percent: round(schedule.savings_percent.vsMedian, 3),
        window_intensity_gCO2eq_kWh: round(schedule.best.windowIntensity_gCO2eq_kWh),
      };
    }
    const per =
      manifest.kind === 'Job'
        ? language === 'ko'
          ? '실행당'
          : 'per run'
        : language === 'ko'
          ? '월'
          : 'per 30 days';
    const summary =
      language === 'ko'
        ? `${manifest.kind} ${manifest.metadata.name}: ${formatNumber(watts, 1)} W (${powerBasis === 'measured' ? '측정 기반' : 'CCF 추정'}), ${per} ${formatNumber(energyKWh, 2)} kWh, ${formatNumber(emissionsKg, 2)} kgCO2eq${cost === null ? '' : `, ${formatNumber(Math.round(cost))}원`}; ${policy.metadata.name} 정책 기준 ${assessment.status}.` +
          (better ? ` 더 깨끗한 일정: "${better.cron}" (${better.time_zone}).` : '')
        : `${manifest.kind} ${manifest.metadata.name}: ${formatNumber(watts, 1)} W (${powerBasis === 'measured' ? 'from measured workloads' : 'CCF estimate'}), ${formatNumber(energyKWh, 2)} kWh and ${formatNumber(emissionsKg, 2)} kgCO2eq ${per}${cost === null ? '' : `, ${formatNumber(Math.round(cost))} KRW`}; ${assessment.status} under policy ${policy.metadata.name}.` +
          (better ? ` Cleaner schedule: "${better.cron}" (${better.time_zone}).` : '');
    return {
      language,
      summary,
      structured: {
        workload: { kind: manifest.kind, name: manifest.metadata.name, pods },
        policy: { namespace: policy.metadata.namespace, name: policy.metadata.name, standard: spec.standard },
        cpuRequested_cores_per_pod: cores,
        power_watts: round(watts),
        power_basis: powerBasis,
        power_source: powerSource,
        hours_per_month: round(hoursPerMonth),
        energy_kWh: round(energyKWh),
        emissions_kgCO2eq: round(emissionsKg),
        energy_cost_KRW: cost === null ? null : Math.round(cost),
        verdict: assessment.status,
        assessment: assessmentOutput(assessment),
        better_schedule: better,
        assumptions,
      },
    };
  },
});

function choosePolicy(
  policies: readonly CarbonCompliancePolicy[],
  namespace: string,
  name: string | undefined,
): CarbonCompliancePolicy {
  if (name) {
    const found = policies.find((p) => p.metadata.name === name);
    if (!found)
      throw new ToolInputError('policy', `no policy "${name}" you may read in namespace "${namespace}"`);
    return found;
  }
  if (policies.length === 1) return policies[0]!;
  if (policies.length === 0)
    throw new ToolDataError(
      `No CarbonCompliancePolicy you may read in namespace "${namespace}": apply one (its site and standard decide the verdict)`,
    );
  throw new ToolInputError(
    'policy',
    `namespace "${namespace}" has several policies; name one of: ${policies.map((p) => p.metadata.name).join(', ')}`,
  );
}

function hoursFrom(startMs: number, count: number, kWhEach: number): HourlyEnergy[] {
  return Array.from({ length: count }, (_, i) => ({
    hourStart: isoSeconds(startMs + i * HOUR_MS),
    energy_kWh: kWhEach,
  }));
}

/** The first whole UTC hour at or after `fromMs` whose local hour in `timeZone` is `localHour`. */
function nextLocalHour(fromMs: number, localHour: number, timeZone: string): number {
  for (let t = fromMs; t < fromMs + 25 * HOUR_MS; t += HOUR_MS) {
    if (localMonthAndHour(new Date(t), timeZone).hour === localHour) return t;
  }
  return fromMs;
}
