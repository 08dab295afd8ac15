// Live grid intensity at the edge: fetches each zone's history and forecast from a live provider
// (Electricity Maps) on a schedule, keeps the hourly points in memory, and lends them to the binding
// data, which lays them over the zone's modelled or annual profile. The engine stays pure: it only
// sees a profile with `points`. A zone is fetched once a policy binds it (or when it is listed in
// --electricity-maps-zones); a failure keeps the points already fetched (they are still true for
// their hours) and says why, so the policy shows GridDataLive=False with the reason.
import type { Logger } from 'pino';
import {
  ElectricityMapsAuthError,
  ElectricityMapsNetworkError,
  ElectricityMapsRateLimitError,
  type IntensityPoint,
} from './electricity-maps-provider.js';
import { HOUR_MS, isoSeconds } from '../domain/time.js';

export interface LivePoint {
  hourStart: string;
  intensity_gCO2eq_kWh: number;
  /** A forecast, not a measured hour. */
  forecast?: boolean;
}

/** What the live provider holds for one zone, and whether its last refresh worked. */
export interface LiveGridZone {
  points: LivePoint[];
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** Source text for the profile: provider, factor type, points and when they were fetched. */
  source: string;
}

/** The binding data's view of the live provider. undefined: the provider does not serve the zone. */
export interface LiveGridView {
  zone(zone: string): LiveGridZone | undefined;
}

interface LiveGridProvider {
  history(zone: string): Promise<IntensityPoint[]>;
  forecast(zone: string): Promise<IntensityPoint[]>;
}

export interface LiveGridRefresherOptions {
  provider: LiveGridProvider;
  /** Shown in sources and conditions, e.g. 'Electricity Maps API v3 (lifecycle)'. */
  providerName: string;
  /** Only these zones are fetched; every zone a policy binds when absent or empty. */
  zones?: string[];
  interval_ms: number;
  /** Points older than this are dropped. */
  retention_hours?: number;
  logger: Logger;
  clock?: () => Date;
  /** Called after a zone's points or state changed (the operator re-evaluates its policies). */
  onUpdate?: (zone: string) => void;
}

/** The condition reason for a provider failure: what the user has to fix. */
function failureReason(error: unknown): { reason: string; message: string; retryAfter_s?: number } {
  const message = (error as Error).message ?? String(error);
  if (error instanceof ElectricityMapsAuthError) return { reason: 'Unauthorized', message };
  if (error instanceof ElectricityMapsRateLimitError) {
    return {
      reason: 'RateLimited',
      message: `${message}${error.retryAfter_seconds !== undefined ? ` (retry after ${error.retryAfter_seconds} s)` : ''}`,
      ...(error.retryAfter_seconds !== undefined ? { retryAfter_s: error.retryAfter_seconds } : {}),
    };
  }
  if (error instanceof ElectricityMapsNetworkError) return { reason: 'Unreachable', message };
  return { reason: 'ProviderError', message };
}

