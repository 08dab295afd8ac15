// Live grid intensity from the Electricity Maps API v3 (carbon-intensity/history and /forecast),
// authenticated with the `auth-token` header. Responses are validated with zod; failures are typed
// (auth, rate limit, network, response) so the operator can fall back to the modelled profile.
// live-grid-refresher.ts schedules the fetches and keeps the points; the binding data lays them over
// the zone's profile.
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { isoSeconds } from '../domain/time.js';

const DEFAULT_ELECTRICITY_MAPS_BASE_URL = 'https://api.electricitymap.org/v3/';

export class ElectricityMapsError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ElectricityMapsError';
  }
}
export class ElectricityMapsAuthError extends ElectricityMapsError {
  override name = 'ElectricityMapsAuthError';
}
export class ElectricityMapsRateLimitError extends ElectricityMapsError {
  override name = 'ElectricityMapsRateLimitError';
  constructor(
    message: string,
    readonly retryAfter_seconds: number | undefined,
  ) {
    super(message, 429);
  }
}
export class ElectricityMapsNetworkError extends ElectricityMapsError {
  override name = 'ElectricityMapsNetworkError';
}
export class ElectricityMapsResponseError extends ElectricityMapsError {
  override name = 'ElectricityMapsResponseError';
}

const isoInstant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not an ISO 8601 instant' });

const historyResponseSchema = z.object({
  zone: z.string(),
  history: z.array(
    z.object({
      carbonIntensity: z.number().nonnegative().nullable(),
      datetime: isoInstant,
      updatedAt: isoInstant.optional(),
      createdAt: isoInstant.optional(),
      emissionFactorType: z.string().optional(),
      isEstimated: z.boolean().optional(),
      estimationMethod: z.string().nullable().optional(),
    }),
  ),
});

const forecastResponseSchema = z.object({
  zone: z.string(),
  forecast: z.array(z.object({ carbonIntensity: z.number().nonnegative().nullable(), datetime: isoInstant })),
  updatedAt: isoInstant.optional(),
});

export interface ElectricityMapsOptions {
  apiKey: string;
  baseUrl?: string;
  timeout_ms?: number;
  /** 'lifecycle' (API default) or 'direct'. */
  emissionFactorType?: 'lifecycle' | 'direct';
  dispatcher?: Dispatcher;
}

export interface IntensityPoint {
  hourStart: string;
  intensity_gCO2eq_kWh: number;
  estimated?: boolean;
}

const optionsSchema = z.object({
  apiKey: z.string().trim().min(1, 'apiKey is empty'),
  baseUrl: z.url().optional(),
  timeout_ms: z.number().int().positive().max(120_000).optional(),
  emissionFactorType: z.enum(['lifecycle', 'direct']).optional(),
});

/** Start of the UTC hour containing an instant, as 'YYYY-MM-DDTHH:00:00Z'. */
function hourStartOf(instant: string): string {
  const d = new Date(instant);
  d.setUTCMinutes(0, 0, 0);
  return isoSeconds(d);
}

export class ElectricityMapsProvider {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeout_ms: number;
  private readonly factorType: 'lifecycle' | 'direct';
  private readonly dispatcher: Dispatcher;

  constructor(options: ElectricityMapsOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ElectricityMapsError(`electricity maps options: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    this.apiKey = options.apiKey.trim();
    this.baseUrl = (options.baseUrl ?? DEFAULT_ELECTRICITY_MAPS_BASE_URL).replace(/\/?$/, '/');
    this.timeout_ms = options.timeout_ms ?? 10_000;
    this.factorType = options.emissionFactorType ?? 'lifecycle';
    this.dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: this.timeout_ms } });
  }

  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        headers: { 'auth-token': this.apiKey, accept: 'application/json' },
        dispatcher: this.dispatcher,
        headersTimeout: this.timeout_ms,
        bodyTimeout: this.timeout_ms,
      });
    } catch (err) {
      throw new ElectricityMapsNetworkError(`electricity maps ${path}: ${(err as Error).message}`);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw new ElectricityMapsNetworkError(
        `electricity maps ${path}: reading the body: ${(err as Error).message}`,
      );
    }
    const detail = text.slice(0, 200);
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new ElectricityMapsAuthError(
        `electricity maps ${path}: HTTP ${res.statusCode} (token rejected or not valid for the zone): ${detail}`,
        res.statusCode,
      );
    }
    if (res.statusCode === 429) {
      const header = res.headers['retry-after'];
      const retry = Number(Array.isArray(header) ? header[0] : header);
      throw new ElectricityMapsRateLimitError(
        `electricity maps ${path}: HTTP 429 rate limited`,
        Number.isFinite(retry) ? retry : undefined,
      );
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new ElectricityMapsResponseError(
        `electricity maps ${path}: HTTP ${res.statusCode}: ${detail}`,
        res.statusCode,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ElectricityMapsResponseError(
        `electricity maps ${path}: response is not JSON`,
        res.statusCode,
      );
    }
  }

  private validate<T>(path: string, schema: z.ZodType<T>, body: unknown): T {
    const r = schema.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new ElectricityMapsResponseError(
        `electricity maps ${path}: response field ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return r.data;
  }

  /** The last 24 hours, hourly. Points with a null intensity are dropped. */
  async history(zone: string): Promise<IntensityPoint[]> {
    const path = 'carbon-intensity/history';
    const body = this.validate(
      path,
      historyResponseSchema,
      await this.get(path, { zone, emissionFactorType: this.factorType }),
    );
    return body.history.flatMap((h) =>
      h.carbonIntensity === null
        ? []
        : [
            {
              hourStart: hourStartOf(h.datetime),
              intensity_gCO2eq_kWh: h.carbonIntensity,
              ...(h.isEstimated ? { estimated: true } : {}),
            },
          ],
    );
  }

  /** Forecast points for the next horizon_hours (6, 24, 48 or 72). */
  async forecast(zone: string, horizon_hours: 6 | 24 | 48 | 72 = 24): Promise<IntensityPoint[]> {
    const path = 'carbon-intensity/forecast';
    const body = this.validate(
      path,
      forecastResponseSchema,
      await this.get(path, {
        zone,
        horizonHours: String(horizon_hours),
        emissionFactorType: this.factorType,
      }),
    );
    return body.forecast.flatMap((f) =>
      f.carbonIntensity === null
        ? []
        : [{ hourStart: hourStartOf(f.datetime), intensity_gCO2eq_kWh: f.carbonIntensity, estimated: true }],
    );
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
