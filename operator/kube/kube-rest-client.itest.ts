// The REST client against a real HTTPS server that asks for client certificates, as kube-apiserver does
// (certificates made with openssl at test time): requests share kept-alive TLS connections instead of a
// handshake each, and a rotated client certificate is used at once on a new connection.
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import {
  issueCertificate,
  makeCertificateAuthority,
  type CertificateAuthority,
} from '../../hack/testenv/certificates.js';
import { KubeRestClient } from './kube-rest-client.js';

describe('KubeRestClient connections', () => {
  let dir: string;
  let ca: CertificateAuthority;
  let server: Server;
  let url: string;
  /** TLS connections the server accepted, and the client certificate's CN of each request. */
  let handshakes = 0;
  const callers: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-rest-client-'));
    ca = makeCertificateAuthority(join(dir, 'ca'), 'test-cluster-ca');
    const serving = issueCertificate(ca, {
      commonName: 'kube-apiserver',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    server = createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        callers.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
      },
    );
    server.on('secureConnection', () => (handshakes += 1));
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function kubeConfigAs(user: string): KubeConfig {
    const client = issueCertificate(ca, { commonName: user, usage: 'client' });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: url, caData: Buffer.from(ca.certPem).toString('base64') }],
      users: [
        {
          name: user,
          certData: Buffer.from(client.certPem).toString('base64'),
          keyData: Buffer.from(client.keyPem).toString('base64'),
        },
      ],
      contexts: [{ name: 'test', cluster: 'test', user }],
      currentContext: 'test',
    });
    return kc;
  }

  test('sequential and concurrent requests reuse kept-alive connections, not one handshake each', async () => {
    const client = new KubeRestClient(kubeConfigAs('carbon-operator'));
    handshakes = 0;
    for (let i = 0; i < 20; i++)
      expect(await client.get(`/api/v1/seq/${i}`)).toEqual({ path: `/api/v1/seq/${i}` });
    expect(handshakes).toBe(1);
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.get(`/api/v1/par/${i}`)));
    // Ten at once need at most ten connections; the one already open is among them.
    expect(handshakes).toBeLessThanOrEqual(10);
    const afterBurst = handshakes;
    for (let i = 0; i < 10; i++) await client.get(`/api/v1/again/${i}`);
    expect(handshakes).toBe(afterBurst);
  });

  test('a kubeconfig whose client certificate changed connects anew with the new certificate', async () => {
    const kc = kubeConfigAs('before-rotation');
    const client = new KubeRestClient(kc);
    callers.length = 0;
    await client.get('/api/v1/one');
    // The same user's certificate rotated (what a reloaded kubeconfig or certificate file gives).
    const rotated = kubeConfigAs('after-rotation');
    kc.loadFromOptions({
      clusters: rotated.clusters,
      users: rotated.users.map((u) => ({ ...u, name: 'before-rotation' })),
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    const before = handshakes;
    await client.get('/api/v1/two');
    expect(handshakes).toBe(before + 1);
    expect(callers).toEqual(['before-rotation', 'after-rotation']);
  });
});
