import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './support/browser';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';

const A1 = 'acct-1@flowq.test';
const A2 = 'acct-2@flowq.test';
// UPDATE_SCREENSHOTS=1 writes them where the README shows them; otherwise they go to a temp folder.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url)) : join(tmpdir(), 'flowq-screenshots/');
mkdirSync(SHOTS, { recursive: true });

let flowq: FlowqUnderTest;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  flowq = await startFlowq('console', {
    sim: {
      accounts: [
        { email: A1, tier: 'ultra' },
        { email: A2, tier: 'pro' },
      ],
      generationMs: { min: 300, max: 900 },
    },
    // The cooling-off page needs a burst of 429s to cool an account off at once: with learned
    // working limits the first of them would only cut the limit (test/scheduler-scenarios.test.ts
    // covers that), so this display test keeps the plain rule.
    env: { COOLDOWN_AFTER_429S: '3', ACCOUNT_MAX_CONCURRENT: '2', ACCOUNT_ADAPTIVE_LIMITS: 'false' },
  });
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await flowq?.stop();
});

async function signIn(key: string): Promise<void> {
  await page.goto(`${flowq.api.address}/console`);
  await page.fill('#signin input[name="key"]', key);
  await page.click('#signin button[type="submit"]');
}

describe('the web console, in a real browser', () => {
  it('shows a wrong key the sign-in page, not data', async () => {
    await signIn('not-a-key');
    await expect.poll(() => page.textContent('#signin [role="alert"]')).toContain('refused');
    expect(await page.isVisible('#signin')).toBe(true);
    expect(await page.isHidden('#nav')).toBe(true);
    expect(await page.locator('[data-batch], [data-account]').count()).toBe(0);
    // A deep link without a key lands on the same page.
    await page.goto(`${flowq.api.address}/console#/accounts`);
    expect(await page.locator('#signin').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}signin.png` });
  });

  it('shows an account cooling off with its until-time after a burst of 429s', async () => {
    flowq.sim.faults.failNextSubmits({ kind: 'throttled', email: A1, count: 3 });
    for (let i = 0; i < 6; i++) {
      const res = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: `burst ${i}`, email: i < 3 ? A1 : undefined } });
      expect(res.status).toBe(202);
    }
    await signIn(TEST_API_KEY);
    await page.click('a[data-nav="accounts"]');
    const row = page.locator(`tr[data-account="${A1}"]`);
    await expect.poll(() => row.locator('.badge').first().textContent(), { timeout: 20_000 }).toBe('cooling');
    expect(Number(await row.locator('td.throttled').textContent())).toBe(3);
    const until = await row.locator('.countdown').getAttribute('data-until');
    expect(new Date(until!).getTime()).toBeGreaterThan(Date.now() + 2 * 3600_000);
    expect(await row.locator('td.cooling-until').textContent()).toMatch(/\dh \d\dm \d\ds/);
    const first = await row.locator('.countdown').textContent();
    await expect.poll(() => row.locator('.countdown').textContent(), { timeout: 5_000 }).not.toBe(first);
    expect(await row.locator('button', { hasText: 'Resume' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}accounts.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}accounts-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  let batchId = '';
  it('uploads a CSV from the batches page and its progress bar reaches 100%', async () => {
    await page.click('a[data-nav="batches"]');
    const csv = [
      'prompt,count,ref',
      'a red fox in snow,2,fox',
      'waves on black sand,1,waves',
      'a paper boat on a river,1,boat',
      '"rain, neon, night",1,rain',
    ].join('\n');
    await page.setInputFiles('#upload input[type="file"]', { name: 'prompts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.fill('#upload input[name="name"]', 'console test');
    await page.click('#upload button[type="submit"]');
    await expect.poll(() => page.textContent('#upload [role="status"]')).toMatch(/4 rows accepted/);
    const card = page.locator('[data-batch]').first();
    batchId = (await card.getAttribute('data-batch'))!;
    await expect.poll(() => card.locator('[role="progressbar"]').getAttribute('aria-valuenow'), { timeout: 40_000 }).toBe('100');
    expect(await card.locator('.pct').textContent()).toBe('100%');
    await page.screenshot({ path: `${SHOTS}batches.png`, fullPage: true });
  });

  it("shows a batch's gallery: one thumbnail per clip in input order, and a clicked video plays", async () => {
    await page.click(`[data-batch="${batchId}"] a:has-text("Gallery")`);
    const thumbs = page.locator('#gallery .clip img');
    await expect.poll(() => thumbs.count(), { timeout: 10_000 }).toBe(5);
    const rows = await page.locator('#gallery .clip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-row'))));
    expect(rows).toEqual([1, 1, 2, 3, 4]);
    const loaded = await thumbs.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    await page.screenshot({ path: `${SHOTS}gallery.png`, fullPage: true });
    expect(loaded.every(Boolean)).toBe(true);
    await page.locator('#gallery .clip button.thumb').first().click();
    const video = page.locator('#gallery video').first();
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // Filters: only failed rows (none here).
    await page.click('.filters button[data-status="failed"]');
    await expect.poll(() => page.locator('#gallery .clip').count()).toBe(0);
  });

  it('shows a job: its request, a timeline of attempts and account events, and its results', async () => {
    await page.click('.filters button[data-status=""]');
    await page.locator('#gallery .clip a').first().click();
    await expect.poll(() => page.locator('.timeline li').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('pre')).toContain('a red fox in snow');
    expect(await page.locator('.timeline li.attempt').first().textContent()).toMatch(/submit on acct-\d@flowq\.test: 201/);
    expect(await page.locator('main video').count()).toBe(2);
    await page.screenshot({ path: `${SHOTS}job.png`, fullPage: true });
  });
});
