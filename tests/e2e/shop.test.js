// tests/e2e/shop.test.js: the storefront's main journey in a real browser against a real
// mercato with the demo catalog: search, filter by category, a product page, a guest cart,
// signing up (the cart is merged), a quantity change, a coupon and the totals, a reload that
// keeps the session through the refresh cookie, and a wrong password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiCall, catalogSettled, createCoupon, launchBrowser, newCustomer, openPage, product, startShop, textMatches, urlMatches, valueIs,
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

const euros = (minor) => `€${(minor / 100).toFixed(2)}`;
const money = (text) => Math.round(parseFloat(text.replace(/[^0-9.]/g, '')) * 100);

describe('a visitor shopping', () => {
  test('searches, filters by category, buys as a guest, signs up with the cart merged, changes a quantity and applies a coupon', async () => {
    const board = await product(shop, 'end-grain-walnut-cutting-board');
    await createCoupon(shop, { code: 'WELCOME10', kind: 'percent', value: 10 });
    const { context, page } = await openPage(browser, shop);

    // Search from the header: both walnut products, from two categories.
    await page.goto('/');
    await page.getByRole('searchbox', { name: 'Search products' }).fill('walnut');
    await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
    await urlMatches(page, (u) => u.pathname === '/products' && u.searchParams.get('q') === 'walnut');
    await catalogSettled(page);
    await textMatches(page.getByTestId('result-count'), '2 products');
    await page.getByRole('heading', { name: /Results for .walnut./ }).waitFor();
    const results = page.getByRole('list', { name: 'Products' }).getByRole('link');
    assert.deepEqual((await results.allTextContents()).sort(), ['End-Grain Walnut Cutting Board', 'Walnut Pen Tray']);

    // Filter by category: the search stays, the URL says both.
    await page.getByRole('navigation', { name: 'Category' }).getByRole('link', { name: 'Kitchen', exact: true }).click();
    await urlMatches(page, (u) => u.searchParams.get('q') === 'walnut' && u.searchParams.get('category') === 'kitchen');
    await catalogSettled(page);
    await textMatches(page.getByTestId('result-count'), '1 product');
    assert.deepEqual(await results.allTextContents(), ['End-Grain Walnut Cutting Board']);

    // The product page: name, price, stock; add two as a guest.
    await results.first().click();
    await urlMatches(page, (u) => u.pathname === `/products/${board.slug}`);
    await page.getByRole('heading', { level: 1, name: board.name }).waitFor();
    await textMatches(page.locator('main'), euros(board.price));
    await textMatches(page.getByTestId('stock'), 'In stock');
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    await valueIs(page.getByRole('spinbutton', { name: 'Quantity' }), '2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('2 added to your cart.').waitFor();
    await textMatches(page.getByTestId('cart-count'), '2');
    const guestCookie = (await context.cookies()).find((c) => c.name === 'mercato_cart');
    assert.ok(guestCookie?.httpOnly, 'the guest cart is named by an HttpOnly cookie');

    // Sign up: the guest cart becomes the customer's.
    const me = newCustomer('signup');
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('link', { name: 'Create an account' }).first().click();
    await page.getByLabel('Name').fill(me.name);
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password').fill(me.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await urlMatches(page, (u) => u.pathname === '/account');
    await page.getByRole('heading', { name: `Hello, ${me.name}` }).waitFor();
    await textMatches(page.getByTestId('cart-count'), '2');
    assert.equal((await context.cookies()).find((c) => c.name === 'mercato_cart'), undefined, 'the guest cookie is gone after the merge');

    await page.getByTestId('cart-link').click();
    await urlMatches(page, (u) => u.pathname === '/cart');
    const line = page.getByTestId('cart-line');
    await line.first().waitFor();
    assert.equal(await line.count(), 1);
    await textMatches(line, board.name);
    assert.doesNotMatch(await page.locator('main').textContent(), /Shopping as a guest/);
    await textMatches(page.getByTestId('subtotal'), euros(2 * board.price));

    // Change the quantity: the server's totals follow.
    await page.getByRole('button', { name: `Increase quantity of ${board.name}` }).click();
    await textMatches(page.getByTestId('line-total'), euros(3 * board.price));
    await textMatches(page.getByTestId('subtotal'), euros(3 * board.price));
    await textMatches(page.getByTestId('cart-count'), '3');
    const before = money(await page.getByTestId('total').textContent());

    // A code that does not exist: the API's message, next to the field.
    await page.getByLabel('Coupon code').fill('NOSUCHCODE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await textMatches(page.locator('[data-field-error="code"]'), 'There is no coupon with this code.');
    assert.equal(await page.getByLabel('Coupon code').getAttribute('aria-invalid'), 'true');

    // The real one: 10% off the subtotal, and the total drops by as much.
    await page.getByLabel('Coupon code').fill('welcome10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await textMatches(page.getByTestId('coupon-code'), 'WELCOME10');
    const discount = Math.round(3 * board.price * 0.1);
    await textMatches(page.getByTestId('discount'), euros(discount));
    const afterCoupon = money(await page.getByTestId('total').textContent());
    assert.ok(afterCoupon < before, `total ${afterCoupon} is below ${before}`);

    // The server agrees with what the page shows (asked with a session of the test's own).
    const login = await apiCall(shop, 'POST', '/api/v1/auth/login', { body: { email: me.email, password: me.password, token_delivery: 'body' } });
    const server = await apiCall(shop, 'GET', '/api/v1/cart', { token: login.body.access_token });
    assert.equal(server.status, 200);
    assert.equal(server.body.cart.items[0].quantity, 3);
    assert.equal(server.body.cart.totals.discount, discount);
    assert.equal(money(await page.getByTestId('total').textContent()), server.body.cart.totals.total);

    // Reload: the refresh cookie restores the session, and the cart is still there.
    await page.reload();
    await page.getByTestId('account-link').waitFor();
    await textMatches(page.getByTestId('account-link'), me.name);
    await textMatches(page.getByTestId('cart-count'), '3');
    await textMatches(page.getByTestId('coupon-code'), 'WELCOME10');

    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('a wrong password shows the API\'s error and no one is signed in', async () => {
    const me = newCustomer('wrongpw');
    const created = await apiCall(shop, 'POST', '/api/v1/auth/signup', { body: { ...me, token_delivery: 'body' } });
    assert.equal(created.status, 201);
    const { context, page } = await openPage(browser, shop);
    await page.goto('/signin');
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await textMatches(alert, 'The email address or password is wrong.');
    assert.equal(new URL(page.url()).pathname, '/signin');
    assert.equal(await page.getByTestId('account-link').count(), 0);
    assert.equal((await context.cookies()).find((c) => c.name === 'mercato_refresh'), undefined);
    await context.close();
  });
});
