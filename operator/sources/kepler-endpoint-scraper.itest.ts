// The scraper against a real local HTTPS simulated Kepler with openssl-made certificates.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, makeCertificateAuthority } from '../../hack/testenv/certificates.js';
import { podKey, totalJoules } from '../kepler/kepler-metrics.js';
import {
  startSimulatedKepler,
  type SimulatedKepler,
  type FixturePod,
} from '../../hack/testenv/simulated-kepler.js';
import {
  KeplerEndpointScraper,
  MetricsSourceError,
  type MetricsSourceErrorReason,
} from './kepler-endpoint-scraper.js';

const pods: FixturePod[] = [
  { namespace: 'shop', name: 'web-1', uid: 'uid-web-1', watts: { package: 12, dram: 1.8 } },
  { namespace: 'batch', name: 'job-1', uid: 'uid-job-1', watts: { package: 30 } },
];

async function reason(p: Promise<unknown>): Promise<MetricsSourceErrorReason> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MetricsSourceError) return err.reason;
    throw err;
  }
  throw new Error('expected the scrape to fail');
}

describe('KeplerEndpointScraper over HTTPS', () => {
  let dir: string;
  let exporter: SimulatedKepler;
  let mtlsExporter: SimulatedKepler;
  let caPem: string;
  let otherCaPem: string;
  let client: { certPem: string; keyPem: string };
  let nowMs = Date.UTC(2026, 2, 1, 9, 0, 0);
  const clock = () => nowMs;
  let token = 'first-token';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kepler-scraper-'));
    const ca = makeCertificateAuthority(join(dir, 'ca'), 'kepler-test-ca');
    const other = makeCertificateAuthority(join(dir, 'other'), 'unrelated-ca');
    caPem = ca.certPem;
    otherCaPem = other.certPem;
    const server = issueCertificate(ca, {
      commonName: 'kepler',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    client = issueCertificate(ca, { commonName: 'carbon-operator', usage: 'client' });
    exporter = await startSimulatedKepler({
      pods,
      tls: { certPem: server.certPem, keyPem: server.keyPem },
      clock,
      bearerToken: () => token,
      slowMs: 20_000,
    });
    mtlsExporter = await startSimulatedKepler({
      pods,
      tls: { certPem: server.certPem, keyPem: server.keyPem, clientCaPem: ca.certPem },
      clock,
    });
  });

  afterAll(async () => {
    await exporter?.stop();
    await mtlsExporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => exporter.setMode('ok'));

  test('with the right CA and token: parses the fixture, energy as emitted', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first-token\n');
    const scraper = await KeplerEndpointScraper.create({ url: exporter.url, caPem, tokenFile });
    try {
      nowMs += 60_000; // 60 s after the exporter started
      const r = await scraper.scrape(undefined, nowMs);
      expect(exporter.stats.lastHeaders?.authorization).toBe('Bearer first-token');
      expect(exporter.stats.lastHeaders?.accept).toMatch(/^text\/plain;version=0\.0\.4/);
      expect(r.snapshot.generation).toBe('rewrite');
      expect(r.snapshot.version).toBe('v0.11.4-simulated');
      const web = r.snapshot.pods.get(podKey('shop', 'web-1', 'uid-web-1'))!;
      expect(totalJoules(web)).toBeCloseTo((12 + 1.8) * 60, 6);
      expect(r.snapshot.pods.get(podKey('batch', 'job-1', 'uid-job-1'))!.joulesByZone).toEqual({
        package: 1800,
      });

      // The token file is read on every scrape: a rotated token is picked up without a restart.
      token = 'rotated-token';
      writeFileSync(tokenFile, 'rotated-token\n');
      await scraper.scrape();
      expect(exporter.stats.lastHeaders?.authorization).toBe('Bearer rotated-token');
    } finally {
      token = 'first-token';
      await scraper.close();
    }
  });

  test('a wrong token is an HttpStatus 401', async () => {
    const scraper = await KeplerEndpointScraper.create({ url: exporter.url, caPem, bearerToken: 'wrong' });
    try {
      await expect(scraper.scrape()).rejects.toMatchObject({ reason: 'HttpStatus', status: 401 });
    } finally {
      await scraper.close();
    }
  });

  test('an unrelated CA (and no CA at all) fails with TlsError', async () => {
    for (const ca of [otherCaPem, undefined]) {
      const scraper = await KeplerEndpointScraper.create({
        url: exporter.url,
        caPem: ca,
        bearerToken: token,
      });
      try {
        expect(await reason(scraper.scrape())).toBe('TlsError');
      } finally {
        await scraper.close();
      }
    }
  });

  test('insecureSkipVerify is explicit and logs a warning', async () => {
    const warnings: string[] = [];
    const scraper = await KeplerEndpointScraper.create({
      url: exporter.url,
      insecureSkipVerify: true,
      bearerToken: token,
      logger: { warn: (_o, msg) => warnings.push(msg) },
    });
    try {
      await scraper.scrape();
      expect(warnings.join('\n')).toMatch(/verification is OFF/);
    } finally {
      await scraper.close();
    }
  });

  test('mutual TLS: the client certificate is presented; without it the handshake fails', async () => {
    const withCert = await KeplerEndpointScraper.create({ url: mtlsExporter.url, caPem, ...client });
    const without = await KeplerEndpointScraper.create({ url: mtlsExporter.url, caPem });
    try {
      expect((await withCert.scrape()).snapshot.pods.size).toBe(2);
      expect(['TlsError', 'Unreachable']).toContain(await reason(without.scrape()));
    } finally {
      await withCert.close();
      await without.close();
    }
  });

  test('slow endpoint: Timeout within the configured header timeout', async () => {
    exporter.setMode('slow');
    const scraper = await KeplerEndpointScraper.create({
      url: exporter.url,
      caPem,
      bearerToken: token,
      headersTimeoutMs: 500,
    });
    try {
      const t0 = Date.now();
      expect(await reason(scraper.scrape())).toBe('Timeout');
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await scraper.close();
    }
  });

  test('oversize body: BodyTooLarge, reading stops', async () => {
    exporter.setMode('huge');
    const scraper = await KeplerEndpointScraper.create({
      url: exporter.url,
      caPem,
      bearerToken: token,
      maxBodyBytes: 1_000_000,
    });
    try {
      await expect(scraper.scrape()).rejects.toMatchObject({
        reason: 'BodyTooLarge',
        message: expect.stringMatching(/1000000-byte limit/),
      });
    } finally {
      await scraper.close();
    }
  });

  test('garbage body: ParseError naming the line', async () => {
    exporter.setMode('garbage');
    const scraper = await KeplerEndpointScraper.create({ url: exporter.url, caPem, bearerToken: token });
    try {
      await expect(scraper.scrape()).rejects.toMatchObject({
        reason: 'ParseError',
        message: expect.stringMatching(/line 1/),
      });
    } finally {
      await scraper.close();
    }
  });

  test('server error, dropped connection and closed port', async () => {
    const scraper = await KeplerEndpointScraper.create({ url: exporter.url, caPem, bearerToken: token });
    try {
      exporter.setMode('error');
      await expect(scraper.scrape()).rejects.toMatchObject({ reason: 'HttpStatus', status: 500 });
      exporter.setMode('down');
      expect(await reason(scraper.scrape())).toBe('Unreachable');
    } finally {
      await scraper.close();
    }
    const closed = await startSimulatedKepler({ pods });
    const url = closed.url;
    await closed.stop();
    const s2 = await KeplerEndpointScraper.create({ url });
    try {
      expect(await reason(s2.scrape())).toBe('Unreachable');
    } finally {
      await s2.close();
    }
  });
});
