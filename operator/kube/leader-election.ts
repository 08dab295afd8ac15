// Leader election on a coordination.k8s.io/v1 Lease, with client-go's timing model: a candidate
// takes the Lease when its holder has not renewed it for leaseDuration (measured on OUR clock from
// when we last saw the record change, so clock skew between nodes does not matter); the leader
// renews every retryPeriod and steps down if it could not renew within renewDeadline; a clean
// shutdown releases the Lease so a standby takes over at once.
//
// The renew deadline is a hard bound, as in client-go: every Lease request carries a deadline no
// later than the renew deadline (it is aborted there), and a timer ends leadership at
// lastRenewStart + renewDeadline whatever is still on the wire. The renew deadline counts from when
// the successful round STARTED, which is no later than when the API server stored the renewal, so
// a standby (which waits leaseDuration > renewDeadline from when it SAW the renewal) can never lead
// while we still think we do.
import type { Logger } from 'pino';
import { KubeApiError, type KubeRestClient } from './kube-rest-client.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  logger?: Logger;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private observedRecord = '';
  private observedAt = 0;
  /** When the last successful acquire/renew round started (our clock). */
  private lastRenewAt = 0;
  private stepDownTimer: NodeJS.Timeout | undefined;
  /** Aborts the Lease requests of the round in progress. */
  private roundAbort: AbortController | undefined;
  private lease: Lease | undefined;
  /** The acquire/renew round in progress, so stop() never races a renewal with its release. */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: KubeRestClient,
    private readonly options: LeaderElectionOptions,
  ) {
    if (options.renewDeadlineSeconds >= options.leaseDurationSeconds) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.inFlight = this.tick();
  }

  /** Stops campaigning; a leader releases the Lease so a standby need not wait for it to expire. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    // A renewal still on the wire would otherwise land after the release (or make it fail with
    // 409) and leave the Lease held for a whole leaseDuration. It ends by its deadline at the latest.
    await this.inFlight;
    clearTimeout(this.stepDownTimer);
    if (!this.leading) return;
    this.leading = false;
    await this.release();
    this.options.onStoppedLeading();
  }

  private renewDeadline_ms(): number {
    return this.options.renewDeadlineSeconds * 1000;
  }

  /** Ends leadership now; the round in flight (if any) is abandoned. */
  private stepDown(why: string): void {
    clearTimeout(this.stepDownTimer);
    this.roundAbort?.abort(new Error(why));
    if (!this.leading) return;
    this.leading = false;
    this.options.logger?.error({ lease: this.options.name }, `${why}: stepping down`);
    this.options.onStoppedLeading();
  }

  private async release(): Promise<void> {
    const signal = AbortSignal.timeout(this.renewDeadline_ms());
    for (let attempt = 1; ; attempt += 1) {
      try {
        const lease = await this.get(signal);
        if (!lease || lease.spec.holderIdentity !== this.options.identity) return;
        const now = microTime(new Date());
        await this.client.replace(
          this.path(),
          {
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: null,
              leaseDurationSeconds: 1,
              renewTime: now,
              acquireTime: now,
            },
          },
          { signal },
        );
        this.options.logger?.info({ lease: this.options.name }, 'released the leader Lease');
        return;
      } catch (error) {
        // 409: the record changed between our read and write; read it again (a few times).
        if (error instanceof KubeApiError && error.statusCode === 409 && attempt < 3) continue;
        this.options.logger?.warn(
          { lease: this.options.name, err: (error as Error).message },
          'could not release the Lease',
        );
        return;
      }
    }
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
    return name === undefined ? `${base}/${encodeURIComponent(this.options.name)}` : base;
  }

  private async get(signal: AbortSignal): Promise<Lease | undefined> {
    try {
      return await this.client.get<Lease>(this.path(), { signal });
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const roundStart = Date.now();
    // A leader's round must end by its renew deadline; a candidate's round gets one renew deadline.
    const roundEnd = this.leading
      ? this.lastRenewAt + this.renewDeadline_ms()
      : roundStart + this.renewDeadline_ms();
    const abort = new AbortController();
    this.roundAbort = abort;
    const deadline = setTimeout(
      () => abort.abort(new Error(`Lease request still unanswered at the renew deadline`)),
      Math.max(0, roundEnd - roundStart),
    );
    let acquired = false;
    try {
      acquired = await this.tryAcquireOrRenew(abort.signal);
    } catch (error) {
      this.options.logger?.warn(
        { lease: this.options.name, err: (error as Error).message },
        'leader election: API error',
      );
    } finally {
      clearTimeout(deadline);
      if (this.roundAbort === abort) this.roundAbort = undefined;
    }
    if (!this.running) return;
    if (acquired && !abort.signal.aborted) {
      this.lastRenewAt = roundStart;
      clearTimeout(this.stepDownTimer);
      this.stepDownTimer = setTimeout(
        () => this.stepDown('could not renew the Lease within the renew deadline'),
        Math.max(0, roundStart + this.renewDeadline_ms() - Date.now()),
      );
      if (!this.leading) {
        this.leading = true;
        this.options.logger?.info(
          { lease: this.options.name, identity: this.options.identity },
          'became leader',
        );
        this.options.onStartedLeading();
      }
    } else if (this.leading && Date.now() >= this.lastRenewAt + this.renewDeadline_ms()) {
      this.stepDown('could not renew the Lease within the renew deadline');
    }
    this.timer = setTimeout(
      () => {
        this.inFlight = this.tick();
      },
      this.options.retryPeriodSeconds * 1000 * (this.leading ? 1 : 1 + Math.random() * 0.2),
    );
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new Date();
    const lease = await this.get(signal);
    const mine = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.options.leaseDurationSeconds,
      renewTime: microTime(now),
    };
    if (!lease) {
      this.lease = await this.client.create<Lease>(
        this.path(''),
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        },
        { signal },
      );
      this.observe(this.lease, now);
      return true;
    }
    this.observe(lease, now);
    const holder = lease.spec.holderIdentity ?? '';
    const duration = (lease.spec.leaseDurationSeconds ?? this.options.leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== this.options.identity;
    if (heldByOther && this.observedAt + duration > now.getTime()) return false;
    const transition = holder !== this.options.identity;
    try {
      this.lease = await this.client.replace<Lease>(
        this.path(),
        {
          ...lease,
          spec: {
            ...lease.spec,
            ...mine,
            acquireTime: transition ? microTime(now) : lease.spec.acquireTime,
            leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (transition && holder !== '' ? 1 : 0),
          },
        },
        { signal },
      );
    } catch (error) {
      // Someone else updated it first: not ours this round.
      if (error instanceof KubeApiError && error.statusCode === 409) return false;
      throw error;
    }
    this.observe(this.lease, now);
    if (transition)
      this.options.logger?.info(
        { lease: this.options.name, previousHolder: holder || null },
        'acquired the Lease',
      );
    return true;
  }

  /** Remembers when the record last changed, on our clock. */
  private observe(lease: Lease, now: Date): void {
    const record = JSON.stringify(lease.spec);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now.getTime();
    }
  }
}
