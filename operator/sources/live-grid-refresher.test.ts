// Live grid data end to end below the cluster: operator flags → the real Electricity Maps client
// (undici, a CA file, the auth-token header) → a local HTTPS server replaying recorded responses →
// the refresher → the binding data → the engine. Failures (401, 429 with Retry-After, 5xx, timeout,
// malformed body) become the zone's state and the evaluation falls back hour by hour.
import pino from 'pino';
import { policySpecSchema } from '../api/v1alpha1/types.js';
import { createPolicyEvaluator } from '../controller/policy-evaluator.js';
import { createLiveGrid, type LiveGrid } from '../controller/live-grid-factory.js';
import { loadOperatorConfig } from '../controller/operator-config.js';
import type { WorkloadEnergyInput } from '../domain/types.js';
import {
  startReplayServer,
  REPLAY_TOKEN,
  type ReplayServer,
} from '../../hack/testenv/electricity-maps-replay-server.js';

const logger = pino({ level: 'silent' });
// The recorded history covers 2026-10-07T15:00Z … 2026-10-08T14:00Z; the forecast 2026-10-08T15:00Z onward.
let now = new Date('2026-10-08T15:10:00Z');
const window = { start: '2026-10-07T15:00:00Z', end: '2026-10-08T15:00:00Z', hours: 24 };

function job(hourly: Array<[string, number]>): WorkloadEnergyInput {
  return {
    workload: 'nightly-etl',
    namespace: 'ai-team',
    kind: 'Job',
    pods: 1,
    hourly: hourly.map(([hourStart, energy_kWh]) => ({ hourStart, energy_kWh })),
    power_watts: 100,
    zonesCounted: ['package', 'dram'],
    energySource: 'measured: kepler 0.11.4 (rapl)',
    runLength_hours: 2,
  };
}

