// tests/e2e/browse.test.js: what the storefront promises beyond the main journey: the catalog's
// state lives in the URL (reload, back and forward), problem details appear beside their field,
// a 401 gets one silent refresh and then sends the visitor to sign in, tokens never reach web
// storage, product text is rendered as text, the page runs under a strict CSP, and phones get
// a real navigation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { request } from '../api/helpers.js';
import {
  adminToken, apiCall, catalogSettled, launchBrowser, newCustomer, openPage, startShop, textMatches, urlMatches,
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

/** Signs a new customer up through the API and in through the page; returns the customer. */
async function signedIn(page) {
  const me = newCustomer('browse');
  const r = await apiCall(shop, 'POST', '/api/v1/auth/signup', { body: { ...me, token_delivery: 'body' } });
  assert.equal(r.status, 201);
  await page.goto('/signin?next=/account');
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(me.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Hello, ${me.name}` }).waitFor();
  return me;
}

async function productNames(page) {
  await catalogSettled(page);
  return page.getByRole('list', { name: 'Products' }).getByRole('link').allTextContents();
}

describe('the catalog keeps its state in the URL', () => {
  test('filters, sort and page survive a reload and come back with back and forward', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/products?category=kitchen');
    await textMatches(page.getByTestId('result-count'), /^\d+ products$/);
    const all = await productNames(page);

    await page.getByLabel('In stock only').check();
    await urlMatches(page, (u) => u.searchParams.get('in_stock') === '1' && u.searchParams.get('category') === 'kitchen');
    await page.getByLabel('Sort by').selectOption('price');
    await urlMatches(page, (u) => u.searchParams.get('sort') === 'price');
    await page.getByLabel('Min').fill('20');
    await page.getByLabel('Max').fill('80');
    await page.getByRole('button', { name: 'Apply price' }).click();
    await urlMatches(page, (u) => u.searchParams.get('min') === '20' && u.searchParams.get('max') === '80');
    const filtered = await productNames(page);
    assert.ok(filtered.length > 0 && filtered.length < all.length, `${filtered.length} of ${all.length}`);

    // The API agrees: the same filters in minor units, cheapest first.
    const api = await apiCall(shop, 'GET', '/api/v1/products?category=kitchen&in_stock=true&min_price=2000&max_price=8000&sort=price&limit=24');
    assert.deepEqual(filtered, api.body.products.map((p) => p.name));

    await page.reload();
    assert.deepEqual(await productNames(page), filtered);
    assert.equal(await page.getByLabel('In stock only').isChecked(), true);
    assert.equal(await page.getByLabel('Sort by').inputValue(), 'price');
    assert.equal(await page.getByLabel('Min').inputValue(), '20');

    await page.goBack();
    await urlMatches(page, (u) => !u.searchParams.has('min') && u.searchParams.get('sort') === 'price');
    await page.goBack();
    await page.goBack();
    await urlMatches(page, (u) => u.search === '?category=kitchen');
    assert.deepEqual(await productNames(page), all);
    assert.equal(await page.getByLabel('In stock only').isChecked(), false);
    await page.goForward();
    await urlMatches(page, (u) => u.searchParams.get('in_stock') === '1' && !u.searchParams.has('sort'));
    await catalogSettled(page);
    assert.equal(await page.getByLabel('In stock only').isChecked(), true);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('pages are links: page 2 of all products is a shareable URL', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/products');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Page 2' }).click();
    await urlMatches(page, (u) => u.searchParams.get('page') === '2');
    const second = await productNames(page);
    const api = await apiCall(shop, 'GET', '/api/v1/products?limit=24&offset=24');
    assert.deepEqual(second, api.body.products.map((p) => p.name));

    const other = await browser.newContext({ baseURL: shop.base });
    const shared = await other.newPage();
    await shared.goto(page.url());
    assert.deepEqual(await productNames(shared), second);
    assert.equal(await shared.getByRole('link', { name: 'Page 2' }).getAttribute('aria-current'), 'page');
    await other.close();
    await context.close();
  });

  test('a failed load says why and offers a retry that works', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.route('**/api/v1/products?*', (route) => route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:mercato:problem:unavailable', title: 'Service Unavailable', status: 503, detail: 'The store is not answering right now.', code: 'unavailable' }),
    }));
    await page.goto('/products?q=mug');
    const alert = page.getByRole('alert').filter({ hasText: 'The products could not be loaded' });
    await textMatches(alert, 'The store is not answering right now.');
    await page.unroute('**/api/v1/products?*');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await catalogSettled(page);
    assert.ok((await productNames(page)).length > 0);
    await context.close();
  });

  test('an unknown category in a link says so instead of showing everything', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/products?category=no-such-thing');
    await page.getByRole('heading', { name: 'This category does not exist' }).waitFor();
    await context.close();
  });
});

describe('forms show the API\'s problems', () => {
  test('sign-up errors appear next to the fields they name', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Bea');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await textMatches(page.locator('[data-field-error="password"]'), 'Use at least 12 characters.');
    await textMatches(page.locator('[data-field-error="email"]'), 'This is not a valid email address.');
    const password = page.getByLabel('Password');
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    const described = await password.getAttribute('aria-describedby');
    assert.match(await page.locator(`#${described.split(' ').pop()}`).textContent(), /12 characters/);
    assert.equal(await page.locator('[data-field-error="name"]').count(), 0);
    await context.close();
  });
});

