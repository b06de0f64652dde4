// tests/e2e/harness.js: the browser tests' world: a real mercato (the binary scripts/test
// builds) on a free port with the demo catalog seeded and web/dist as its web app, an admin
// for the admin API, and Debian's Chromium driven by playwright-core.
//
// Cookies: the API marks its refresh and guest-cart cookies Secure (MERCATO_COOKIE_SECURE=1,
// the default). Chromium treats http://127.0.0.1 and http://localhost as secure contexts and
// keeps Secure cookies from them, so the tests run with the production setting unchanged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT, makeTempDir, rmTemp, runMercato, startServer } from '../api/helpers.js';

export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const SCREENSHOT_DIR = path.join(ROOT, 'tests', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ADMIN = { email: 'admin@example.com', password: 'admin password for e2e' };
/** How long a step may wait for the page: generous, since a loaded 2-core machine is slow. */
export const STEP_TIMEOUT_MS = 20_000;

let userSeq = 0;
/** A fresh customer identity for this run. */
export function newCustomer(tag = 'shopper') {
  userSeq += 1;
  return {
    name: `Ada ${tag} ${userSeq}`,
    email: `${tag}-${process.pid}-${Date.now().toString(36)}-${userSeq}@example.com`,
    password: 'correct horse battery staple',
  };
}

/**
 * Seeds the demo shop into a new data dir and starts mercato on it, serving web/dist; env adds
 * MERCATO_* settings to both (the seed writes prices in MERCATO_CURRENCY).
 * Returns the server (base, stop()) plus cleanup() that stops it and removes the data dir.
 */
export async function startShop({ env = {} } = {}) {
  assert.ok(fs.existsSync(path.join(WEB_DIST, 'index.html')), `build the web app first (cd web && npm run build): ${WEB_DIST} has no index.html`);
  const dataDir = makeTempDir('mercato-e2e-');
  const seeded = runMercato(['seed', '--demo', '--data-dir', dataDir], { cwd: dataDir, env, timeout: 60_000 });
  assert.equal(seeded.code, 0, `mercato seed --demo failed:\n${seeded.stderr}`);
  let server;
  try {
    server = await startServer({
      dataDir,
      webDir: WEB_DIST,
      env: { ...env, MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password },
      args: ['--access-log', '0'],
    });
  } catch (err) {
    rmTemp(dataDir);
    throw err;
  }
  return {
    ...server,
    async cleanup() {
      try {
        await server.stop();
      } finally {
        rmTemp(dataDir);
      }
    },
  };
}

/** One JSON call to the API from the test itself (not the browser). Returns {status, body}. */
export async function apiCall(shop, method, p, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(shop.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** An admin access token for the shop. */
export async function adminToken(shop) {
  const r = await apiCall(shop, 'POST', '/api/v1/auth/login', { body: { ...ADMIN, token_delivery: 'body' } });
  assert.equal(r.status, 200, `admin login: ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

/** Creates a coupon through the admin API; returns it. */
export async function createCoupon(shop, coupon) {
  const token = await adminToken(shop);
  const r = await apiCall(shop, 'POST', '/api/v1/admin/coupons', { body: coupon, token });
  assert.equal(r.status, 201, `create coupon: ${JSON.stringify(r.body)}`);
  return r.body.coupon;
}

/** A public product by slug, from the API. */
export async function product(shop, slug) {
  const r = await apiCall(shop, 'GET', `/api/v1/products/${slug}`);
  assert.equal(r.status, 200, `product ${slug}: ${JSON.stringify(r.body)}`);
  return r.body.product;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

/**
 * A fresh browser context (its own cookies) and page on the shop. Page errors and failed
 * app-side requests are collected in page.problems so a test can assert there were none.
 */
export async function openPage(browser, shop, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ baseURL: shop.base, viewport: { width, height }, locale: 'en-US' });
  const page = await context.newPage();
  page.problems = [];
  page.pending = new Map(); // request -> when it started, for settle()'s report
  page.on('request', (r) => page.pending.set(r, Date.now()));
  page.on('requestfinished', (r) => page.pending.delete(r));
  page.on('requestfailed', (r) => page.pending.delete(r));
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium logs every 4xx answer as a console error: a guest's start-up refresh (401) and
    // the refusals a test provokes on purpose (422, 409) are expected; 5xx and the rest are not.
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
  });
  if (process.env.E2E_DEBUG) {
    page.on('response', async (r) => {
      if (!r.url().includes('/api/')) return;
      const t = await r.text().catch(() => '');
      console.log('#', r.status(), r.request().method(), r.url().replace(shop.base, ''), t.slice(0, 160));
    });
  }
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  return { context, page };
}

/**
 * Waits for ready(page) after a navigation. About one full browser run in eight under
 * scripts/test (two test files, two browsers and two servers on two cores), a page did not
 * render within the step timeout; it never happened alone, and curl finds no request that
 * stalls. So a page that does not come is reported (its URL, the requests still open and the
 * text on screen) and loaded once more; a second miss fails the test.
 */
export async function settle(page, ready, what) {
  try {
    await ready(page);
  } catch (err) {
    if (err?.name !== 'TimeoutError') throw err;
    const open = [...(page.pending ?? new Map())].map(([r, t]) => `${r.method()} ${r.url()} (${Date.now() - t} ms)`);
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '?');
    console.log(`# e2e: ${what} did not render in time at ${page.url()}; open requests: ${open.join(', ') || 'none'}; ` +
      `on screen: ${JSON.stringify(text.slice(0, 300))}; loading it once more`);
    await page.reload();
    await ready(page);
  }
}

/** Loads every image of the page for a full-page screenshot, then waits until all are in.
 * Scrolling alone was not enough: a scroll that outran the renderer left the last row of lazy
 * images unrequested, and back at the top they were out of the lazy-loading range for good
 * (1 run in 3 timed out at 1280 px). So each image is switched to eager loading as well. */
export async function loadLazyImages(page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 500) {
    await page.evaluate((top) => new Promise((done) => { window.scrollTo(0, top); requestAnimationFrame(() => done()); }), y);
  }
  await page.evaluate(() => {
    for (const img of document.images) img.loading = 'eager';
    window.scrollTo(0, 0);
  });
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
}

/** Waits until the locator's text matches `pattern` (string: contains); returns the text. */
export async function textMatches(locator, pattern, timeout = STEP_TIMEOUT_MS) {
  const ok = (t) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) || '';
    if (ok(last)) return last;
    if (Date.now() > deadline) assert.fail(`${locator}: text ${JSON.stringify(last)} never matched ${pattern}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the catalog shows the results for the page's current URL, loaded. */
export async function catalogSettled(page) {
  const search = new URL(page.url()).search;
  await page.locator(`[data-testid="results"][aria-busy="false"][data-for=${JSON.stringify(search)}]`).waitFor();
}

/** Waits until the page's URL (path and query) satisfies fn(URL). */
export async function urlMatches(page, fn, timeout = STEP_TIMEOUT_MS) {
  await page.waitForURL((u) => fn(new URL(u)), { timeout });
}

/** Waits until the input's value is `expected`. */
export async function valueIs(locator, expected, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await locator.inputValue({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    if (last === expected) return;
    if (Date.now() > deadline) assert.fail(`${locator}: value ${JSON.stringify(last)} never became ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
