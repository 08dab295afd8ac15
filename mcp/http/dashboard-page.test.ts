// renderDashboard as a pure function: names from the cluster are escaped, an unreachable cluster is
// an alert naming the cause, an empty cluster says what to apply, and both languages label the page.
import { samplePolicies, withBudgetAndLedger } from '../../hack/testenv/sample-policies.js';
import { testReferenceData } from '../../hack/testenv/test-reference-data.js';
import { renderDashboard } from './dashboard-page.js';
import { rampProfile } from '../../hack/testenv/engine-inputs.js';
import { verifySavings } from '../../operator/engine/verified-savings.js';

const now = new Date('2026-05-04T03:00:00Z');

describe('renderDashboard', () => {
  test('escapes names that come from the cluster', () => {
    const [policy] = samplePolicies();
    policy!.status!.workloads![0]!.workload = '<img src=x onerror=alert(1)>';
    const html = renderDashboard({ policies: [policy!], reference: testReferenceData, language: 'en', now });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  test('shows each verified saving with its change and verdict', () => {
    const [policy] = samplePolicies();
    policy!.status!.verifiedSavings = [
      verifySavings({
        change: {
          workload: 'CronJob/nightly',
          kind: 'schedule',
          since: '2026-04-02T00:00:00Z',
          source: 'applied by the operator (spec.actions.temporalShift: Apply)',
          before: { schedule: '0 20 * * *', timeZone: 'Asia/Seoul' },
          after: { schedule: '0 12 * * *', timeZone: 'Asia/Seoul' },
        },
        hourly: [3, 4].map((h) => ({ hourStart: `2026-04-03T0${h}:00:00Z`, energy_kWh: 0.5 })),
        profile: rampProfile,
        pue: 1.2,
        now: new Date('2026-04-04T00:00:00Z'),
      }),
    ];
    const html = renderDashboard({ policies: [policy!], reference: testReferenceData, language: 'en', now });
    expect(html).toContain('<caption>Verified savings: ai-team/carbon</caption>');
    expect(html).toMatch(
      /<th scope="row">CronJob\/nightly<\/th><td>0 20 \* \* \* \(Asia\/Seoul\) → 0 12 \* \* \* \(Asia\/Seoul\)<\/td><td>2026-04-02T00:00:00Z<\/td><td>Verified<\/td><td class="num">0\.096<\/td><td class="num">15\.8<\/td>/,
    );
  });

  test('an unreachable cluster is an alert with the cause; no policies are shown', () => {
    const html = renderDashboard({
      policies: [],
      reference: testReferenceData,
      language: 'ko',
      now,
      unavailable: 'nothing listens at https://10.0.0.1:6443 (connection refused)',
    });
    expect(html).toMatch(
      /<p class="notice" role="alert"><strong>클러스터를 읽을 수 없습니다:<\/strong> nothing listens at https:\/\/10\.0\.0\.1:6443/,
    );
    expect(html).toContain('<html lang="ko">');
  });

  test('no policies: says what to apply, in the chosen language', () => {
    const en = renderDashboard({ policies: [], reference: testReferenceData, language: 'en', now });
    expect(en).toContain('No CarbonCompliancePolicy you may read');
    expect(en).toContain('href="?lang=ko"');
    const ko = renderDashboard({ policies: [], reference: testReferenceData, language: 'ko', now });
    expect(ko).toContain('볼 수 있는 CarbonCompliancePolicy가 없습니다');
  });

  test('the grid chart marks the recommended window of the workload that has one', () => {
    const html = renderDashboard({
      policies: samplePolicies(),
      reference: testReferenceData,
      language: 'en',
      now,
    });
    const shaded = html.match(/class="bar-window"/g) ?? [];
    expect(shaded.length).toBeGreaterThan(0);
    expect(html).toMatch(/Recommended window \d\d:00–\d\d:00 \(Asia\/Seoul\)/);
  });
});

describe('renderDashboard: carbon budget', () => {
  test('shows the month-to-date, burn rate, projection and the date the budget runs out', () => {
    const [p] = samplePolicies();
    // 144 kg over 9.52 days (since 1 December 00:00 KST): 15.12 kg/day; 156 kg left last 10.3 days, to 20 December (KST).
    const withBudget = withBudgetAndLedger(p!, 300);
    const html = renderDashboard({
      policies: [withBudget],
      reference: testReferenceData,
      language: 'en',
      now,
    });
    expect(html).toContain(
      '<dt>Carbon budget, this month (kgCO2e, KST)</dt><dd>144 / 300 <small>(48 %, 2026-12)</small></dd>',
    );
    expect(html).toContain('<dt>Burn rate (kgCO2e/day)</dt><dd>15.12</dd>');
    expect(html).toContain('<dt>Budget runs out</dt><dd>2026-12-20</dd>');
    const over = withBudgetAndLedger(samplePolicies()[0]!, 100);
    const ko = renderDashboard({ policies: [over], reference: testReferenceData, language: 'ko', now });
    expect(ko).toContain('<dt>예산 소진일</dt><dd>소진됨 (2026-12-10)</dd>');
    // The month-over-month change from status.summary.emissionsChange (504 → 475.2 kg).
    expect(html).toMatch(
      /<dt>Emissions change \(kgCO2e\)<\/dt><dd>2026-10 → 2026-11: -28\.8 <small>\(energy \+[\d.]+, timing -[\d.]+, PUE 0, grid factor -[\d.]+\)<\/small><\/dd>/,
    );
    // A policy without spec.budget shows no budget rows.
    const plain = renderDashboard({
      policies: samplePolicies(),
      reference: testReferenceData,
      language: 'en',
      now,
    });
    expect(plain).not.toContain('Carbon budget');
  });
});
