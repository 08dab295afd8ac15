// The carbon-kepler executable as users run it: a separate process (tsx on the source, and the
// built file when `npm run build` has made it), on the real fixture, from a file and from an HTTPS
// Kepler endpoint with a private CA and a bearer token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, makeCertificateAuthority } from '../../hack/testenv/certificates.js';

const ROOT = process.cwd();
const SOURCE = join(ROOT, 'operator/cli/carbon-kepler.ts');
const BUILT = join(ROOT, 'dist/operator/cli/carbon-kepler.js');
const FIXTURE = join(ROOT, 'hack/testenv/data/kepler/kepler-v0.11-SYNTHETIC-from-code.prom');
const AT = '2026-05-04T10:00:00Z';
const TOKEN = 'kepler-reader-token';

function spawnCli(
  entry: string[],
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entry, ...argv],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const entries: Array<[string, string[]]> = [['tsx source', ['--import', 'tsx', SOURCE]]];
if (existsSync(BUILT)) entries.push(['built file', [BUILT]]);

let dir: string;
let server: Server;
let url: string;
let caPath: string;
let tokenPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carbon-kepler-itest-'));
  const ca = makeCertificateAuthority(dir, 'kepler-test-ca');
  const cert = issueCertificate(ca, { commonName: 'kepler', ipAddresses: ['127.0.0.1'], usage: 'server' });
  caPath = ca.certPath;
  tokenPath = join(dir, 'token');
  writeFileSync(tokenPath, `${TOKEN}\n`);
  const body = readFileSync(FIXTURE);
  server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end('unauthorized');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const worked = ['--workload', 'web', '--namespace', 'shop', '--grid-intensity', '436', '--pue', '1.17'];

describe.each(entries)('carbon-kepler (%s)', (_name, entry) => {
  it('starts with a node shebang', () => {
    expect(readFileSync(entry[entry.length - 1]!, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('seed worked example from a file: 510.1 g/kWh, NON_COMPLIANT, exit 1', async () => {
    const r = await spawnCli(entry, [
      'assess',
      '--metrics',
      FIXTURE,
      ...worked,
      '--at',
      AT,
      '--output',
      'json',
      '--lang',
      'en',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const a = JSON.parse(r.stdout) as {
      status: string;
      current_carbon_intensity_gCO2eq_kWh: number;
      gap_percent: number;
    };
    expect(a).toMatchObject({
      status: 'NON_COMPLIANT',
      current_carbon_intensity_gCO2eq_kWh: 510.1,
      gap_percent: 20.3,
    });
  });

  it('from an HTTPS Kepler endpoint with a private CA and a bearer token', async () => {
    const r = await spawnCli(entry, [
      'assess',
      '--metrics',
      url,
      ...worked,
      '--ca-file',
      caPath,
      '--token-file',
      tokenPath,
      '--output',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ current_carbon_intensity_gCO2eq_kWh: 510.1 });
  });

  it('refuses an endpoint whose certificate it cannot verify (exit 2, TLS named)', async () => {
    const r = await spawnCli(entry, ['assess', '--metrics', url, ...worked, '--token-file', tokenPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--metrics https:\/\/127\.0\.0\.1:\d+\/metrics: TlsError/);
  });

  it('names the HTTP status when the token is missing (exit 2)', async () => {
    const r = await spawnCli(entry, ['assess', '--metrics', url, ...worked, '--ca-file', caPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HttpStatus.*401/);
  });

  it('bad input: exit 2 with the option named on stderr', async () => {
    const r = await spawnCli(entry, ['assess', '--metrics', FIXTURE, ...worked, '--pue', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pue: 'abc' is not a number/);
    expect(r.stdout).toBe('');
  });
});
