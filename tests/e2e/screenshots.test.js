// tests/e2e/screenshots.test.js: writes what a person sees to tests/screenshots/ (home, a
// category, a product, a cart with a coupon, sign in; 390 px phones and 1280 px desktops) so
// every run can be looked at, and checks each page fits its width without sideways scrolling.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  SCREENSHOT_DIR, apiCall, catalogSettled, createCoupon, launchBrowser, loadLazyImages, newCustomer, openPage, product, settle, startShop,
} from './harness.js';

let shop;
let browser;
let customer;

before(async () => {
  [shop, browser] = await Promise.all([startShop(), launchBrowser()]);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await createCoupon(shop, { code: 'SPRING15', kind: 'percent', value: 15 });
  // A customer with three things in the cart and a coupon, for the cart page.
  customer = newCustomer('shots');
  const r = await apiCall(shop, 'POST', '/api/v1/auth/signup', { body: { ...customer, token_delivery: 'body' } });
  assert.equal(r.status, 201);
  const token = r.body.access_token;
  for (const [slug, quantity] of [['chef-s-knife-20-cm', 1], ['ceramic-pour-over-dripper', 2], ['linen-pillowcases-pair', 1]]) {
    const p = await product(shop, slug);
    const add = await apiCall(shop, 'POST', '/api/v1/cart/items', { token, body: { product_id: p.id, quantity } });
    assert.equal(add.status, 200, JSON.stringify(add.body));
  }
  const coupon = await apiCall(shop, 'POST', '/api/v1/cart/coupon', { token, body: { code: 'SPRING15' } });
  assert.equal(coupon.status, 200, JSON.stringify(coupon.body));
});

after(async () => {
  await browser?.close();
  await shop?.cleanup();
});

const PAGES = [
  ['home', '/', (page) => page.getByRole('heading', { name: 'New arrivals' }).waitFor()],
  ['catalog', '/products?category=kitchen', (page) => catalogSettled(page)],
  ['product', '/products/chef-s-knife-20-cm', (page) => page.getByRole('button', { name: 'Add to cart' }).waitFor()],
  ['cart', '/cart', (page) => page.getByTestId('coupon-code').waitFor()],
  ['signin', '/signin', (page) => page.getByRole('button', { name: 'Sign in' }).waitFor()],
];

async function signIn(page) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(customer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Hello, ${customer.name}` }).waitFor();
}

describe('screenshots', () => {
  for (const width of [390, 1280]) {
    test(`home, catalog, product, cart and sign-in at ${width} px`, async () => {
      const guest = await openPage(browser, shop, { width, height: width < 800 ? 844 : 900 });
      const member = await openPage(browser, shop, { width, height: width < 800 ? 844 : 900 });
      await signIn(member.page);
      for (const [name, url, ready] of PAGES) {
        const { page } = name === 'cart' ? member : guest;
        await page.goto(url);
        await settle(page, ready, name);
        await loadLazyImages(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.equal(overflow, 0, `${name} at ${width} px scrolls sideways by ${overflow} px`);
        const file = path.join(SCREENSHOT_DIR, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        assert.ok(fs.statSync(file).size > 10_000, `${file} is a real picture`);
      }
      assert.deepEqual(guest.page.problems, []);
      assert.deepEqual(member.page.problems, []);
      await guest.context.close();
      await member.context.close();
    });
  }
});
