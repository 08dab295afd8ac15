// Which pods belong to a workload, from pod names alone (the CLI has no API server to ask for owners).
// Kubernetes names the pods of its controllers predictably:
//   Deployment  <name>-<pod-template-hash>-<5>   e.g. web-7d9f8b6c5-x2k4p (hash: 6–10 safe-alphabet chars)
//   CronJob     <name>-<scheduled minutes>-<5>    e.g. backup-28391340-qz7lm (the Job is <name>-<digits>)
//   Job         <name>-<5>                        e.g. migrate-h7k2p (a DaemonSet pod looks the same)
//   StatefulSet <name>-<ordinal>                  e.g. db-0
//   bare Pod    <name>
// A generated name longer than 63 characters is cut to 58 before the 5 random characters.
// The 5-character suffix and the hash use the apiserver's random-string alphabet
// (bcdfghjklmnpqrstvwxz2456789). A name can match several rules (a Deployment called `web-1` vs
// pod 1 of StatefulSet `web`); the most specific rule wins and --kind can say otherwise.
import type { WorkloadKind } from '../domain/types.js';

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const RULES: Array<{ kind: WorkloadKind; pattern: RegExp }> = [
  { kind: 'CronJob', pattern: new RegExp(`^(.+)-\\d{5,}-${SAFE}{5}$`) },
  { kind: 'Deployment', pattern: new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`) },
  { kind: 'Job', pattern: new RegExp(`^(.+)-${SAFE}{5}$`) },
  { kind: 'StatefulSet', pattern: /^(.+)-(0|[1-9]\d{0,4})$/ },
];

export interface PodOwnerGuess {
  workload: string;
  /** The most likely kind (the most specific rule that matched). */
  kind: WorkloadKind;
  /** Set when the name fits more than one controller (the most likely first): a Job and a DaemonSet
   * both name pods NAME-<5>; a CronJob's Job NAME-<minutes> and a Deployment's ReplicaSet
   * NAME-<hash> look alike when the hash happens to be all digits. Only the API server can tell. */
  ambiguous?: WorkloadKind[];
}

/** A pod-template hash uses the safe alphabet only, 6-10 characters; a CronJob's scheduled time in
 * minutes is any digits. All-digit groups from the safe alphabet fit both. */
const SAFE_DIGITS_HASH = /^[2456789]{6,10}$/;

function ambiguity(kind: WorkloadKind, podName: string): WorkloadKind[] | undefined {
  if (kind === 'Job') return ['Job', 'DaemonSet'];
  if (kind === 'CronJob') {
    const middle = /-(\d+)-[^-]+$/.exec(podName)?.[1] ?? '';
    if (SAFE_DIGITS_HASH.test(middle)) return ['CronJob', 'Deployment'];
  }
  return undefined;
}

/** Longest generateName prefix the apiserver keeps before adding its 5 random characters. */
const MAX_GENERATED_PREFIX = 58;
const TRUNCATED_HASH = new RegExp(`^(.+)-${SAFE}{0,10}$`);

/** The workload a pod name most likely belongs to (a bare pod is its own workload). */
export function ownerOfPodName(podName: string): PodOwnerGuess {
  for (const rule of RULES) {
    const match = rule.pattern.exec(podName);
    if (match?.[1]) {
      const ambiguous = ambiguity(rule.kind, podName);
      return { workload: match[1], kind: rule.kind, ...(ambiguous ? { ambiguous } : {}) };
    }
  }
  // Long names: generateName was cut to 58 characters (often inside the pod-template hash) and the
  // 5 random characters follow without a dash.
  if (podName.length === MAX_GENERATED_PREFIX + 5) {
    const match = TRUNCATED_HASH.exec(podName.slice(0, MAX_GENERATED_PREFIX));
    if (match?.[1]) return { workload: match[1], kind: 'Deployment' };
  }
  return { workload: podName, kind: 'Pod' };
}

/** Does a pod belong to the named workload: the pod itself, or a pod named after it by any rule above. */
export function podBelongsTo(podName: string, workload: string): WorkloadKind | null {
  if (podName === workload) return 'Pod';
  if (!podName.startsWith(`${workload}-`)) return null;
  for (const rule of RULES) {
    const match = rule.pattern.exec(podName);
    if (match?.[1] === workload) return rule.kind;
  }
  const guess = ownerOfPodName(podName);
  return guess.workload === workload ? guess.kind : null;
}
