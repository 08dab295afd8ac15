// helm lint and helm template: what the chart renders for its notable options, its RBAC (exactly the
// least-privilege set), the security context of every container, and values the schema refuses.
import {
  find,
  helm,
  chartDir,
  kubeVersion,
  render,
  setArgs,
  variants,
  type Manifest,
} from './chart-render.js';
import { jest } from '@jest/globals';

// helm renders take ~0.3 s each; a test renders up to a dozen on a shared, busy machine.
jest.setTimeout(90_000);

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** One line per (group, resource, name) with its sorted verbs, so that rule layout does not matter. */
function permissions(rules: PolicyRule[]): Record<string, string> {
  const out: Record<string, Set<string>> = {};
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        for (const name of rule.resourceNames ?? ['*']) {
          const key = `${group || 'core'}/${resource}${name === '*' ? '' : `[${name}]`}`;
          out[key] ??= new Set();
          for (const verb of rule.verbs) out[key].add(verb);
        }
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort().join(',')]));
}

const operatorWorkloadPermissions = {
  'carbon-aware.dev/carboncompliancepolicies': 'get,list,watch',
  'carbon-aware.dev/carboncompliancepolicies/status': 'patch',
  'core/pods': 'list,watch',
  'apps/replicasets': 'get',
  'batch/jobs': 'get',
  'core/events': 'create',
};

