// tests/api/cart_helpers.js: what the cart API tests share: a shop (a server with an admin),
// products and coupons made through the admin API, customers, and cart requests as a customer,
// a guest with a token, or a browser with the cookie.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { api, bearer, startServer, uniqueEmail } from './helpers.js';

export const P = '/api/v1';
export const PASSWORD = 'correct horse battery staple';
const run = crypto.randomBytes(4).toString('hex');
let seq = 0;

/**
 * Starts a shop: a server (opts as startServer's, env merged) whose admin is signed in. opts.admin
 * reuses an admin a previous server on the same data dir created.
 */
export async function openShop(opts = {}) {
  const admin = opts.admin || { email: `cartadmin-${run}-${++seq}@example.com`, password: 'admin passphrase of some length' };
  const server = await startServer({
    ...opts,
    env: { MERCATO_ADMIN_EMAIL: admin.email, MERCATO_ADMIN_PASSWORD: admin.password, ...(opts.env || {}) },
  });
  const shop = { server, admin };
  const login = await api(server, 'POST', `${P}/auth/login`, { body: { ...admin, token_delivery: 'body' } });
  assert.equal(login.status, 200, login.text);
  shop.adminHeaders = bearer(login.body.access_token);
  return shop;
}

/** An admin request on shop; answers the api() result. */
export const adminCall = (shop, method, path, body) =>
  api(shop.server, method, `${P}/admin${path}`, { headers: shop.adminHeaders, body });

/** Creates a product ({price, stock, active, name}); returns its admin document. */
export async function newProduct(shop, { price = 1000, stock = 100, active = true, name } = {}) {
  const res = await adminCall(shop, 'POST', '/products', {
    name: name || `Cart product ${run} ${++seq}`, description: 'For the cart tests.', price, stock, active,
  });
  assert.equal(res.status, 201, res.text);
  return res.body.product;
}

export async function changeProduct(shop, id, changes) {
  const res = await adminCall(shop, 'PATCH', `/products/${id}`, changes);
  assert.equal(res.status, 200, res.text);
  return res.body.product;
}

/** Creates a coupon (code made unique unless given); returns its document. */
export async function newCoupon(shop, body) {
  const res = await adminCall(shop, 'POST', '/coupons', { code: `C${run}${++seq}`, kind: 'percent', value: 10, ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.coupon;
}

/** Signs a new customer up (extra headers on the signup request); {email, headers, user, res}. */
export async function newCustomer(shop, headers = {}) {
  const email = uniqueEmail('cart');
  const res = await api(shop.server, 'POST', `${P}/auth/signup`, {
    headers, body: { email, password: PASSWORD, name: 'Cart Shopper', token_delivery: 'body' },
  });
  assert.equal(res.status, 201, res.text);
  return { email, headers: bearer(res.body.access_token), user: res.body.user, res };
}

/** Signs customer in again (extra headers on the login request); the api() result. */
export async function login(shop, email, headers = {}) {
  const res = await api(shop.server, 'POST', `${P}/auth/login`, {
    headers, body: { email, password: PASSWORD, token_delivery: 'body' },
  });
  assert.equal(res.status, 200, res.text);
  return res;
}

/**
 * A cart request. who: {headers} for a customer, {token} for an app guest (X-Cart-Token),
 * {cookie} for a browser guest, {} for a guest without anything, or any mix.
 */
export function cartCall(shop, method, path, who = {}, body) {
  const headers = { ...(who.headers || {}) };
  if (who.token) headers['X-Cart-Token'] = who.token;
  if (who.cookie) headers.Cookie = `mercato_cart=${who.cookie}`;
  return api(shop.server, method, `${P}/cart${path}`, { headers, body });
}

/** Adds and expects 200; answers the cart. */
export async function addOk(shop, who, productId, quantity) {
  const res = await cartCall(shop, 'POST', '/items', who, { product_id: productId, quantity });
  assert.equal(res.status, 200, res.text);
  return res.body.cart;
}

export async function getCart(shop, who) {
  const res = await cartCall(shop, 'GET', '', who);
  assert.equal(res.status, 200, res.text);
  return res.body.cart;
}

/** The mercato_cart Set-Cookie lines of a response. */
export const cartCookies = (res) => res.headers.getSetCookie().filter((c) => /^mercato_cart=/i.test(c));

/** "quantity x product" of each line, in order: a short picture of a cart. */
export const linesOf = (cart) => cart.items.map((l) => `${l.quantity}x${l.product_id}`);
