// Deleting a product that orders name: DELETE /admin/products/{id} archives it instead (200 with
// the product rather than 204). An archived product leaves the shop and every cart, frees its
// slug, SKU and categories, keeps its image files for the orders, takes no change (409
// product_archived), and shows in the admin listing only with archived=true. There is no order
// API before checkout, so orders are written with the sqlite3 shell into the live database, as
// checkout will write them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { adminAndCustomer, api, assertInvalid, assertProblem, startServer } from './helpers.js';

const run = crypto.randomBytes(4).toString('hex');
const ADMIN = { email: `archadmin-${run}@example.com`, password: 'admin passphrase of some length' };
const P = '/api/v1';
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const haveSqlite3 = spawnSync('sh', ['-c', 'command -v sqlite3']).status === 0;
const needSqlite3 = { skip: haveSqlite3 ? false : 'no API writes orders before checkout and the sqlite3 shell is not installed' };

let server;
let adminHeaders;
let customerHeaders;

before(async () => {
  server = await startServer({ env: { MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password } });
  ({ adminHeaders, customerHeaders } = await adminAndCustomer(server, ADMIN, `archive-shopper-${run}@example.com`));
});

after(async () => { await server?.stop(); });

const admin = (method, reqPath, body, opts = {}) => api(server, method, `${P}/admin${reqPath}`, { headers: adminHeaders, body, ...opts });
const pub = (reqPath) => api(server, 'GET', `${P}${reqPath}`);

let seq = 0;
/** A word no other product holds, to search for. */
const uniqueWord = () => `arch${run}w${++seq}`;

