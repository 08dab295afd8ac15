// The optional PrometheusRule: off by default; when on, Prometheus's own rule checker accepts the
// rendered groups, every metric they read is one the operator exports, and promtool's rule tests show
// each alert firing on the series the operator writes (budget burn, budget used, budget exceeded, a
// policy NON_COMPLIANT for longer than prometheusRule.nonCompliantFor) and staying quiet otherwise.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { OperatorMetrics } from '../../../operator/controller/operator-metrics.js';
import { find, render } from './chart-render.js';

const run = promisify(execFile);
const promtool = process.env.PROMTOOL_BIN ?? 'promtool';
const available = spawnSync(promtool, ['--version'], { stdio: 'ignore' }).status === 0;
if (!available && process.env.CI)
  throw new Error(`"${promtool}" not found and CI is set: run hack/install-prometheus.sh`);
if (!available)
  console.warn(
    `SKIPPED chart-prometheus-rule.itest.ts: no "${promtool}" binary (hack/install-prometheus.sh)`,
  );
const withPromtool = available ? describe : describe.skip;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
}

async function rules(
  values: Record<string, string | number | boolean>,
): Promise<{ groups: Array<{ rules: Rule[] }> }> {
  const m = await render({ 'prometheusRule.enabled': true, ...values });
  return (find(m, 'PrometheusRule', '-operator') as unknown as { spec: { groups: Array<{ rules: Rule[] }> } })
    .spec;
}

describe('PrometheusRule (chart)', () => {
  it('is off by default', async () => {
    expect((await render({})).filter((m) => m.kind === 'PrometheusRule')).toEqual([]);
  });

  it('reads only metrics the operator exports, and the values set the thresholds', async () => {
    const spec = await rules({
      'prometheusRule.nonCompliantFor': '6h',
      'prometheusRule.budgetUsedPercent': 90,
    });
    const exported = new Set(
      (await new OperatorMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name),
    );
    const used = spec.groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/carbon_[a-z0-9_]+/g) ?? []));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    const byName = new Map(spec.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
    expect(byName.get('CarbonPolicyNonCompliant')?.for).toBe('6h');
    expect(byName.get('CarbonBudgetUsed')?.expr).toMatch(/>= 0\.9\s*$/);
  });
});

withPromtool('PrometheusRule (promtool)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check and fires each alert on the series the operator writes', async () => {
    const spec = await rules({
      'prometheusRule.nonCompliantFor': '2h',
      'prometheusRule.budgetBurnFor': '30m',
    });
    writeFileSync(join(dir, 'rules.yaml'), stringify(spec));
    const check = await run(promtool, ['check', 'rules', join(dir, 'rules.yaml')]);
    expect(check.stdout).toMatch(/SUCCESS: 4 rules found/);
    const p = { namespace: 'ai-team', policy: 'budget', instance: '10.0.0.1:8081', pod: 'operator-0' };
    const series = (name: string, values: string, labels: Record<string, string> = p) => ({
      series: `${name}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`,
      values,
    });
    const alert = (severity: string, summary: string, description: string) => ({
      exp_labels: { severity, namespace: 'ai-team', policy: 'budget' },
      exp_annotations: { summary, description },
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // One sample a minute. Budget 100 kg; month-end projection 90 → 120 from 20 m; used 50 % → 85 %
            // at 30 m → 105 % at 70 m.
            series('carbon_policy_budget_kgco2eq', '100x130'),
            series('carbon_policy_budget_projected_month_end_kgco2eq', '90x19 120x110'),
            series('carbon_policy_budget_used_ratio', '0.5x29 0.85x39 1.05x60'),
            // NON_COMPLIANT from the start; a leader change at 51 m (another instance and pod, the series
            // overlapping for a few minutes) keeps it running.
            series('carbon_policy_compliant', '0x55', p),
            series('carbon_policy_compliant', '_x50 0x80', {
              ...p,
              instance: '10.0.0.2:8081',
              pod: 'operator-1',
            }),
          ],
          alert_rule_test: [
            { eval_time: '45m', alertname: 'CarbonBudgetBurn', exp_alerts: [] },
            {
              eval_time: '55m',
              alertname: 'CarbonBudgetBurn',
              exp_alerts: [
                alert(
                  'warning',
                  'Carbon budget of ai-team/budget is projected to run out this month',
                  'At the month-to-date burn rate the policy emits 120 kgCO2e by the end of the KST month, over its budget (status.budget).',
                ),
              ],
            },
            { eval_time: '25m', alertname: 'CarbonBudgetUsed', exp_alerts: [] },
            {
              eval_time: '30m',
              alertname: 'CarbonBudgetUsed',
              exp_alerts: [
                alert(
                  'warning',
                  'ai-team/budget used 80 % or more of its monthly carbon budget',
                  'Month-to-date emissions are 85% of the budget (status.budget).',
                ),
              ],
            },
            { eval_time: '65m', alertname: 'CarbonBudgetExceeded', exp_alerts: [] },
            {
              eval_time: '75m',
              alertname: 'CarbonBudgetExceeded',
              exp_alerts: [
                alert(
                  'critical',
                  'ai-team/budget has used up its monthly carbon budget',
                  'Month-to-date emissions are 105% of the budget (status.budget).',
                ),
              ],
            },
            { eval_time: '110m', alertname: 'CarbonPolicyNonCompliant', exp_alerts: [] },
            {
              eval_time: '125m',
              alertname: 'CarbonPolicyNonCompliant',
              exp_alerts: [
                alert(
                  'warning',
                  'ai-team/budget has been NON_COMPLIANT for 2h',
                  'kubectl describe carboncompliance -n ai-team budget shows the workloads and the advice.',
                ),
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'tests.yaml'), stringify(tests));
    const result = await run(promtool, ['test', 'rules', join(dir, 'tests.yaml')], { cwd: dir }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toMatch(/SUCCESS/);
  });
});
