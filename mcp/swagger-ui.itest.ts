// Swagger UI in a real headless Chromium: /docs loads from the local swagger-ui-dist, "Try it out" →
// Execute runs assess_workload_compliance against the spawned server, and the JSON answer shows.
// The server reads policies from a status file (no apiserver needed for what this test checks).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_LAUNCH } from '../hack/testenv/headless-chromium.js';
import { chromium, type BrowserContext } from 'playwright-core';
import { samplePolicies } from '../hack/testenv/sample-policies.js';
import { spawnFrontEnd, type SpawnedFrontEnd } from '../hack/testenv/spawned-front-end.js';

describe('Swagger UI in headless Chromium', () => {
  let tmp: string;
  let server: SpawnedFrontEnd;
  let browser: BrowserContext;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carbon-mcp-swagger-'));
    const statusFile = join(tmp, 'status.json');
    writeFileSync(statusFile, JSON.stringify(samplePolicies()));
    server = await spawnFrontEnd(['--status-file', statusFile], { LOG_LEVEL: 'info' });
    // A fresh profile directory per run (launchPersistentContext is how playwright takes --user-data-dir).
    browser = await chromium.launchPersistentContext(join(tmp, 'profile'), CHROMIUM_LAUNCH);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('Try it out → Execute on assess_workload_compliance shows the JSON answer', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    // The page runs under the server's Content-Security-Policy: anything it blocks shows up here.
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${server.url}/docs`);
    const operation = page.locator('#operations-tools-assess_workload_compliance');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const body = operation.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ workload_name: 'ml-training-job', namespace: 'ai-team' }));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const response = operation
      .locator('.responses-wrapper .live-responses-table .response-col_description pre')
      .first();
    await response.waitFor({ timeout: 30_000 });
    const text = await response.innerText();
    expect(text).toContain('"status": "NON_COMPLIANT"');
    expect(text).toContain('"gap_percent": 20.3');
    await expect(
      operation.locator('.live-responses-table tbody .response-col_status').first().innerText(),
    ).resolves.toContain('200');
    expect(external).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });
});