describe('sessions', () => {
  test('tokens stay out of web storage and script-readable cookies', async () => {
    const { context, page } = await openPage(browser, shop);
    await signedIn(page);
    const seen = await page.evaluate(() => ({
      local: Object.keys(localStorage).length,
      session: Object.keys(sessionStorage).length,
      cookies: document.cookie,
    }));
    assert.deepEqual(seen, { local: 0, session: 0, cookies: '' });
    const refresh = (await context.cookies()).find((c) => c.name === 'mercato_refresh');
    assert.ok(refresh?.httpOnly && refresh.secure, 'the refresh token is an HttpOnly Secure cookie');
    await context.close();
  });

  test('a 401 gets one silent refresh and the request is retried', async () => {
    const { context, page } = await openPage(browser, shop);
    await signedIn(page);
    let refused = 0;
    let refreshes = 0;
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/auth/refresh')) refreshes += 1; });
    // The access token "expires": the first profile save is refused as the API would.
    await page.route('**/api/v1/me', async (route) => {
      if (route.request().method() === 'PATCH' && refused === 0) {
        refused += 1;
        await route.fulfill({
          status: 401,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'urn:mercato:problem:invalid_token', title: 'Unauthorized', status: 401, detail: 'The access token has expired.', code: 'invalid_token' }),
        });
        return;
      }
      await route.continue();
    });
    await page.getByLabel('Name').fill('Renamed After Refresh');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Your name is saved.').waitFor();
    assert.equal(refused, 1);
    assert.equal(refreshes, 1);
    await textMatches(page.getByTestId('account-link'), 'Renamed After Refresh');
    await context.close();
  });

  test('when the refresh fails too, the visitor is sent to sign in and comes back after', async () => {
    const { context, page } = await openPage(browser, shop);
    const me = await signedIn(page);
    await page.route('**/api/v1/me', (route) => route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:mercato:problem:invalid_token', title: 'Unauthorized', status: 401, detail: 'The access token has expired.', code: 'invalid_token' }),
    }));
    await page.route('**/api/v1/auth/refresh', (route) => route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:mercato:problem:invalid_refresh_token', title: 'Unauthorized', status: 401, detail: 'The session was revoked.', code: 'invalid_refresh_token' }),
    }));
    await page.getByLabel('Name').fill('Never Saved');
    await page.getByRole('button', { name: 'Save name' }).click();
    await urlMatches(page, (u) => u.pathname === '/signin' && u.searchParams.get('next') === '/account');
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    await page.unroute('**/api/v1/me');
    await page.unroute('**/api/v1/auth/refresh');
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password').fill(me.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await urlMatches(page, (u) => u.pathname === '/account');
    await context.close();
  });

  test('the account page sends guests to sign in', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/account');
    await urlMatches(page, (u) => u.pathname === '/signin' && u.searchParams.get('next') === '/account');
    await context.close();
  });

  test('signing out ends the session for good', async () => {
    const { context, page } = await openPage(browser, shop);
    await signedIn(page);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await urlMatches(page, (u) => u.pathname === '/');
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    assert.equal(await page.getByTestId('account-link').count(), 0);
    await context.close();
  });
});