async function newProduct(body = {}) {
  const res = await admin('POST', '/products', { name: `Desk ${uniqueWord()}`, description: 'A thing.', price: 1000, stock: 10, ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.product;
}

async function newCategory() {
  const res = await admin('POST', '/categories', { name: `Category ${uniqueWord()}` });
  assert.equal(res.status, 201, res.text);
  return res.body.category;
}

/** Records a placed order with one line naming the product, with the sqlite3 shell on the live database. */
function orderNaming(productId) {
  const orderId = `ord_${crypto.randomBytes(13).toString('hex')}`;
  const sql = 'BEGIN IMMEDIATE; '
    + 'INSERT INTO orders (id, user_id, status, currency, subtotal, discount, shipping, tax, total, coupon_code, created_at, updated_at) '
    + `VALUES ('${orderId}', NULL, 'placed', 'EUR', 1000, 0, 0, 0, 1000, NULL, 0, 0); `
    + 'INSERT INTO order_lines (order_id, line, product_id, name, sku, unit_price, quantity) '
    + `SELECT '${orderId}', 1, id, name, sku, price, 1 FROM products WHERE id = '${productId}'; `
    + 'SELECT changes(); COMMIT;';
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-cmd', 'PRAGMA foreign_keys = ON', path.join(server.dataDir, 'mercato.db'), sql],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1', 'one order line was written');
}

async function uploadImage(productId) {
  const res = await api(server, 'POST', `${P}/admin/products/${productId}/images`, {
    headers: { ...adminHeaders, 'content-type': 'image/png' }, body: PNG_1X1, raw: true,
  });
  return res;
}

/** A product with a sku, a category and an image, named by an order; returns {product, category, file}. */
async function orderedProduct() {
  const category = await newCategory();
  const word = uniqueWord();
  const created = await newProduct({ name: `Desk ${word}`, slug: `desk-${word}`, sku: `SKU-${word}`, category_ids: [category.id] });
  const up = await uploadImage(created.id);
  assert.equal(up.status, 201, up.text);
  orderNaming(created.id);
  const product = (await admin('GET', `/products/${created.id}`)).body.product;
  return { product, category, word, file: product.images[0].url };
}

async function archive(id) {
  const res = await admin('DELETE', `/products/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body.product;
}

// ---- deleting -------------------------------------------------------------------------------------

test('a product no order names is deleted: 204, gone from admin and shop', needSqlite3, async () => {
  const ordered = await newProduct();
  orderNaming(ordered.id); // another product's order changes nothing for this one
  const other = await newProduct();
  const res = await admin('DELETE', `/products/${other.id}`);
  assert.equal(res.status, 204, res.text);
  assert.equal(res.text, '');
  assertProblem(await admin('GET', `/products/${other.id}`), 404, 'not_found');
  assertProblem(await pub(`/products/${other.id}`), 404, 'not_found');
});

test('a product an order names is archived instead: 200 with archived_at, inactive, slug and sku freed', needSqlite3, async () => {
  const { product, word } = await orderedProduct();
  const res = await admin('DELETE', `/products/${product.id}`);
  assert.equal(res.status, 200, res.text);
  const a = res.body.product;
  assert.match(a.archived_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(a.active, false);
  assert.equal(a.slug, `archived-${product.id.slice('prod_'.length)}`);
  assert.equal(a.sku, null);
  assert.deepEqual(a.category_ids, []);
  assert.deepEqual(a.images, product.images, 'the images stay for the orders');
  assert.equal(a.name, `Desk ${word}`);
  assert.equal(a.price, product.price);
  assert.equal(a.updated_at, a.archived_at);
  assert.deepEqual((await admin('GET', `/products/${product.id}`)).body.product, a);
});

test('deleting an archived product again changes nothing and answers the same', needSqlite3, async () => {
  const { product } = await orderedProduct();
  const first = await archive(product.id);
  const second = await archive(product.id);
  assert.deepEqual(second, first);
});

test('an archived product leaves the shop: its page (id and old slug) is 404 and no listing shows it', needSqlite3, async () => {
  const { product, word } = await orderedProduct();
  // Read (and so cache) the public answers first: archiving must move the cache generation.
  assert.equal((await pub(`/products/${product.id}`)).status, 200);
  assert.equal((await pub(`/products/${product.slug}`)).status, 200);
  assert.deepEqual((await pub(`/products?q=${word}`)).body.products.map((p) => p.id), [product.id]);
  await archive(product.id);
  assertProblem(await pub(`/products/${product.id}`), 404, 'not_found');
  assertProblem(await pub(`/products/${product.slug}`), 404, 'not_found');
  const list = await pub(`/products?q=${word}`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.count, 0);
  assert.deepEqual(list.body.products, []);
});

test('an archived product leaves every cart', needSqlite3, async () => {
  const { product } = await orderedProduct();
  const keep = await newProduct();
  for (const id of [product.id, keep.id]) {
    const add = await api(server, 'POST', `${P}/cart/items`, { headers: customerHeaders, body: { product_id: id, quantity: 1 } });
    assert.equal(add.status, 200, add.text);
  }
  await archive(product.id);
  const cart = await api(server, 'GET', `${P}/cart`, { headers: customerHeaders });
  assert.equal(cart.status, 200, cart.text);
  const ids = cart.body.cart.items.map((l) => l.product_id);
  assert.ok(!ids.includes(product.id), 'the archived product is no longer in the cart');
  assert.ok(ids.includes(keep.id), 'other lines stay');
});

test('a new product can take the slug and SKU of an archived one', needSqlite3, async () => {
  const { product } = await orderedProduct();
  await archive(product.id);
  const again = await newProduct({ slug: product.slug, sku: product.sku });
  assert.notEqual(again.id, product.id);
  assert.equal(again.slug, product.slug);
  assert.equal(again.sku, product.sku);
  assert.equal((await pub(`/products/${product.slug}`)).body.product.id, again.id);
});

test('the category of an archived product can be deleted', needSqlite3, async () => {
  const { product, category } = await orderedProduct();
  assertProblem(await admin('DELETE', `/categories/${category.id}`), 409, 'category_in_use');
  await archive(product.id);
  const res = await admin('DELETE', `/categories/${category.id}`);
  assert.equal(res.status, 204, res.text);
});

test('the image files of an archived product are still served', needSqlite3, async () => {
  const { product, file } = await orderedProduct();
  await archive(product.id);
  const name = file.split('/').pop();
  assert.ok(fs.readdirSync(path.join(server.dataDir, 'images')).includes(name), `${name} is on disk`);
  const res = await api(server, 'GET', file);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
});

// ---- an archived product takes no change ------------------------------------------------------------

test('PATCH on an archived product is 409 product_archived and changes nothing', needSqlite3, async () => {
  const { product } = await orderedProduct();
  const archived = await archive(product.id);
  for (const body of [{ price: 1 }, { active: true }, { name: 'Renamed' }, {}]) {
    const res = await admin('PATCH', `/products/${product.id}`, body);
    const problem = assertProblem(res, 409, 'product_archived');
    assert.equal(problem.errors, undefined);
    assert.match(problem.detail, /archived/);
  }
  assert.deepEqual((await admin('GET', `/products/${product.id}`)).body.product, archived);
});

test('uploading or removing an image of an archived product is 409 product_archived', needSqlite3, async () => {
  const { product } = await orderedProduct();
  const archived = await archive(product.id);
  const files = fs.readdirSync(path.join(server.dataDir, 'images')).length;
  assertProblem(await uploadImage(product.id), 409, 'product_archived');
  assert.equal(fs.readdirSync(path.join(server.dataDir, 'images')).length, files, 'no file was left behind');
  assertProblem(await admin('DELETE', `/products/${product.id}/images/${archived.images[0].id}`), 409, 'product_archived');
  assert.deepEqual((await admin('GET', `/products/${product.id}`)).body.product, archived);
});

test('a slug of the archived form is refused on create and update: slug/reserved', async () => {
  const slug = `archived-${'0'.repeat(26)}`;
  assertInvalid(await admin('POST', '/products', { name: 'Sneaky', description: 'x', price: 1, slug }), [['slug', 'reserved']]);
  const p = await newProduct();
  assertInvalid(await admin('PATCH', `/products/${p.id}`, { slug }), [['slug', 'reserved']]);
  const ok = await newProduct({ slug: `archived-but-not-${run}` });
  assert.equal(ok.slug, `archived-but-not-${run}`);
});

// ---- the admin listing ----------------------------------------------------------------------------

test('the admin listing leaves archived products out; archived=true lists them alone', needSqlite3, async () => {
  const tag = uniqueWord();
  const on = await newProduct({ name: `Shelf ${tag} one` });
  const off = await newProduct({ name: `Shelf ${tag} two`, active: false });
  const gone = await newProduct({ name: `Shelf ${tag} three` });
  orderNaming(gone.id);
  await archive(gone.id);
  const ids = (res) => res.body.products.map((p) => p.id).sort();

  let res = await admin('GET', `/products?q=${tag}&include_inactive=true`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(ids(res), [on.id, off.id].sort());
  assert.equal(res.body.count, 2);
  res = await admin('GET', `/products?q=${tag}&archived=false&include_inactive=true`);
  assert.deepEqual(ids(res), [on.id, off.id].sort());
  res = await admin('GET', `/products?q=${tag}&archived=true`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(ids(res), [gone.id]);
  assert.equal(res.body.count, 1);
  assert.ok(res.body.products[0].archived_at);
  res = await admin('GET', '/products?archived=true&limit=100');
  assert.ok(res.body.products.every((p) => p.archived_at !== null && p.active === false));
  assert.ok(res.body.products.some((p) => p.id === gone.id));
  res = await admin('GET', '/products?include_inactive=true&limit=100');
  assert.ok(res.body.products.every((p) => p.archived_at === null));
});

test('archived takes true or false: anything else is 422, and the public listing does not know it', async () => {
  for (const v of ['yes', '1', '']) {
    assertInvalid(await admin('GET', `/products?archived=${v}`), [['archived', 'invalid']]);
  }
  assertInvalid(await pub('/products?archived=true'), [['archived', 'unknown_parameter']]);
});
