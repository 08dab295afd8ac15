// The responses served here are hand-recorded to the documented Electricity Maps v3 shapes (see
// operator/grid/testdata/electricity-maps/README.md): the API is not reachable from the test
// environment. They are served by a real node:http server on 127.0.0.1; undici is not mocked.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import {
  ElectricityMapsAuthError,
  ElectricityMapsError,
  ElectricityMapsNetworkError,
  ElectricityMapsProvider,
  ElectricityMapsRateLimitError,
  ElectricityMapsResponseError,
} from './electricity-maps-provider.js';

const recorded = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../grid/testdata/electricity-maps/${name}`, import.meta.url)), 'utf8');

type Mode = 'ok' | 'unauthorized' | 'rate-limited' | 'garbage' | 'bad-shape' | 'slow' | 'server-error';

describe('ElectricityMapsProvider against a local server', () => {
  let server: Server;
  let baseUrl: string;
  let mode: Mode = 'ok';
  const seen: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.headers['auth-token'] !== 'test-token' || mode === 'unauthorized') {
        res.writeHead(401, { 'content-type': 'application/json' }).end(recorded('error-unauthorized.json'));
        return;
      }
      if (mode === 'rate-limited') return void res.writeHead(429, { 'retry-after': '30' }).end('{}');
      if (mode === 'server-error') return void res.writeHead(502).end('bad gateway');
      if (mode === 'garbage')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
      if (mode === 'bad-shape')
        return void res
          .writeHead(200)
          .end(JSON.stringify({ zone: 'KR', history: [{ carbonIntensity: 'high', datetime: 'x' }] }));
      if (mode === 'slow') return void setTimeout(() => res.writeHead(200).end('{}'), 2000);
      if (url.searchParams.get('zone') !== 'KR')
        return void res.writeHead(404).end('{"status":"error","message":"Endpoint not available"}');
      if (url.pathname === '/v3/carbon-intensity/history')
        return void res.writeHead(200).end(recorded('history-KR.json'));
      if (url.pathname === '/v3/carbon-intensity/forecast')
        return void res.writeHead(200).end(recorded('forecast-KR.json'));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    mode = 'ok';
    seen.length = 0;
  });

  const provider = (over: Partial<{ apiKey: string; timeout_ms: number }> = {}) =>
    new ElectricityMapsProvider({ apiKey: 'test-token', baseUrl, timeout_ms: 5000, ...over });

  it('reads history with the auth-token header and hour-aligned points', async () => {
    const p = provider();
    const history = await p.history('KR');
    expect(history).toHaveLength(24);
    expect(history[0]).toEqual({ hourStart: '2026-10-07T15:00:00Z', intensity_gCO2eq_kWh: 471 });
    expect(history[12]?.intensity_gCO2eq_kWh).toBe(331); // 12:00 KST on 2026-10-08
    expect(history[23]?.estimated).toBe(true);
    expect(seen[0]?.headers['auth-token']).toBe('test-token');
    expect(seen[0]?.url).toBe('/v3/carbon-intensity/history?zone=KR&emissionFactorType=lifecycle');
    await p.close();
  });

  it('reads the forecast (N+1 points for a 24-hour horizon)', async () => {
    const p = provider();
    const forecast = await p.forecast('KR', 24);
    expect(forecast).toHaveLength(25);
    expect(seen[0]?.url).toContain('horizonHours=24');
    await p.close();
  });

  it('types its failures', async () => {
    await expect(provider({ apiKey: 'wrong' }).history('KR')).rejects.toThrow(ElectricityMapsAuthError);
    await expect(provider({ apiKey: 'wrong' }).history('KR')).rejects.toThrow(
      /Token unauthorized for zoneKey/,
    );
    mode = 'rate-limited';
    const limited = await provider()
      .history('KR')
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ElectricityMapsRateLimitError);
    expect((limited as ElectricityMapsRateLimitError).retryAfter_seconds).toBe(30);
    mode = 'garbage';
    await expect(provider().history('KR')).rejects.toThrow(/not JSON/);
    mode = 'bad-shape';
    await expect(provider().history('KR')).rejects.toThrow(/response field history\.0\.carbonIntensity/);
    mode = 'server-error';
    await expect(provider().history('KR')).rejects.toThrow(ElectricityMapsResponseError);
    mode = 'ok';
    await expect(provider().history('JP')).rejects.toThrow(/HTTP 404/);
    mode = 'slow';
    await expect(provider({ timeout_ms: 300 }).history('KR')).rejects.toThrow(ElectricityMapsNetworkError);
  });

  it('reports a refused connection as a network error and refuses an empty key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const p = new ElectricityMapsProvider({
      apiKey: 'k',
      baseUrl: `http://127.0.0.1:${port}/v3/`,
      timeout_ms: 1000,
    });
    await expect(p.history('KR')).rejects.toThrow(ElectricityMapsNetworkError);
    expect(() => new ElectricityMapsProvider({ apiKey: ' ' })).toThrow(ElectricityMapsError);
    expect(() => new ElectricityMapsProvider({ apiKey: ' ' })).toThrow(/apiKey/);
  });
});