describe('safety and quality basics', () => {
  test('product text is shown as text, never run as HTML', async () => {
    const token = await adminToken(shop);
    const made = await apiCall(shop, 'POST', '/api/v1/admin/products', {
      token,
      body: { name: 'Tricky <b>Name</b>', price: 1500, stock: 3, description: '<img src=x onerror="window.pwned=1">\nSecond line' },
    });
    assert.equal(made.status, 201);
    const { context, page } = await openPage(browser, shop);
    await page.goto(`/products/${made.body.product.slug}`);
    await page.getByRole('heading', { level: 1, name: 'Tricky <b>Name</b>' }).waitFor();
    await textMatches(page.getByTestId('description'), '<img src=x onerror="window.pwned=1">');
    assert.equal(await page.locator('main b, main img[src="x"]').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    await context.close();
  });

  test('the HTML is served under a CSP without unsafe-inline or unsafe-eval, and has no inline code', async () => {
    const res = await fetch(`${shop.base}/products/some-product`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script>');
    assert.doesNotMatch(html, /<style|\sstyle=/i, 'no inline styles');

    const { context, page } = await openPage(browser, shop);
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    for (const p of ['/', '/products', '/products/chef-s-knife-20-cm', '/cart', '/signin']) {
      await page.goto(p);
      await page.waitForLoadState('networkidle');
    }
    assert.deepEqual(violations, []);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('the first load is under 100 KiB compressed, and hashed assets are cached for good', async () => {
    const gz = { 'Accept-Encoding': 'gzip, deflate, br' };
    const html = await request(`${shop.base}/`, { headers: gz });
    assert.equal(html.headers['content-encoding'], 'gzip');
    assert.equal(html.headers['cache-control'], 'no-cache');
    const plain = await fetch(`${shop.base}/`, { headers: { 'Accept-Encoding': 'identity' } });
    const assets = [...(await plain.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `assets: ${assets}`);
    let total = 0;
    for (const a of assets) {
      const res = await request(shop.base + a, { headers: gz });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip', a);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', a);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      total += Number(res.headers['content-length']);
      const refused = await request(shop.base + a, { headers: { 'Accept-Encoding': 'gzip;q=0' } });
      assert.equal(refused.headers['content-encoding'], undefined, 'q=0 refuses gzip');
      assert.ok(Number(refused.headers['content-length']) > Number(res.headers['content-length']));
    }
    assert.ok(total < 100 * 1024, `first load is ${total} bytes compressed`);
  });

  test('images carry alt text and their dimensions', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/products');
    await page.waitForLoadState('networkidle');
    const imgs = await page.locator('main img').evaluateAll((els) => els.map((e) => ({ alt: e.getAttribute('alt'), w: e.getAttribute('width'), h: e.getAttribute('height') })));
    assert.ok(imgs.length >= 20);
    for (const i of imgs) {
      assert.ok(i.alt && i.alt.length > 0, 'alt text');
      assert.ok(Number(i.w) > 0 && Number(i.h) > 0, 'width and height');
    }
    await context.close();
  });

  test('the keyboard reaches a visible skip link first, and focus is always drawn', async () => {
    const { context, page } = await openPage(browser, shop);
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
    const box = await skip.boundingBox();
    assert.ok(box && box.width > 20 && box.height > 10, 'the focused skip link is visible');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await context.close();
  });

  test('on a phone the menu opens as a dialog with every category and navigates', async () => {
    const { context, page } = await openPage(browser, shop, { width: 360, height: 740 });
    await page.goto('/');
    assert.equal(await page.getByRole('navigation', { name: 'Categories' }).isVisible(), false);
    await page.getByRole('button', { name: 'Menu' }).click();
    const menu = page.getByRole('dialog', { name: 'Menu' });
    await menu.waitFor();
    await menu.getByRole('link', { name: 'Coffee & Tea' }).click();
    await urlMatches(page, (u) => u.searchParams.get('category') === 'coffee-tea');
    await menu.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { level: 1, name: 'Coffee & Tea' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.equal(overflow, 0, 'nothing sticks out sideways at 360 px');
    await context.close();
  });
});
