// calculate_optimal_schedule: the cleanest start for a run of duration_hours in a zone's hourly grid
// profile (the engine's rolling-window optimalSchedule), with a CronJob line in the zone's time zone.
import { z } from 'zod';
import { cronAtHour, EngineInputError, optimalSchedule } from '../../operator/public-api.js';
import { findWorkload, policyLanguage } from './workload-lookup.js';
import { namespaceField, workloadNameField, zoneField } from './input-fields.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';
import { ToolDataError, ToolInputError } from './tool-errors.js';

const candidateSchema = z.object({
  start: z.string().describe('UTC start (ISO 8601)'),
  start_local_hour: z.number().int(),
  window_intensity_gCO2eq_kWh: z.number(),
});

const fieldNames: Record<string, string> = {
  durationHours: 'duration_hours',
  earliestStart: 'earliest_start',
  deadline: 'deadline',
};
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export const calculateOptimalSchedule = defineTool({
  name: 'calculate_optimal_schedule',
  title: 'Calculate the optimal schedule',
  description:
    'The start time with the lowest mean grid carbon intensity for a run of duration_hours between earliest_start ' +
    "and deadline (default: the next 24 h of starts), from the zone's hourly profile (KR: modelled from KPX data), " +
    'compared with starting now, the worst and the median start; with a CronJob schedule. The zone comes from ' +
    "zone, else from the workload's policy site, else KR.",
  inputSchema: z
    .object({
      duration_hours: z.number().gt(0).max(168).describe('run length in hours'),
      workload_name: workloadNameField.optional(),
      namespace: namespaceField.optional(),
      earliest_start: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; default now'),
      deadline: z.iso.datetime({ offset: true }).optional().describe('the run must end by then (ISO 8601)'),
      zone: zoneField.optional(),
    })
    .meta({ examples: [{ duration_hours: 4, zone: 'KR' }] }),
  outputSchema: z.object({
    zone: z.string(),
    time_zone: z.string(),
    duration_hours: z.number(),
    best: candidateSchema,
    immediate: candidateSchema,
    worst: candidateSchema,
    median_gCO2eq_kWh: z.number(),
    savings_percent: z.object({ vs_immediate: z.number(), vs_worst: z.number(), vs_median: z.number() }),
    cron: z.object({ schedule: z.string(), time_zone: z.string() }),
    candidates: z.number().int(),
    profile_kind: z.string(),
    model_error: z
      .object({
        season: z.string(),
        percent: z.number(),
        measured: z.boolean(),
        within_error: z
          .boolean()
          .describe(
            'the saving against starting now is within the profile error: the operator would not advise it',
          ),
      })
      .nullable()
      .describe(
        "the modelled profile's stated error for the window's season (null: live or annual-flat profile)",
      ),
    method: z.string(),
    source: z.string(),
    workload: z
      .object({
        namespace: z.string(),
        workload: z.string(),
        current_cron: z.string().nullable(),
        patch: z
          .string()
          .nullable()
          .describe(
            "the operator's ready-to-commit strategic-merge YAML for this CronJob's temporal shift (from the policy status); null when it advises none",
          ),
      })
      .nullable(),
  }),
  async handler(args, context) {
    let zone = args.zone?.toUpperCase();
    let workload = null;
    let language: 'ko' | 'en' = 'en';
    if (args.workload_name) {
      if (!args.namespace) throw new ToolInputError('namespace', 'required together with workload_name');
      const found = findWorkload(await context.policies(args.namespace), args.workload_name, args.namespace);
      language = policyLanguage(found.policy);
      const site = found.policy.spec?.site;
      const regionZone = site?.cloudRegion ? context.reference.regionZone(site.cloudRegion) : undefined;
      zone ??= site?.zone ?? regionZone;
      const shift = found.assessment.optimizations.find((o) => o.schedule);
      workload = {
        namespace: found.assessment.namespace,
        workload: found.assessment.workload,
        current_cron: shift?.schedule?.cron ?? null,
        patch: shift?.patch ?? null,
      };
    }
    zone ??= 'KR';
    const profile = context.reference.gridProfile(zone);
    if (!profile)
      throw new ToolDataError(
        `No grid intensity profile for zone "${zone}"; known zones include KR and the zones in carbon://grid/{zone}`,
      );
    let schedule;
    try {
      schedule = optimalSchedule({
        durationHours: args.duration_hours,
        profile,
        now: context.now(),
        ...(args.earliest_start ? { earliestStart: new Date(args.earliest_start) } : {}),
        ...(args.deadline ? { deadline: new Date(args.deadline) } : {}),
      });
    } catch (error) {
      if (error instanceof EngineInputError) {
        const detail = error.message.startsWith(`${error.field}: `)
          ? error.message.slice(error.field.length + 2)
          : error.message;
        throw new ToolInputError(fieldNames[error.field] ?? error.field, detail);
      }
      throw error;
    }
    const candidate = (c: typeof schedule.best) => ({
      start: c.start,
      start_local_hour: c.startLocalHour,
      window_intensity_gCO2eq_kWh: round(c.windowIntensity_gCO2eq_kWh),
    });
    const cron = cronAtHour(schedule.best.startLocalHour);
    const best = round(schedule.best.windowIntensity_gCO2eq_kWh);
    const vsNow = round(schedule.savings_percent.vsImmediate);
    const summary =
      language === 'ko'
        ? `${zone}: ${args.duration_hours}시간 작업은 현지 ${schedule.best.startLocalHour}시 시작이 가장 깨끗합니다 (${formatNumber(best)} gCO2eq/kWh, 지금 시작 대비 ${formatNumber(vsNow, 1)}% 감소). CronJob: "${cron}" (${schedule.timeZone}).`
        : `${zone}: the cleanest start for a ${args.duration_hours} h run is ${schedule.best.startLocalHour}:00 local (${formatNumber(best)} gCO2eq/kWh, ${formatNumber(vsNow, 1)}% below starting now). CronJob: "${cron}" (${schedule.timeZone}).`;
    return {
      language,
      summary,
      structured: {
        zone,
        time_zone: schedule.timeZone,
        duration_hours: schedule.durationHours,
        best: candidate(schedule.best),
        immediate: candidate(schedule.immediate),
        worst: candidate(schedule.worst),
        median_gCO2eq_kWh: round(schedule.median_gCO2eq_kWh),
        savings_percent: {
          vs_immediate: vsNow,
          vs_worst: round(schedule.savings_percent.vsWorst),
          vs_median: round(schedule.savings_percent.vsMedian),
        },
        cron: { schedule: cron, time_zone: schedule.timeZone },
        candidates: schedule.candidates,
        profile_kind: profile.kind,
        model_error: schedule.modelError
          ? {
              season: schedule.modelError.season,
              percent: schedule.modelError.percent,
              measured: schedule.modelError.measured,
              within_error: schedule.modelError.withinError,
            }
          : null,
        method: schedule.method,
        source: schedule.source,
        workload,
      },
    };
  },
});
