// tests/e2e/cart.test.js: the cart page against the real cart API: merging into an existing
// customer's cart on sign-in, per-line warnings when stock and prices move, removing and
// clearing, stock refusals on the product page, and the coupon refusals the API explains.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  adminToken, apiCall, createCoupon, launchBrowser, newCustomer, openPage, product, startShop, textMatches, urlMatches, valueIs,
} from './harness.js';

let shop;
let browser;

before(async () => {
  [shop, browser] = await Promise.all([startShop(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await shop?.cleanup();
});

/** A customer (via the API) with `lines` ([slug, quantity]) in the cart; returns it and a token. */
async function customerWithCart(lines) {
  const me = newCustomer('cart');
  const r = await apiCall(shop, 'POST', '/api/v1/auth/signup', { body: { ...me, token_delivery: 'body' } });
  assert.equal(r.status, 201);
  for (const [slug, quantity] of lines) {
    const p = await product(shop, slug);
    const add = await apiCall(shop, 'POST', '/api/v1/cart/items', { token: r.body.access_token, body: { product_id: p.id, quantity } });
    assert.equal(add.status, 200, JSON.stringify(add.body));
  }
  return { me, token: r.body.access_token };
}

async function signIn(page, me) {
  await page.goto('/signin?next=/cart');
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(me.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await urlMatches(page, (u) => u.pathname === '/cart');
}

async function addFromProductPage(page, slug, quantity = 1) {
  await page.goto(`/products/${slug}`);
  const qty = page.getByRole('spinbutton', { name: 'Quantity' });
  await qty.fill(String(quantity));
  await qty.blur();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('status').filter({ hasText: /added to your cart/i }).waitFor();
}

const lineOf = (page, name) => page.getByTestId('cart-line').filter({ hasText: name });

describe('the cart page', () => {
  test('signing in adds the guest cart to the customer\'s saved cart', async () => {
    const { me } = await customerWithCart([['sencha-green-tea-100-g', 1]]);
    const { context, page } = await openPage(browser, shop);
    await addFromProductPage(page, 'sencha-green-tea-100-g', 2);
    await addFromProductPage(page, 'gardening-gloves', 1);
    await textMatches(page.getByTestId('cart-count'), '3');
    await page.goto('/cart');
    await page.getByText('Shopping as a guest.').waitFor();

    await signIn(page, me);
    await textMatches(page.getByTestId('cart-count'), '4');
    await textMatches(page.getByTestId('cart-summary-count'), '4 items');
    assert.equal(await page.getByTestId('cart-line').count(), 2);
    await valueIs(page.getByRole('spinbutton', { name: 'Quantity of Sencha Green Tea 100 g' }), '3');
    await valueIs(page.getByRole('spinbutton', { name: 'Quantity of Gardening Gloves' }), '1');
    assert.equal(await page.getByText('Shopping as a guest.').count(), 0);
    await context.close();
  });

  test('lines show the API\'s warnings when stock and prices move, and removing a line clears it', async () => {
    const knife = await product(shop, 'chef-s-knife-20-cm');
    const pot = await product(shop, 'glass-storage-jars-set-of-3');
    const { me } = await customerWithCart([[knife.slug, 2], [pot.slug, 1]]);
    const admin = await adminToken(shop);
    const patch = async (id, body) => assert.equal((await apiCall(shop, 'PATCH', `/api/v1/admin/products/${id}`, { token: admin, body })).status, 200);
    await patch(knife.id, { stock: 1, price: knife.price + 200 });
    await patch(pot.id, { stock: 0 });
    try {
      const { context, page } = await openPage(browser, shop);
      await signIn(page, me);
      const knifeLine = lineOf(page, knife.name);
      await textMatches(knifeLine, 'Only 1 left in stock; lower the quantity.');
      await textMatches(knifeLine, /The price changed from/);
      const potLine = lineOf(page, pot.name);
      await textMatches(potLine, /out of stock|sold out/i);
      assert.equal(await page.getByRole('spinbutton', { name: `Quantity of ${pot.name}` }).isDisabled(), true);
      await page.getByText('Some items need your attention').waitFor();

      // Acting on a warning clears it: lower the quantity, remove the sold-out line.
      await page.getByRole('button', { name: `Decrease quantity of ${knife.name}` }).click();
      await textMatches(page.getByTestId('cart-count'), '2');
      await knifeLine.getByText(/Only 1 left/).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Remove ${pot.name}` }).click();
      await potLine.waitFor({ state: 'detached' });
      assert.equal(await page.getByText('Some items need your attention').count(), 0);
      await textMatches(page.getByTestId('subtotal'), `€${((knife.price + 200) / 100).toFixed(2)}`);
      await context.close();
    } finally {
      await patch(knife.id, { stock: 18, price: knife.price });
      await patch(pot.id, { stock: 20 });
    }
  });

  test('the product page says how many are left when asked for more', async () => {
    const grinder = await product(shop, 'hand-coffee-grinder');
    assert.equal(grinder.only_left, 3);
    const { context, page } = await openPage(browser, shop);
    await page.goto(`/products/${grinder.slug}`);
    await textMatches(page.getByTestId('stock'), 'Only 3 left');
    await addFromProductPage(page, grinder.slug, 2);
    await page.getByRole('spinbutton', { name: 'Quantity' }).fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await textMatches(page.getByRole('alert'), 'Only 3 available, and you already have 2 in your cart.');
    await textMatches(page.getByTestId('cart-count'), '2');
    await context.close();
  });

  test('coupons: a minimum not reached is explained, a good one applies and can be removed', async () => {
    await createCoupon(shop, { code: 'BIGSPEND', kind: 'fixed', value: 1000, min_subtotal: 100000 });
    await createCoupon(shop, { code: 'FIVEOFF', kind: 'fixed', value: 500 });
    const { context, page } = await openPage(browser, shop);
    await addFromProductPage(page, 'olive-wood-spoon-set', 1);
    await page.goto('/cart');
    const total = await page.getByTestId('total').textContent();

    await page.getByLabel('Coupon code').fill('BIGSPEND');
    await page.getByRole('button', { name: 'Apply' }).click();
    await textMatches(page.locator('[data-field-error="code"]'), 'This coupon needs a subtotal of at least 1000.00 EUR.');
    assert.equal(await page.getByTestId('total').textContent(), total);

    await page.getByLabel('Coupon code').fill('FIVEOFF');
    await page.getByRole('button', { name: 'Apply' }).click();
    await textMatches(page.getByTestId('discount'), '€5.00');
    await page.getByRole('button', { name: 'Remove coupon FIVEOFF' }).click();
    await page.getByLabel('Coupon code').waitFor();
    assert.equal(await page.getByTestId('discount').count(), 0);
    await textMatches(page.getByTestId('total'), total);
    await context.close();
  });

  test('clearing the cart asks first, then empties it', async () => {
    const { context, page } = await openPage(browser, shop);
    await addFromProductPage(page, 'dot-grid-notebook-a5', 2);
    await page.goto('/cart');
    await page.getByRole('button', { name: 'Clear cart' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    assert.equal(await page.getByTestId('cart-line').count(), 1);
    await page.getByRole('button', { name: 'Clear cart' }).click();
    await page.getByRole('button', { name: 'Yes, clear cart' }).click();
    await page.getByRole('heading', { name: 'Your cart is empty' }).waitFor();
    assert.equal(await page.getByTestId('cart-count').count(), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Your cart is empty' }).waitFor();
    assert.deepEqual(page.problems, []);
    await context.close();
  });
});
