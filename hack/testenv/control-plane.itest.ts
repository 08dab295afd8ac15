import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubectlPath, testControlPlaneInfo, testKubeConfig, testKubeconfigPath } from './env.js';

describe('test control plane (real etcd + kube-apiserver)', () => {
  const kc = testKubeConfig();

  it('serves the Kubernetes API over TLS with RBAC on', async () => {
    const info = testControlPlaneInfo();
    expect(info.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = execFileSync(
      kubectlPath(),
      ['--kubeconfig', testKubeconfigPath(), 'version', '-o', 'json'],
      {
        encoding: 'utf8',
      },
    );
    const parsed = JSON.parse(version) as { serverVersion: { gitVersion: string } };
    expect(parsed.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    // RBAC: an anonymous request is refused.
    const anonymous = execFileSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        info.caCertPath,
        `${info.server}/api/v1/namespaces`,
      ],
      { encoding: 'utf8' },
    );
    expect(['401', '403']).toContain(anonymous);
  });

  it('creates, reads and deletes a namespace through @kubernetes/client-node', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const name = `harness-${Date.now()}`;
    await core.createNamespace({ body: { metadata: { name, labels: { purpose: 'harness-test' } } } });
    const read = await core.readNamespace({ name });
    expect(read.metadata?.labels?.purpose).toBe('harness-test');
    expect(read.metadata?.uid).toBeTruthy();
    await core.deleteNamespace({ name });
    const after = await core.readNamespace({ name });
    expect(after.status?.phase).toBe('Terminating');
  });

  it('applies every CRD in crds/ and sees it Established', async () => {
    const files = readdirSync('crds').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    const objects = kc.makeApiClient(KubernetesObjectApi);
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(join('crds', file), 'utf8'))) {
        const crd = doc.toJS() as KubernetesObject & { spec: { names: { plural: string }; group: string } };
        const name = crd.metadata!.name!;
        try {
          await objects.create(crd);
        } catch (error) {
          if ((error as { code?: number }).code !== 409) throw error;
        }
        let established = false;
        for (let i = 0; i < 50 && !established; i++) {
          const current = await extensions.readCustomResourceDefinition({ name });
          established = !!current.status?.conditions?.some(
            (c) => c.type === 'Established' && c.status === 'True',
          );
          if (!established) await new Promise((r) => setTimeout(r, 100));
        }
        expect(established).toBe(true);
      }
    }
  });

  it('runs the real kubectl against it', () => {
    const out = execFileSync(
      kubectlPath(),
      ['--kubeconfig', testKubeconfigPath(), 'get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'],
      { encoding: 'utf8' },
    );
    expect(out.split(' ')).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });
});
