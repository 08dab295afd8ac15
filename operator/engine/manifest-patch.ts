// Ready-to-commit patches for GitOps users: the change a recommendation stands for, as strategic-merge
// YAML for the workload's manifest (`kubectl patch --type strategic`, a kustomize patch, or a hand edit
// of the file in Git). Pure text: the same recommendation always yields the same bytes.
import { stringify } from 'yaml';
import { formatNumber } from './messages.js';

/** Whether a five-field cron line starts exactly once a day (one minute, one hour; any day fields). */
export function startsOncePerDay(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  return fields.length === 5 && /^\d{1,2}$/.test(fields[0]!) && /^\d{1,2}$/.test(fields[1]!);
}

function render(comments: string[], body: Record<string, unknown>): string {
  return `${comments.map((c) => `# ${c}`).join('\n')}\n${stringify(body, { lineWidth: 0 })}`;
}

/** The temporal shift of a CronJob: its schedule in the advised window, in the zone's time zone. */
export function cronJobSchedulePatch(args: {
  name: string;
  namespace: string;
  cron: string;
  timeZone: string;
  startLocalHour: number;
  runHours: number;
  reductionPercent: number;
  /** False when the operator could not read the CronJob: the day fields of the cron line are then `* * *`. */
  currentScheduleKnown: boolean;
}): string {
  const comments = [
    `CronJob ${args.namespace}/${args.name}: start at ${String(args.startLocalHour).padStart(2, '0')}:00 ${args.timeZone}, ` +
      `the cleanest ${formatNumber(args.runHours)} h window (-${formatNumber(args.reductionPercent)} % grid intensity)`,
  ];
  if (!args.currentScheduleKnown)
    comments.push(
      'the current schedule was not read (the operator reads CronJobs only with actions enabled): ' +
        'the day fields are * * *; keep your own',
    );
  return render(comments, { spec: { schedule: args.cron, timeZone: args.timeZone } });
}

/** Right-sizing: the pod template's new requests (the engine's resourcesPatch) as YAML. */
export function resourcesPatchYaml(args: {
  kind: string;
  name: string;
  namespace: string;
  patch: Record<string, unknown>;
}): string {
  return render(
    [`${args.kind} ${args.namespace}/${args.name}: requests from p95 usage plus headroom`],
    args.patch,
  );
}
