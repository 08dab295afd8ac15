// The dashboard at `/` in a real headless Chromium, served by the spawned carbon-mcp with token auth:
// refused without the token, shown with it (the browser's Basic prompt carries it), in Korean and
// English, with no script and no request leaving the server, SVG charts with text alternatives,
// and text contrast of at least 4.5:1 (3:1 for large text). Screenshots go to test-output/dashboard/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_LAUNCH } from '../hack/testenv/headless-chromium.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { samplePolicies } from '../hack/testenv/sample-policies.js';
import { spawnFrontEnd, type SpawnedFrontEnd } from '../hack/testenv/spawned-front-end.js';

const TOKEN = 'dashboard-test-token-0123456789';
const OUTPUT = join(
  process.env.TEST_OUTPUT_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output'),
  'dashboard',
);

// Browser-side checks, as source text: they run in the page, where the DOM types live.
/** Contrast of every visible text run against its effective background (WCAG 2 relative luminance). */
const CONTRAST_FAILURES = `(() => {
  const rgb = (value) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(value);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(',').map((p) => Number(p.trim()));
    return [parts[0], parts[1], parts[2], parts[3] ?? 1];
  };
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color[3] > 0) return color;
    }
    return [255, 255, 255, 1];
  };
  const failures = [];
  const elements = Array.from(document.querySelectorAll('body *')).filter((el) =>
    Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== ''),
  );
  for (const el of elements) {
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || rect.width === 0 || rect.left < 0) continue;
    if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
    const isSvgText = el instanceof SVGElement;
    const fg = rgb(isSvgText ? style.fill : style.color);
    // SVG labels sit on the white plot or the light window shade: checked against the darker one.
    const bg = isSvgText ? [219, 231, 247, 1] : background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5))
      failures.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2) + ':1');
  }
  return failures;
})()`;

/** Each SVG's role and how many non-empty elements its aria-labelledby names. */
const CHART_LABELS = `Array.from(document.querySelectorAll('svg')).map((svg) => ({
  role: svg.getAttribute('role'),
  labels: (svg.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
    .map((id) => (document.getElementById(id)?.textContent || '').trim()).filter(Boolean).length,
}))`;

async function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CONTRAST_FAILURES);
}

describe('dashboard at / in headless Chromium', () => {
  let tmp: string;
  let server: SpawnedFrontEnd;
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carbon-mcp-dashboard-'));
    mkdirSync(OUTPUT, { recursive: true });
    const statusFile = join(tmp, 'status.json');
    writeFileSync(statusFile, JSON.stringify(samplePolicies()));
    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    server = await spawnFrontEnd(['--status-file', statusFile, '--auth', 'token', '--token-file', tokenFile]);
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('needs the API token: 401 with a Basic challenge without it, the page with it (Basic or Bearer)', async () => {
    const anonymous = await fetch(`${server.url}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${server.url}/`, {
      headers: { authorization: `Basic ${Buffer.from(`me:not-the-token`).toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const bearer = await fetch(`${server.url}/?lang=en`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(bearer.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test('Korean page: verdicts, intensity against target, grid profile with the recommended window; accessible; screenshot', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'viewer', password: TOKEN },
      locale: 'ko-KR',
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    await expect(page.locator('h1').innerText()).resolves.toBe('탄소 인식 Kepler 대시보드');
    // The seed's worked example: ml-training-job, 510.1 gCO2e/kWh against 424, non-compliant.
    const row = page.locator('tr', { has: page.locator('th', { hasText: 'ml-training-job' }) });
    await expect(row.innerText()).resolves.toMatch(/미준수[\s\S]*510\.1[\s\S]*424[\s\S]*\+20\.3/);
    // Grid profile for KR with the recommended window of the workload's time shift.
    await expect(page.locator('figcaption').first().innerText()).resolves.toMatch(
      /권장 실행 구간 \d\d:00–\d\d:00 \(Asia\/Seoul\)/,
    );
    expect(await page.locator('svg .bar-window').count()).toBeGreaterThan(0);
    // No script at all, nothing fetched from elsewhere.
    expect(await page.evaluate<number>('document.scripts.length')).toBe(0);
    expect(external).toEqual([]);
    // Text alternatives: every chart is an image with a title and a description; every table a caption.
    const charts = await page.evaluate<Array<{ role: string | null; labels: number }>>(CHART_LABELS);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const chart of charts) expect(chart).toEqual({ role: 'img', labels: 2 });
    expect(
      await page.$$eval('table', (tables) => tables.filter((t) => !t.querySelector('caption')).length),
    ).toBe(0);
    expect(await contrastFailures(page)).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-ko.png'), fullPage: true });
    await context.close();
  });

  test('English page through the language link, same numbers; screenshot', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'viewer', password: TOKEN },
      locale: 'ko-KR',
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expect(page.locator('h1').innerText()).resolves.toBe('Carbon-Aware Kepler dashboard');
    const row = page.locator('tr', { has: page.locator('th', { hasText: 'ml-training-job' }) });
    await expect(row.innerText()).resolves.toMatch(/Non-compliant[\s\S]*510\.1[\s\S]*424/);
    await expect(page.locator('figcaption').first().innerText()).resolves.toMatch(/Recommended window/);
    expect(await contrastFailures(page)).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-en.png'), fullPage: true });
    await context.close();
  });
});
