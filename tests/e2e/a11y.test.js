// tests/e2e/a11y.test.js: axe-core's WCAG 2.1 A and AA rules (contrast, labels, names, alt
// text, landmarks, ...) on every page of the shop, on a phone and a desktop width, signed out
// and signed in with a cart. The pages must have no violations at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { STEP_TIMEOUT_MS, apiCall, catalogSettled, launchBrowser, newCustomer, product, settle, startShop, urlMatches } from './harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let shop;
let browser;
let customer;

before(async () => {
  [shop, browser] = await Promise.all([startShop(), launchBrowser()]);
  customer = newCustomer('a11y');
  const r = await apiCall(shop, 'POST', '/api/v1/auth/signup', { body: { ...customer, token_delivery: 'body' } });
  assert.equal(r.status, 201);
  for (const slug of ['chef-s-knife-20-cm', 'walnut-pen-tray']) {
    const { id } = await product(shop, slug);
    const add = await apiCall(shop, 'POST', '/api/v1/cart/items', { token: r.body.access_token, body: { product_id: id, quantity: 1 } });
    assert.equal(add.status, 200, JSON.stringify(add.body));
  }
});

after(async () => {
  await browser?.close();
  await shop?.cleanup();
});

/** axe's violations on the page as "rule: target (summary)" lines. */
async function violations(page) {
  // axe is injected as a script: this test's context bypasses the CSP, which browse.test.js checks.
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary.split('\n').slice(1, 2).join('').trim()})`));
}

const GUEST_PAGES = [
  ['home', '/', (page) => page.getByRole('heading', { name: 'New arrivals' }).waitFor()],
  ['catalog', '/products?category=kitchen&in_stock=1', (page) => catalogSettled(page)],
  ['search without results', '/products?q=zzzzzz', (page) => page.getByRole('heading', { name: 'No products match' }).waitFor()],
  ['product', '/products/chef-s-knife-20-cm', (page) => page.getByRole('button', { name: 'Add to cart' }).waitFor()],
  ['empty cart', '/cart', (page) => page.getByRole('heading', { name: 'Your cart is empty' }).waitFor()],
  ['sign in', '/signin', (page) => page.getByRole('button', { name: 'Sign in' }).waitFor()],
  ['sign up', '/signup', (page) => page.getByRole('button', { name: 'Create account' }).waitFor()],
  ['not found', '/no/such/page', (page) => page.getByRole('heading', { name: 'This page does not exist' }).waitFor()],
];
const MEMBER_PAGES = [
  ['cart', '/cart', (page) => page.getByTestId('cart-line').first().waitFor()],
  ['account', '/account', (page) => page.getByRole('heading', { name: `Hello, ${customer.name}` }).waitFor()],
];

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  for (const width of [390, 1280]) {
    test(`every page has no violations at ${width} px`, async () => {
      const context = await browser.newContext({ baseURL: shop.base, viewport: { width, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      const found = [];
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      for (const [name, url, ready] of GUEST_PAGES) {
        await page.goto(url);
        await settle(page, ready, name);
        for (const v of await violations(page)) found.push(`${name}: ${v}`);
      }
      // The sign-up form with the API's field errors shown.
      await page.goto('/signup');
      await page.getByLabel('Email').fill('nope');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator('[data-field-error="email"]').waitFor();
      for (const v of await violations(page)) found.push(`sign up with errors: ${v}`);

      await page.goto('/signin?next=/cart');
      await page.getByLabel('Email').fill(customer.email);
      await page.getByLabel('Password').fill(customer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await urlMatches(page, (u) => u.pathname === '/cart');
      for (const [name, url, ready] of MEMBER_PAGES) {
        await page.goto(url);
        await settle(page, ready, name);
        for (const v of await violations(page)) found.push(`${name}: ${v}`);
      }
      if (width < 800) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('dialog', { name: 'Menu' }).waitFor();
        for (const v of await violations(page)) found.push(`menu: ${v}`);
      }
      assert.deepEqual(found, []);
      await context.close();
    });
  }
});
