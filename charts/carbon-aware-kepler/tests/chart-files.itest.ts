// The chart's copies of files that live elsewhere in the repository (Helm cannot read outside the
// chart) must agree with their sources; the dashboard must query metrics the operator really exports;
// the chart's operator RBAC must be the set operator/README.md documents.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chartDir, find, render, repoRoot } from './chart-render.js';
import { jest } from '@jest/globals';

// helm renders take ~0.3 s each; a test renders up to a dozen on a shared, busy machine.
jest.setTimeout(90_000);

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

/** group/resource → sorted verbs; resourceNames and namespaces are ignored (they only narrow a rule). */
function grants(rules: PolicyRule[]): Record<string, string> {
  const out: Record<string, Set<string>> = {};
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [''])
      for (const resource of rule.resources ?? []) {
        const key = `${group || 'core'}/${resource}`;
        out[key] ??= new Set();
        for (const verb of rule.verbs) out[key].add(verb);
      }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, [...v].sort().join(',')]),
  );
}

describe('files the chart carries', () => {
  it('ships the CRDs byte for byte as crds/ holds them (charts/sync-crds.sh refreshes the copy)', () => {
    const source = readdirSync(join(repoRoot, 'crds'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const copy = readdirSync(join(chartDir, 'crds'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(source.length).toBeGreaterThan(0);
    expect(copy).toEqual(source);
    for (const file of source) {
      const a = readFileSync(join(repoRoot, 'crds', file));
      const b = readFileSync(join(chartDir, 'crds', file));
      if (!a.equals(b))
        throw new Error(
          `charts/carbon-aware-kepler/crds/${file} differs from crds/${file}: run charts/sync-crds.sh`,
        );
    }
  });

  it('ships the standards catalogue as operator/data/standards.yaml holds it (charts/sync-standards.sh)', () => {
    const sourcePath = join(repoRoot, 'operator', 'data', 'standards.yaml');
    if (!existsSync(sourcePath)) throw new Error('operator/data/standards.yaml does not exist yet');
    const a = readFileSync(sourcePath);
    const b = readFileSync(join(chartDir, 'files', 'standards.yaml'));
    if (!a.equals(b))
      throw new Error(
        'charts/carbon-aware-kepler/files/standards.yaml differs: run charts/sync-standards.sh',
      );
  });

  it('puts the catalogue into the standards ConfigMap unchanged, and values can replace it', async () => {
    const shipped = readFileSync(join(chartDir, 'files', 'standards.yaml'), 'utf8');
    const configMap = find(await render(), 'ConfigMap', '-standards') as any;
    expect(configMap.data['standards.yaml']).toBe(shipped.replace(/\n+$/, ''));
    const override = 'standards:\n  - code: SITE_POLICY\n    note: replaced by values\n';
    const replaced = find(await render({ 'standards.override': override }), 'ConfigMap', '-standards') as any;
    expect(replaced.data['standards.yaml']).toBe(override.replace(/\n+$/, ''));
    expect(replaced.metadata.annotations['carbon-aware.dev/standards-source']).toBe('values');
  });

  it('has a Grafana dashboard whose queries use only metrics the operator and the MCP server export', () => {
    const dashboard = JSON.parse(readFileSync(join(chartDir, 'files', 'dashboard.json'), 'utf8'));
    const metricsSource = ['operator/controller/operator-metrics.ts', 'mcp/http/http-metrics.ts']
      .map((file) => readFileSync(join(repoRoot, file), 'utf8'))
      .join('\n');
    const exported = new Set([...metricsSource.matchAll(/name: '([a-z0-9_:]+)'/g)].map((m) => m[1]!));
    expect(exported.size).toBeGreaterThan(5);
    // Row panels only group the others.
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');

    const exprs: string[] = panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    exprs.push(
      ...dashboard.templating.list.filter((v: any) => v.type === 'query').map((v: any) => v.definition),
    );
    const used = new Set<string>();
    for (const expr of exprs)
      for (const m of expr.matchAll(/\b(carbon_[a-z0-9_]+)/g))
        used.add(m[1]!.replace(/_(bucket|sum|count)$/, ''));
    for (const name of used)
      expect({ metric: name, exported: exported.has(name) }).toEqual({ metric: name, exported: true });
    // The brief's headline series are all on the dashboard.
    for (const name of [
      'carbon_policy_effective_intensity_gco2eq_per_kwh',
      'carbon_policy_emissions_30d_projection_kgco2eq',
      'carbon_workload_effective_intensity_gco2eq_per_kwh',
      'carbon_workload_power_watts',
      'carbon_operator_informer_restarts_total',
      'carbon_mcp_http_request_duration_seconds',
      'carbon_mcp_tool_calls_total',
      'carbon_policy_compliant',
      'carbon_policy_workloads',
      'carbon_operator_reconcile_duration_seconds',
      'carbon_operator_reconcile_errors_total',
      'carbon_policy_budget_month_to_date_kgco2eq',
      'carbon_policy_budget_projected_month_end_kgco2eq',
      'carbon_policy_budget_used_ratio',
    ])
      expect(used).toContain(name);
    // Each panel's queries have distinct refIds and a data source variable, so the dashboard imports anywhere.
    for (const panel of panels) {
      const ids = panel.targets.map((t: any) => t.refId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(panel.datasource.uid).toBe('${datasource}');
    }
  });

  it('grants the operator exactly the RBAC operator/README.md documents', async () => {
    const readme = readFileSync(join(repoRoot, 'operator', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Least-privilege RBAC'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section);
    if (!block) throw new Error('operator/README.md has no yaml block under "Least-privilege RBAC"');
    const documented = parseAllDocuments(block[1]!).flatMap(
      (d) => ((d.toJS() as any)?.rules ?? []) as PolicyRule[],
    );

    const manifests = await render();
    const operatorRoles = manifests.filter(
      (m) => (m.kind === 'ClusterRole' || m.kind === 'Role') && m.metadata.name.includes('-operator'),
    ) as any[];
    expect(operatorRoles).toHaveLength(4); // workloads, leader election, Kepler discovery, usage metrics
    expect(grants(operatorRoles.flatMap((r) => r.rules))).toEqual(grants(documented));
  });
});
