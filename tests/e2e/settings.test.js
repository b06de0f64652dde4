// tests/e2e/settings.test.js: the storefront follows the shop's settings (GET /api/v1/shop)
// rather than numbers of its own: a shop started with another name, currency, quantity limit
// and guest-cart lifetime shows them, and its quantity fields never go past the limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiCall, launchBrowser, openPage, product, startShop, textMatches, valueIs } from './harness.js';

const SETTINGS = {
  MERCATO_SHOP_NAME: 'Bäckerei Süß',
  MERCATO_CURRENCY: 'USD',
  MERCATO_CART_MAX_QUANTITY: '5',
  MERCATO_GUEST_CART_TTL: '172800',
};

let shop;
let browser;

before(async () => {
  [shop, browser] = await Promise.all([startShop({ env: SETTINGS }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await shop?.cleanup();
});

describe('a shop with settings of its own', () => {
  test('the API describes the settings the storefront is about to follow', async () => {
    const r = await apiCall(shop, 'GET', '/api/v1/shop');
    assert.equal(r.status, 200);
    assert.equal(r.body.shop.name, SETTINGS.MERCATO_SHOP_NAME);
    assert.equal(r.body.shop.currency, 'USD');
    assert.equal(r.body.shop.limits.cart_max_quantity, 5);
  });

  test('the header, the title, the prices and the home page use the shop\'s name, currency and cart lifetime', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/');
    await textMatches(page.getByRole('banner'), SETTINGS.MERCATO_SHOP_NAME);
    await page.waitForFunction((name) => document.title === name, SETTINGS.MERCATO_SHOP_NAME);
    await textMatches(page.locator('main'), 'your cart is kept for 2 days');
    await page.getByRole('heading', { name: 'Gifts under $25' }).waitFor();
    await textMatches(page.getByRole('contentinfo'), `${SETTINGS.MERCATO_SHOP_NAME} · Powered by Mercato`);
    const board = await product(shop, 'end-grain-walnut-cutting-board');
    assert.equal(board.currency, 'USD');
    await page.goto(`/products/${board.slug}`);
    await page.getByRole('heading', { level: 1, name: board.name }).waitFor();
    await textMatches(page.locator('main'), `$${(board.price / 100).toFixed(2)}`);
    await page.waitForFunction((name) => document.title.endsWith(` · ${name}`), SETTINGS.MERCATO_SHOP_NAME);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('the quantity on the product page and in the cart stops at the configured maximum of 5', async () => {
    const board = await product(shop, 'end-grain-walnut-cutting-board');
    assert.ok(!board.only_left, 'a product with plenty in stock, so the limit is the shop\'s');
    const { context, page } = await openPage(browser, shop);
    await page.goto(`/products/${board.slug}`);
    const qty = page.getByRole('spinbutton', { name: 'Quantity' });
    assert.equal(await qty.getAttribute('max'), '5');
    await qty.fill('9');
    await qty.blur();
    await valueIs(qty, '5');
    assert.equal(await page.getByRole('button', { name: 'Increase quantity' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('5 added to your cart.').waitFor();

    await page.goto('/cart');
    const line = page.getByRole('spinbutton', { name: `Quantity of ${board.name}` });
    await valueIs(line, '5');
    assert.equal(await line.getAttribute('max'), '5');
    assert.equal(await page.getByRole('button', { name: `Increase quantity of ${board.name}` }).isDisabled(), true);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('when the shop\'s settings cannot be loaded the page says so, and Try again loads the page', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.route('**/api/v1/shop', (route) => route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:mercato:problem:unavailable', title: 'Service Unavailable', status: 503, detail: 'The shop is not answering right now.', code: 'unavailable' }),
    }));
    await page.goto('/products');
    const alert = page.getByRole('alert').filter({ hasText: 'The shop could not be loaded' });
    await textMatches(alert, 'The shop is not answering right now.');
    await page.unroute('**/api/v1/shop');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'All products' }).waitFor();
    await textMatches(page.getByRole('banner'), SETTINGS.MERCATO_SHOP_NAME);
    await context.close();
  });
});