describe('live grid data from Electricity Maps (local HTTPS replay)', () => {
  let server: ReplayServer;
  let live: LiveGrid;
  const updates: string[] = [];

  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.mode = 'ok';
    server.seen.length = 0;
    updates.length = 0;
    now = new Date('2026-10-08T15:10:00Z');
    const config = loadOperatorConfig([...server.operatorFlags, '--electricity-maps-timeout', '1'], {});
    // The refresher's clock is the test's: the recorded points are kept (retention counts from it).
    live = createLiveGrid(
      config,
      logger,
      (zone) => updates.push(zone),
      () => now,
    )!;
  });
  afterEach(async () => {
    await live.close();
  });

  it('is off unless a token file is configured', () => {
    expect(createLiveGrid(loadOperatorConfig([], {}), logger, () => undefined)).toBeUndefined();
  });

  it('fetches history and forecast with the token from the file, over verified TLS', async () => {
    expect(live.refresher.zone('KR')?.status).toBe('Unknown'); // first use asks for a fetch
    await live.refresher.refreshZone('KR');
    const state = live.refresher.zone('KR')!;
    expect(state.status).toBe('True');
    expect(state.reason).toBe('LiveDataInUse');
    expect(state.points.filter((p) => !p.forecast)).toHaveLength(24);
    expect(state.points.filter((p) => p.forecast)).toHaveLength(25);
    expect(state.source).toMatch(
      /^live: Electricity Maps API v3 \(lifecycle\) zone KR, 24 measured \+ 25 forecast/,
    );
    expect(server.seen.map((r) => r.token)).toEqual([REPLAY_TOKEN, REPLAY_TOKEN]);
    expect(server.seen.map((r) => new URL(r.url, 'https://x').pathname)).toEqual([
      '/v3/carbon-intensity/history',
      '/v3/carbon-intensity/forecast',
    ]);
    expect(updates).toEqual(['KR']);
  });

  it('lays the live points over the modelled profile and counts each hour by its source', async () => {
    await live.refresher.refreshZone('KR');
    const evaluator = createPolicyEvaluator({ liveGrid: live.refresher });
    const spec = policySpecSchema.parse({ site: { zone: 'KR', pue: 1.2 } });
    const evaluation = evaluator.evaluate({
      namespace: 'ai-team',
      spec,
      inputs: [
        job([
          ['2026-10-07T15:00:00Z', 1], // live: 471 g/kWh recorded
          ['2026-10-07T16:00:00Z', 1], // live: 466 g/kWh recorded
        ]),
      ],
      window: { start: '2026-10-06T15:00:00Z', end: window.end, hours: 48 },
      now,
    });
    const a = evaluation.assessments[0]!;
    expect(a.grid_hours_by_source).toEqual({ live: 2, modelled: 0, annual: 0 });
    expect(a.grid_intensity_gCO2eq_kWh).toBe(468.5);
    expect(a.sources.grid_intensity).toMatch(/^live: Electricity Maps .*; other hours: /);
    // The 48-hour window: the first 24 hours precede the recorded history and fall back to the model.
    expect(evaluation.summary.grid_hours_by_source).toEqual({ live: 24, modelled: 24, annual: 0 });
    expect(evaluation.summary.grid_source_by_hour?.sources.slice(22, 26)).toEqual([
      'modelled',
      'modelled',
      'live',
      'live',
    ]);
    expect(evaluation.gridLive).toMatchObject({ status: 'True', reason: 'LiveDataInUse' });
    // The next run is placed on the forecast, and the advice says so.
    const shift = a.optimizations.find((o) => o.type === 'temporal_shift');
    expect(shift?.source).toMatch(/next run: 2 of 2 h of the advised window from the live forecast/);
    expect(shift?.schedule?.windowIntensity_gCO2eq_kWh).toBeLessThan(468.5);
  });

  const failures: Array<[ReplayServer['mode'], string, RegExp]> = [
    ['unauthorized', 'Unauthorized', /HTTP 401 \(token rejected/],
    ['rate-limited', 'RateLimited', /HTTP 429 rate limited \(retry after 120 s\)/],
    ['server-error', 'ProviderError', /HTTP 503: upstream unavailable/],
    ['slow', 'Unreachable', /timeout/i],
    ['malformed', 'ProviderError', /response is not JSON/],
  ];
  it.each(failures)(
    '%s → GridDataLive=False (%s), the verdict still computed',
    async (mode, reason, message) => {
      server.mode = mode;
      await live.refresher.refreshZone('KR');
      const state = live.refresher.zone('KR')!;
      expect(state.status).toBe('False');
      expect(state.reason).toBe(reason);
      expect(state.message).toMatch(message);
      expect(state.message).toMatch(/falls back to the modelled profile, else the annual factor/);
      const evaluation = createPolicyEvaluator({ liveGrid: live.refresher }).evaluate({
        namespace: 'ai-team',
        spec: policySpecSchema.parse({ site: { zone: 'KR', pue: 1.2 } }),
        inputs: [job([['2026-10-07T15:00:00Z', 1]])],
        window,
        now,
      });
      expect(evaluation.gridLive).toMatchObject({ status: 'False', reason });
      expect(evaluation.assessments[0]!.status).not.toBe('INSUFFICIENT_DATA');
      expect(evaluation.assessments[0]!.grid_hours_by_source).toEqual({ live: 0, modelled: 1, annual: 0 });
    },
  );

  it('re-reads the token file before each fetch: a rotated Secret applies at the next refresh', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const original = readFileSync(server.tokenFile, 'utf8');
    try {
      writeFileSync(server.tokenFile, 'revoked-token\n');
      await live.refresher.refreshZone('KR');
      expect(live.refresher.zone('KR')).toMatchObject({ status: 'False', reason: 'Unauthorized' });
      expect(server.seen.at(-1)?.token).toBe('revoked-token');
    } finally {
      writeFileSync(server.tokenFile, original);
    }
    await live.refresher.refreshZone('KR');
    expect(live.refresher.zone('KR')?.status).toBe('True');
  });

  it('keeps points already fetched through a failure, and waits out a Retry-After', async () => {
    await live.refresher.refreshZone('KR');
    server.mode = 'rate-limited';
    await live.refresher.refreshZone('KR');
    const state = live.refresher.zone('KR')!;
    expect(state.status).toBe('False');
    expect(state.points).toHaveLength(49);
    expect(state.message).toMatch(/49 hourly points fetched earlier are still used for their hours/);
    server.seen.length = 0;
    now = new Date(now.getTime() + 60_000); // within the 120 s Retry-After: no request
    await live.refresher.refreshAll();
    expect(server.seen).toHaveLength(0);
    server.mode = 'ok';
    now = new Date(now.getTime() + 61_000);
    await live.refresher.refreshAll();
    expect(server.seen).toHaveLength(2);
    expect(live.refresher.zone('KR')?.status).toBe('True');
  });

  it('never skips certificate verification: without the CA file the fetch fails', async () => {
    const unverified = createLiveGrid(
      loadOperatorConfig(
        ['--electricity-maps-token-file', server.tokenFile, '--electricity-maps-url', server.url],
        {},
      ),
      logger,
      () => undefined,
      () => now,
    )!;
    await unverified.refresher.refreshZone('KR');
    expect(unverified.refresher.zone('KR')).toMatchObject({ status: 'False', reason: 'Unreachable' });
    expect(unverified.refresher.zone('KR')?.message).toMatch(/certificate/i);
    await unverified.close();
  });

  it('reports a zone the provider does not serve, and none outside --electricity-maps-zones', async () => {
    await live.refresher.refreshZone('JP');
    expect(live.refresher.zone('JP')).toMatchObject({ status: 'False', reason: 'ProviderError' });
    const restricted = createLiveGrid(
      loadOperatorConfig(
        ['--electricity-maps-token-file', server.tokenFile, '--electricity-maps-zones', 'KR'],
        {},
      ),
      logger,
      () => undefined,
    )!;
    expect(restricted.refresher.zone('JP')).toBeUndefined();
    expect(restricted.refresher.zone('KR')?.status).toBe('Unknown');
    await restricted.close();
  });
});