function containers(m: Manifest): Array<Record<string, any>> {
  const spec = (m as any).spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function env(container: Record<string, any>): Record<string, string> {
  return Object.fromEntries(
    (container.env ?? []).filter((e: any) => typeof e.value === 'string').map((e: any) => [e.name, e.value]),
  );
}

describe('carbon-aware-kepler chart', () => {
  it('passes helm lint (strict) with default values and with every notable option', async () => {
    for (const [name, values] of Object.entries(variants)) {
      const { stdout } = await helm([
        'lint',
        '--strict',
        chartDir,
        '--kube-version',
        kubeVersion,
        ...setArgs(values),
      ]).catch((e: { stdout?: string; stderr?: string }) => {
        throw new Error(`helm lint failed for "${name}": ${e.stdout ?? ''}${e.stderr ?? ''}`);
      });
      expect(stdout).toContain('0 chart(s) failed');
    }
  });

  it('renders the operator, MCP server, RBAC, standards and dashboard with default values', async () => {
    const m = await render();
    const kinds = m.map((x) => `${x.kind}/${x.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/carbon-carbon-aware-kepler-mcp',
        'ClusterRole/carbon-carbon-aware-kepler-operator',
        'ClusterRoleBinding/carbon-carbon-aware-kepler-mcp',
        'ClusterRoleBinding/carbon-carbon-aware-kepler-operator',
        'ClusterRole/carbon-carbon-aware-kepler-operator-usage-metrics',
        'ClusterRoleBinding/carbon-carbon-aware-kepler-operator-usage-metrics',
        'ConfigMap/carbon-carbon-aware-kepler-dashboard',
        'ConfigMap/carbon-carbon-aware-kepler-standards',
        'Deployment/carbon-carbon-aware-kepler-mcp',
        'Deployment/carbon-carbon-aware-kepler-operator',
        'PodDisruptionBudget/carbon-carbon-aware-kepler-mcp',
        'PodDisruptionBudget/carbon-carbon-aware-kepler-operator',
        'Role/carbon-carbon-aware-kepler-operator-kepler-discovery',
        'Role/carbon-carbon-aware-kepler-operator-leader-election',
        'RoleBinding/carbon-carbon-aware-kepler-operator-kepler-discovery',
        'RoleBinding/carbon-carbon-aware-kepler-operator-leader-election',
        'ClusterRole/carbon-carbon-aware-kepler-policies-edit',
        'ClusterRole/carbon-carbon-aware-kepler-policies-view',
        'Service/carbon-carbon-aware-kepler-mcp',
        'Service/carbon-carbon-aware-kepler-operator-metrics',
        'ServiceAccount/carbon-carbon-aware-kepler-mcp',
        'ServiceAccount/carbon-carbon-aware-kepler-operator',
      ].sort(),
    );
    const operator = find(m, 'Deployment', '-operator') as any;
    expect(operator.spec.replicas).toBe(2);
    const op = containers(operator)[0]!;
    expect(op.image).toBe('carbon-aware-kepler:0.1.0');
    expect(op.command).toEqual(['carbon-operator']);
    expect(env(op)).toMatchObject({
      METRICS_SOURCE: 'kepler',
      KEPLER_NAMESPACE: 'kepler',
      KEPLER_SERVICE: 'kepler',
      KEPLER_PORT_NAME: 'http',
      KEPLER_SCHEME: 'http',
      LEADER_ELECTION: 'true',
      LEASE_NAME: 'carbon-aware-operator',
    });
    // Lease namespace and identity come from the downward API.
    expect(op.env.find((e: any) => e.name === 'POD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe(
      'metadata.namespace',
    );
    expect(op.env.find((e: any) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    // A bearer token over plain http stays refused unless metricsSource.allowBearerOverHttp is set.
    expect(env(op).ALLOW_BEARER_OVER_HTTP).toBeUndefined();
    expect(op.livenessProbe.httpGet.path).toBe('/healthz');
    expect(op.readinessProbe.httpGet.path).toBe('/readyz');

    const mcp = find(m, 'Deployment', '-mcp') as any;
    const mc = containers(mcp)[0]!;
    expect(mc.command).toEqual(['carbon-mcp']);
    expect(mc.args).toEqual([
      '--http',
      '--port',
      '8000',
      '--host',
      '0.0.0.0',
      '--auth',
      'token',
      // Two replicas by default: sessions must not be pinned to one of them.
      '--stateless',
      '--token-file',
      '/etc/carbon-aware/mcp-token/token',
    ]);
    // The V8 heap is capped under the container's memory limit (values mcp.maxHeapMiB).
    expect(env(mc).NODE_OPTIONS).toBe('--max-old-space-size=192 --max-semi-space-size=4');
    // The operator's heap and young generation too (values operator.maxHeapMiB, operator.maxSemiSpaceMiB;
    // 0 leaves V8's default).
    expect(env(containers(find(m, 'Deployment', '-operator'))[0]!).NODE_OPTIONS).toBe(
      '--max-old-space-size=192 --max-semi-space-size=4',
    );
    // And its malloc arenas (values operator.mallocArenaMax; 0 leaves glibc's default).
    expect(env(containers(find(m, 'Deployment', '-operator'))[0]!).MALLOC_ARENA_MAX).toBe('2');
    // Session and HTTP limits (values mcp.sessions, mcp.http).
    expect(env(mc)).toMatchObject({
      CARBON_MCP_MAX_SESSIONS: '1000',
      CARBON_MCP_MAX_SESSIONS_PER_IDENTITY: '100',
      CARBON_MCP_SESSION_IDLE_TIMEOUT: '1800',
      CARBON_MCP_HEADERS_TIMEOUT: '10',
      CARBON_MCP_REQUEST_TIMEOUT: '30',
      CARBON_MCP_MAX_CONNECTIONS: '1000',
    });
    expect(mc.livenessProbe.httpGet.path).toBe('/healthz');
    expect(mc.readinessProbe.httpGet.path).toBe('/readyz');
    const service = find(m, 'Service', '-mcp') as any;
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);

    // Rendered without a cluster, the token comes from the named Secret (chart-users.itest.ts).
    const tokenVolume = mcp.spec.template.spec.volumes.find((v: any) => v.secret);
    expect(tokenVolume.secret.secretName).toBe('carbon-mcp-token');

    const dashboard = find(m, 'ConfigMap', '-dashboard') as any;
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboard.data['carbon-aware-kepler.json']).uid).toBe('carbon-aware-kepler');
  });

  it('grants the operator and the MCP server exactly the least-privilege RBAC', async () => {
    const m = await render();
    expect(permissions((find(m, 'ClusterRole', '-operator') as any).rules)).toEqual(
      operatorWorkloadPermissions,
    );
    const lease = find(m, 'Role', '-leader-election') as any;
    expect(lease.metadata.namespace).toBe('carbon-system');
    expect(permissions(lease.rules)).toEqual({
      'coordination.k8s.io/leases': 'create',
      'coordination.k8s.io/leases[carbon-aware-operator]': 'get,update',
    });
    const kepler = find(m, 'Role', '-kepler-discovery') as any;
    expect(kepler.metadata.namespace).toBe('kepler');
    expect(permissions(kepler.rules)).toEqual({ 'discovery.k8s.io/endpointslices': 'get,list,watch' });
    // Usage for right-sizing: metrics.k8s.io by default (no Prometheus), nothing when a Prometheus serves it.
    expect(permissions((find(m, 'ClusterRole', '-usage-metrics') as any).rules)).toEqual({
      'metrics.k8s.io/pods': 'list',
    });
    const withPrometheus = await render({
      'metricsSource.prometheus.url': 'https://prometheus.monitoring:9090',
    });
    expect(withPrometheus.some((x) => x.metadata.name.endsWith('-usage-metrics'))).toBe(false);
    const usageEnv = env(containers(find(withPrometheus, 'Deployment', '-operator'))[0]!);
    expect(usageEnv).toMatchObject({
      METRICS_SOURCE: 'kepler',
      PROMETHEUS_URL: 'https://prometheus.monitoring:9090',
      USAGE_SOURCE: 'auto',
      USAGE_SAMPLE_INTERVAL_SECONDS: '60',
      USAGE_RATE_WINDOW: '5m',
    });
    expect(permissions((find(m, 'ClusterRole', '-mcp') as any).rules)).toEqual({
      'carbon-aware.dev/carboncompliancepolicies': 'get,list,watch',
    });
    // Every binding points at the chart's own role and its own ServiceAccount, in the release namespace.
    for (const binding of m.filter(
      (x) => x.kind === 'RoleBinding' || x.kind === 'ClusterRoleBinding',
    ) as any[]) {
      expect(binding.roleRef.name).toBe(binding.metadata.name);
      expect(binding.subjects).toHaveLength(1);
      expect(binding.subjects[0]).toMatchObject({ kind: 'ServiceAccount', namespace: 'carbon-system' });
    }
    // No wildcard anywhere.
    const all = JSON.stringify(m.filter((x) => /Role$/.test(x.kind)).map((x: any) => x.rules));
    expect(all).not.toContain('"*"');
  });

  it('lets the MCP server review tokens and access only in kubernetes auth mode, without a shared token', async () => {
    const m = await render(variants['kubernetes auth for the MCP server']);
    expect(permissions((find(m, 'ClusterRole', '-mcp') as any).rules)).toEqual({
      'carbon-aware.dev/carboncompliancepolicies': 'get,list,watch',
      'authentication.k8s.io/tokenreviews': 'create',
      'authorization.k8s.io/subjectaccessreviews': 'create',
    });
    expect(m.some((x) => x.kind === 'Secret')).toBe(false);
    const mc = containers(find(m, 'Deployment', '-mcp'))[0]!;
    expect(mc.args).toEqual([
      '--http',
      '--port',
      '8000',
      '--host',
      '0.0.0.0',
      '--auth',
      'kubernetes',
      '--stateless',
      // Callers' tokens must be issued for the server's audience: no token passthrough.
      '--audience',
      'carbon-mcp',
    ]);
    expect(mc.volumeMounts.map((v: any) => v.name)).toEqual(['tmp', 'standards']);
  });

  it('grants list and patch on CronJobs only with operator.actions.enabled (off by default)', async () => {
    const defaults = await render();
    expect(JSON.stringify(defaults.filter((x) => /Role$/.test(x.kind)))).not.toContain('cronjobs');
    expect(env(containers(find(defaults, 'Deployment', '-operator'))[0]!).ACTIONS_ENABLED).toBe('false');
    const m = await render(variants['CronJob schedule actions enabled']);
    expect(permissions((find(m, 'ClusterRole', '-operator') as any).rules)).toEqual({
      ...operatorWorkloadPermissions,
      'batch/cronjobs': 'list,patch',
    });
    expect(env(containers(find(m, 'Deployment', '-operator'))[0]!).ACTIONS_ENABLED).toBe('true');
  });

  it('turns the CCF estimate on with one value: the env and a ClusterRole to get Nodes, nothing more', async () => {
    const off = await render();
    expect(off.some((x) => x.metadata.name.endsWith('-operator-nodes'))).toBe(false);
    expect(
      env(containers(find(off, 'Deployment', '-operator'))[0]!).ESTIMATE_UNMEASURED_POWER,
    ).toBeUndefined();
    const on = await render(variants['CCF estimate for nodes without Kepler readings']);
    expect(env(containers(find(on, 'Deployment', '-operator'))[0]!).ESTIMATE_UNMEASURED_POWER).toBe('true');
    expect(permissions((find(on, 'ClusterRole', '-operator-nodes') as any).rules)).toEqual({
      'core/nodes': 'get',
    });
    expect((find(on, 'ClusterRoleBinding', '-operator-nodes') as any).roleRef.name).toMatch(
      /-operator-nodes$/,
    );
    // The workload rules stay exactly as they were.
    expect(permissions((find(on, 'ClusterRole', '-operator') as any).rules)).toEqual(
      operatorWorkloadPermissions,
    );
  });

  it('has no Kepler discovery Role in prometheus mode', async () => {
    const m = await render(variants['prometheus mode with CA and token']);
    expect(m.some((x) => x.metadata.name.endsWith('-kepler-discovery'))).toBe(false);
  });

  it('scopes the operator to one namespace with a Role when watchNamespace is set', async () => {
    const m = await render(variants['one namespace watched, single replicas, no MCP']);
    // Only the users' aggregated roles stay cluster-scoped (chart-users.itest.ts); the operator's are not.
    expect(
      m.some(
        (x) =>
          (x.kind === 'ClusterRole' && !x.metadata.name.includes('-policies-')) ||
          x.kind === 'ClusterRoleBinding',
      ),
    ).toBe(false);
    const role = m.find(
      (x) => x.kind === 'Role' && x.metadata.name === 'carbon-carbon-aware-kepler-operator',
    ) as any;
    expect(role.metadata.namespace).toBe('apps');
    expect(permissions(role.rules)).toEqual(operatorWorkloadPermissions);
    expect(m.some((x) => x.metadata.name.includes('-mcp'))).toBe(false);
    // One replica cannot honour minAvailable: 1 during a drain, so no PDB.
    expect(m.some((x) => x.kind === 'PodDisruptionBudget')).toBe(false);
    expect(env(containers(find(m, 'Deployment', '-operator'))[0]!).WATCH_NAMESPACE).toBe('apps');
  });

  it('hardens every container of every variant (non-root, read-only root, no capabilities, seccomp)', async () => {
    let checked = 0;
    for (const values of Object.values(variants)) {
      for (const d of (await render(values)).filter((x) => x.kind === 'Deployment') as any[]) {
        const pod = d.spec.template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
        for (const c of containers(d)) {
          expect(c.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
          // The only writable path is the /tmp emptyDir.
          const tmp = c.volumeMounts.find((v: any) => v.mountPath === '/tmp');
          expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
          expect(c.resources.requests).toBeDefined();
          checked += 1;
        }
      }
    }
    expect(checked).toBe(17); // two containers per variant (9), one where the MCP server is off
  });

  it('wires the Prometheus source with its CA and token files', async () => {
    const m = await render(variants['prometheus mode with CA and token']);
    const op = containers(find(m, 'Deployment', '-operator'))[0]!;
    expect(env(op)).toMatchObject({
      METRICS_SOURCE: 'prometheus',
      PROMETHEUS_URL: 'https://prometheus.monitoring.svc:9090',
      PROMETHEUS_CA_FILE: '/etc/carbon-aware/prometheus-ca/ca.crt',
      PROMETHEUS_TOKEN_FILE: '/etc/carbon-aware/prometheus-token/token',
    });
    expect(Object.keys(env(op)).filter((k) => k.startsWith('KEPLER_'))).toEqual([]);
    const pod = (find(m, 'Deployment', '-operator') as any).spec.template.spec;
    expect(pod.volumes.map((v: any) => v.secret?.secretName).filter(Boolean)).toEqual([
      'prometheus-ca',
      'prometheus-token',
    ]);
  });

  it('wires Electricity Maps from an existing Secret, never a token value, and opens HTTPS egress', async () => {
    const m = await render(variants['live grid data from Electricity Maps with a token Secret']);
    const deployment = find(m, 'Deployment', '-operator') as any;
    const op = containers(deployment)[0]!;
    expect(env(op)).toMatchObject({
      ELECTRICITY_MAPS_TOKEN_FILE: '/etc/carbon-aware/electricity-maps-token/token',
      ELECTRICITY_MAPS_ZONES: 'KR',
      ELECTRICITY_MAPS_REFRESH_INTERVAL_SECONDS: '900',
      ELECTRICITY_MAPS_TIMEOUT_SECONDS: '10',
    });
    const pod = deployment.spec.template.spec;
    expect(pod.volumes.map((v: any) => v.secret?.secretName).filter(Boolean)).toEqual(['electricity-maps']);
    expect(op.volumeMounts.map((v: any) => v.mountPath)).toContain(
      '/etc/carbon-aware/electricity-maps-token',
    );
    // The standards ConfigMap is a directory mount, so its edits reach the running operator.
    expect(op.volumeMounts.find((v: any) => v.name === 'standards')).not.toHaveProperty('subPath');
    const policy = find(m, 'NetworkPolicy', '-operator') as any;
    expect(JSON.stringify(policy.spec.egress)).toContain('"port":443');
    // Off by default: no variable, no volume.
    const defaults = containers(find(await render(), 'Deployment', '-operator'))[0]!;
    expect(Object.keys(env(defaults)).filter((k) => k.startsWith('ELECTRICITY_MAPS_'))).toEqual([]);
  });

  it('wires static Kepler endpoints with CA, client certificate and bearer token', async () => {
    const m = await render(variants['kepler static HTTPS endpoints with CA, client cert and token secret']);
    const op = containers(find(m, 'Deployment', '-operator'))[0]!;
    const e = env(op);
    expect(e).toMatchObject({
      KEPLER_ENDPOINTS: 'https://node-a.example:28282/metrics,https://node-b.example:28282/metrics',
      KEPLER_SCHEME: 'https',
      KEPLER_CA_FILE: '/etc/carbon-aware/kepler-ca/ca.crt',
      KEPLER_CERT_FILE: '/etc/carbon-aware/kepler-client/tls.crt',
      KEPLER_KEY_FILE: '/etc/carbon-aware/kepler-client/tls.key',
      KEPLER_TOKEN_FILE: '/etc/carbon-aware/kepler-token/token',
    });
    expect(e.KEPLER_NAMESPACE).toBeUndefined();
    expect(m.some((x) => x.metadata.name.endsWith('-kepler-discovery'))).toBe(false);
    for (const path of [
      '/etc/carbon-aware/kepler-ca',
      '/etc/carbon-aware/kepler-client',
      '/etc/carbon-aware/kepler-token',
    ]) {
      expect(op.volumeMounts.find((v: any) => v.mountPath === path)).toMatchObject({ readOnly: true });
    }
  });

  it('exposes the MCP server on NodePort 30800 and renders NetworkPolicies and the ServiceMonitor', async () => {
    const m = await render(variants['NodePort, NetworkPolicy and ServiceMonitor']);
    const service = find(m, 'Service', '-mcp') as any;
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports[0].nodePort).toBe(30800);
    const monitor = find(m, 'ServiceMonitor', '-operator') as any;
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http-metrics', path: '/metrics' });
    const metricsService = find(m, 'Service', '-operator-metrics') as any;
    expect(metricsService.spec.ports[0].name).toBe('http-metrics');
    expect(metricsService.metadata.labels['app.kubernetes.io/component']).toBe('operator');
    const opPolicy = find(m, 'NetworkPolicy', '-operator') as any;
    expect(opPolicy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egressPorts = opPolicy.spec.egress.flatMap((r: any) =>
      r.ports.map((p: any) => `${p.protocol}/${p.port}`),
    );
    expect(egressPorts).toEqual([
      'UDP/53',
      'TCP/53',
      'TCP/443',
      'TCP/6443',
      'TCP/28282',
      'TCP/9102',
      'TCP/9090',
    ]);
    const mcpPolicy = find(m, 'NetworkPolicy', '-mcp') as any;
    expect(mcpPolicy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  it('refuses invalid values with a message naming the field', async () => {
    const cases: Array<[Record<string, string | number | boolean>, RegExp]> = [
      [{ 'metricsSource.mode': 'graphite' }, /metricsSource\/mode/],
      [{ 'metricsSource.mode': 'prometheus' }, /metricsSource\.prometheus\.url is required/],
      [{ 'metricsSource.kepler.discovery.enabled': false }, /metricsSource\.kepler\.endpoints must list/],
      [{ 'mcp.service.nodePort': 8000 }, /mcp\/service\/nodePort/],
      [
        { 'containerSecurityContext.readOnlyRootFilesystem': false },
        /containerSecurityContext\/readOnlyRootFilesystem/,
      ],
      [{ 'operator.replica': 3 }, /additional properties 'replica' not allowed/],
      [
        { 'gridData.electricityMaps.enabled': true },
        /gridData\/electricityMaps\/tokenSecret\/name|tokenSecret\.name is required/,
      ],
      [{ 'gridData.electricityMaps.token': 'secret-value' }, /additional properties 'token' not allowed/],
      [{ 'gridData.electricityMaps.refreshIntervalSeconds': 10 }, /refreshIntervalSeconds/],
      [
        {
          'metricsSource.kepler.endpoints[0]': 'file:///etc/passwd',
          'metricsSource.kepler.discovery.enabled': false,
        },
        /endpoints\/0/,
      ],
    ];
    for (const [values, message] of cases) {
      await expect(render(values)).rejects.toMatchObject({ stderr: expect.stringMatching(message) });
    }
  });
});
