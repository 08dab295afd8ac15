// Test support: a local HTTPS server (a real CA and server certificate made with openssl at test
// time) replaying the recorded Electricity Maps v3 responses in this folder. The operator's real
// client (undici, the CA file, the auth-token header) talks to it; nothing is mocked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCertificate, makeCertificateAuthority } from './certificates.js';

type ReplayMode = 'ok' | 'unauthorized' | 'rate-limited' | 'server-error' | 'slow' | 'malformed';

export const REPLAY_TOKEN = 'test-token-from-secret';

const recorded = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./data/electricity-maps/${name}`, import.meta.url)), 'utf8');

export interface ReplayServer {
  /** Base URL for --electricity-maps-url. */
  url: string;
  caFile: string;
  tokenFile: string;
  mode: ReplayMode;
  /** Every request seen (method, URL, auth-token header). */
  seen: Array<{ url: string; token: string | undefined }>;
  /** The operator flags that point the live-grid provider here (token, URL, CA). */
  operatorFlags: string[];
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const dir = mkdtempSync(join(tmpdir(), 'emaps-'));
  const ca = makeCertificateAuthority(dir, 'emaps-test-ca');
  const cert = issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${REPLAY_TOKEN}\n`);
  const state: ReplayServer = {
    url: '',
    caFile: ca.certPath,
    tokenFile,
    mode: 'ok',
    seen: [],
    operatorFlags: [],
    close: async () => undefined,
  };
  const server: Server = createServer(
    { key: cert.keyPem, cert: cert.certPem },
    (req: IncomingMessage, res) => {
      const token = req.headers['auth-token'];
      state.seen.push({ url: req.url ?? '', token: Array.isArray(token) ? token[0] : token });
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (token !== REPLAY_TOKEN || state.mode === 'unauthorized') {
        res.writeHead(401, { 'content-type': 'application/json' }).end(recorded('error-unauthorized.json'));
        return;
      }
      if (state.mode === 'rate-limited') {
        res.writeHead(429, { 'retry-after': '120', 'content-type': 'application/json' }).end('{}');
        return;
      }
      if (state.mode === 'server-error') return void res.writeHead(503).end('upstream unavailable');
      if (state.mode === 'malformed') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"zone":"KR","history":[{"carbonIntensity":"high"');
      }
      if (state.mode === 'slow') {
        const timer = setTimeout(() => res.writeHead(200).end('{}'), 5_000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (url.searchParams.get('zone') !== 'KR') {
        return void res.writeHead(404).end('{"status":"error","message":"Zone not available"}');
      }
      if (url.pathname.endsWith('/carbon-intensity/history'))
        return void res.writeHead(200).end(recorded('history-KR.json'));
      if (url.pathname.endsWith('/carbon-intensity/forecast'))
        return void res.writeHead(200).end(recorded('forecast-KR.json'));
      res.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v3/`;
  state.operatorFlags = [
    '--electricity-maps-token-file',
    tokenFile,
    '--electricity-maps-url',
    state.url,
    '--electricity-maps-ca-file',
    ca.certPath,
  ];
  state.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };
  return state;
}