export class LiveGridRefresher implements LiveGridView {
  private readonly zones = new Map<string, LiveGridZone>();
  private readonly notBefore = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: LiveGridRefresherOptions) {
    this.clock = options.clock ?? (() => new Date());
    for (const zone of options.zones ?? []) this.zones.set(zone.toUpperCase(), this.pending(zone));
  }

  private pending(zone: string): LiveGridZone {
    return {
      points: [],
      status: 'Unknown',
      reason: 'LiveDataPending',
      message: `${this.options.providerName}: zone ${zone} not fetched yet; the modelled or annual profile is used meanwhile`,
      source: '',
    };
  }

  /** The zone's live state; asks for a first fetch of a zone it has not seen (when not restricted). */
  zone(zone: string): LiveGridZone | undefined {
    const key = zone.toUpperCase();
    const known = this.zones.get(key);
    if (known) return known;
    if (this.options.zones && this.options.zones.length > 0) return undefined;
    if (this.stopped) return undefined;
    const state = this.pending(key);
    this.zones.set(key, state);
    void this.refreshZone(key);
    return state;
  }

  /** Fetches one zone now (history, then forecast). Never throws: failures become the zone's state. */
  refreshZone(zone: string): Promise<void> {
    const key = zone.toUpperCase();
    const running = this.inFlight.get(key);
    if (running) return running;
    const run = this.fetchZone(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private async fetchZone(zone: string): Promise<void> {
    const { provider, providerName, logger } = this.options;
    const previous = this.zones.get(zone) ?? this.pending(zone);
    const now = this.clock();
    let next: LiveGridZone;
    try {
      const history = await provider.history(zone);
      let forecast: IntensityPoint[] = [];
      let forecastNote = '';
      try {
        forecast = await provider.forecast(zone);
      } catch (error) {
        forecastNote = `; forecast unavailable (${failureReason(error).reason}: ${(error as Error).message})`;
      }
      const points = this.merge(previous.points, history, forecast, now);
      const historyCount = points.filter((p) => !p.forecast).length;
      const forecastCount = points.length - historyCount;
      next = {
        points,
        status: 'True',
        reason: 'LiveDataInUse',
        message:
          `${providerName}: zone ${zone} refreshed at ${isoSeconds(now)}: ${history.length} history and ` +
          `${forecast.length} forecast hours fetched${forecastNote}`,
        source:
          `live: ${providerName} zone ${zone}, ${historyCount} measured + ${forecastCount} forecast hourly points` +
          (points.length > 0 ? ` (${points[0]!.hourStart} to ${points.at(-1)!.hourStart})` : '') +
          `, fetched ${isoSeconds(now)}`,
      };
      this.notBefore.delete(zone);
    } catch (error) {
      const failure = failureReason(error);
      if (failure.retryAfter_s !== undefined) {
        this.notBefore.set(zone, now.getTime() + failure.retryAfter_s * 1000);
      }
      const kept = previous.points.length;
      next = {
        points: previous.points,
        status: 'False',
        reason: failure.reason,
        message:
          `${providerName}: zone ${zone} at ${isoSeconds(now)}: ${failure.message}. ` +
          (kept > 0
            ? `${kept} hourly points fetched earlier are still used for their hours; the other hours fall back to the modelled profile, else the annual factor.`
            : 'Every hour falls back to the modelled profile, else the annual factor.'),
        source: previous.source,
      };
      logger.warn({ zone, reason: failure.reason, err: failure.message }, 'live grid data unavailable');
    }
    const changed =
      next.status !== previous.status ||
      next.reason !== previous.reason ||
      next.points !== previous.points ||
      next.message !== previous.message;
    this.zones.set(zone, next);
    if (changed) this.options.onUpdate?.(zone);
  }

  /** Measured history wins over a forecast for the same hour; old hours are dropped. */
  private merge(
    previous: LivePoint[],
    history: IntensityPoint[],
    forecast: IntensityPoint[],
    now: Date,
  ): LivePoint[] {
    const oldest = now.getTime() - (this.options.retention_hours ?? 24 * 8) * HOUR_MS;
    const byHour = new Map<string, LivePoint>();
    for (const p of previous) if (!p.forecast) byHour.set(p.hourStart, p);
    for (const p of forecast) {
      if (!byHour.has(p.hourStart))
        byHour.set(p.hourStart, {
          hourStart: p.hourStart,
          intensity_gCO2eq_kWh: p.intensity_gCO2eq_kWh,
          forecast: true,
        });
    }
    for (const p of history)
      byHour.set(p.hourStart, { hourStart: p.hourStart, intensity_gCO2eq_kWh: p.intensity_gCO2eq_kWh });
    return [...byHour.values()]
      .filter((p) => Date.parse(p.hourStart) >= oldest)
      .sort((a, b) => a.hourStart.localeCompare(b.hourStart));
  }

  /** Refreshes every known zone (skipping one that was told to wait by a 429 Retry-After). */
  async refreshAll(): Promise<void> {
    const now = this.clock().getTime();
    await Promise.all(
      [...this.zones.keys()]
        .filter((zone) => (this.notBefore.get(zone) ?? 0) <= now)
        .map((zone) => this.refreshZone(zone)),
    );
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      void this.refreshAll().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.options.interval_ms);
        this.timer.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.inFlight.values()]);
  }
}
