// Every status the API server shows for the policies of one namespace, from a watch, with the time it
// arrived: tests wait for a status by predicate (no polling) and can check every status seen during
// an operation (e.g. a rollout never showed two workloads).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { fromStoredPolicy } from '../../operator/api/v1alpha1/field-names.js';
import { GROUP, PLURAL, VERSION, type CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';

export interface RecordedPolicy {
  at: number;
  policy: CarbonCompliancePolicy;
}

interface Waiter {
  name: string;
  test: (policy: CarbonCompliancePolicy) => boolean;
  after: number;
  resolve: (recorded: RecordedPolicy) => void;
}

export class PolicyStatusRecorder {
  readonly seen: RecordedPolicy[] = [];
  private readonly waiters = new Set<Waiter>();
  private abort: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const watch = new Watch(this.kubeConfig);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${PLURAL}`;
    const run = async (): Promise<void> => {
      this.abort = await watch.watch(
        path,
        { allowWatchBookmarks: false },
        (type, object: CarbonCompliancePolicy) => {
          if (type === 'ADDED' || type === 'MODIFIED') this.record(fromStoredPolicy(object));
        },
        () => {
          // The server ends watches after a while: start again (the ADDED replay is harmless).
          if (!this.stopped) setTimeout(() => void run().catch(() => undefined), 200);
        },
      );
    };
    await run();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private record(policy: CarbonCompliancePolicy): void {
    const recorded = { at: Date.now(), policy };
    this.seen.push(recorded);
    for (const waiter of this.waiters) {
      if (waiter.name === policy.metadata.name && recorded.at >= waiter.after && waiter.test(policy)) {
        this.waiters.delete(waiter);
        waiter.resolve(recorded);
      }
    }
  }

  /** Statuses of `name` that arrived at or after `since` (ms since the epoch). */
  since(name: string, since: number): RecordedPolicy[] {
    return this.seen.filter((r) => r.policy.metadata.name === name && r.at >= since);
  }

  /** The first status of `name` arriving at or after `after` that passes `test` (a recorded one counts). */
  until(
    name: string,
    test: (policy: CarbonCompliancePolicy) => boolean,
    options: { after?: number; timeoutMs: number; describe: string },
  ): Promise<RecordedPolicy> {
    const after = options.after ?? 0;
    const hit = this.seen.find((r) => r.policy.metadata.name === name && r.at >= after && test(r.policy));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { name, test, after, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const last = this.since(name, 0).at(-1)?.policy.status;
        reject(
          new Error(
            `${options.describe}: not seen within ${options.timeoutMs} ms; last status of ${name}: ` +
              JSON.stringify({ summary: last?.summary, workloads: last?.workloads?.map(brief) }),
          ),
        );
      }, options.timeoutMs);
      this.waiters.add({
        ...waiter,
        resolve: (recorded) => {
          clearTimeout(timer);
          resolve(recorded);
        },
      });
    });
  }
}

/** A workload line for failure messages. */
function brief(w: { kind: string; workload: string; pods: number; power_watts: number }): string {
  return `${w.kind}/${w.workload} pods=${w.pods} power_watts=${w.power_watts}`;
}
