// Managing the catalog: /admin/categories and /admin/products. Only admins get in (401 without a
// token, 403 for customers); each endpoint takes only the fields on its allow-list, so price,
// stock, roles or ids never ride along; validation names every bad field at once; slugs are
// derived from names and unique; a category in use is never deleted; deleting a product removes
// its image files. The admin listing shows inactive products and stock levels.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { REDIS_URL, adminAndCustomer, api, assertProblem, startServer } from './helpers.js';

const run = crypto.randomBytes(4).toString('hex');
const ADMIN = { email: `catadmin-${run}@example.com`, password: 'admin passphrase of some length' };
const P = '/api/v1';
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function redisDb(n) {
  if (!REDIS_URL) return undefined;
  const u = new URL(REDIS_URL);
  u.pathname = `/${n}`;
  return u.toString();
}

let server;
let adminHeaders;
let customerHeaders;

before(async () => {
  server = await startServer({ redisUrl: redisDb(9), env: { MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password } });
  ({ adminHeaders, customerHeaders } = await adminAndCustomer(server, ADMIN, `shopper-${run}@example.com`));
});

after(async () => { await server?.stop(); });

const admin = (method, reqPath, body, opts = {}) => api(server, method, `${P}/admin${reqPath}`, { headers: adminHeaders, body, ...opts });
const pub = (reqPath) => api(server, 'GET', `${P}${reqPath}`);

let seq = 0;
const unique = (name) => `${name} ${run} ${++seq}`;

async function newCategory(body = {}) {
  const res = await admin('POST', '/categories', { name: unique('Category'), ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.category;
}

async function newProduct(body = {}) {
  const res = await admin('POST', '/products', { name: unique('Product'), description: 'A thing.', price: 1000, ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.product;
}

function assertInvalid(res, expected) {
  const body = assertProblem(res, 422, 'validation_failed');
  const got = (body.errors || []).map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(got, expected.map(([f, c]) => `${f}:${c}`).sort(), res.text);
  for (const e of body.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0);
  return body;
}

// ---- access ---------------------------------------------------------------------------------------

const ROUTES = [
  ['GET', '/categories'], ['POST', '/categories'], ['GET', '/categories/cat_00000000000000000000000000'],
  ['PATCH', '/categories/cat_00000000000000000000000000'], ['DELETE', '/categories/cat_00000000000000000000000000'],
  ['GET', '/products'], ['POST', '/products'], ['GET', '/products/prod_00000000000000000000000000'],
  ['PATCH', '/products/prod_00000000000000000000000000'], ['DELETE', '/products/prod_00000000000000000000000000'],
];
const bodyFor = (method) => (['POST', 'PATCH'].includes(method) ? { name: 'x', description: 'x', price: 1 } : undefined);

test('every admin catalog route answers 401 without a token', async () => {
  for (const [method, reqPath] of ROUTES) {
    const res = await api(server, method, `${P}/admin${reqPath}`, { body: bodyFor(method) });
    assertProblem(res, 401, 'unauthenticated');
  }
  assert.equal((await admin('GET', '/products?include_inactive=true')).body.count, 0, 'nothing was created');
});

test('every admin catalog route answers 403 to a customer, and nothing is written', async () => {
  for (const [method, reqPath] of ROUTES) {
    const res = await api(server, method, `${P}/admin${reqPath}`, { headers: customerHeaders, body: bodyFor(method) });
    assertProblem(res, 403, 'forbidden');
  }
  assert.equal((await admin('GET', '/products?include_inactive=true')).body.count, 0);
  assert.equal((await admin('GET', '/categories')).body.categories.length, 0);
});

test('admin answers are never cacheable', async () => {
  const res = await admin('GET', '/products');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('etag'), null);
});

// ---- categories ---------------------------------------------------------------------------------------

test('POST /admin/categories creates a category with a slug derived from the name and a Location', async () => {
  const res = await admin('POST', '/categories', { name: `  Kitchen & Dining ${run}  `, description: 'Plates.' });
  assert.equal(res.status, 201, res.text);
  const c = res.body.category;
  assert.equal(c.name, `Kitchen & Dining ${run}`, 'the name is trimmed');
  assert.equal(c.slug, `kitchen-dining-${run}`);
  assert.equal(c.description, 'Plates.');
  assert.equal(c.parent_id, null);
  assert.equal(c.position, 0);
  assert.equal(res.headers.get('location'), `/api/v1/admin/categories/${c.id}`);
  const got = await admin('GET', `/categories/${c.id}`);
  assert.deepEqual(got.body.category, c);
  assert.ok((await admin('GET', '/categories')).body.categories.some((x) => x.id === c.id));
});

test('slugs are derived as lower-case ASCII: accents folded, other runs one hyphen, trimmed', async () => {
  const cases = [
    [`Café Crème ${run}`, `cafe-creme-${run}`],
    [`--Über  Größe!!! ${run}--`, `uber-grosse-${run}`],
    [`Ten/Twenty_Thirty ${run}`, `ten-twenty-thirty-${run}`],
  ];
  for (const [name, slug] of cases) {
    const res = await admin('POST', '/categories', { name });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.category.slug, slug);
  }
  const long = await admin('POST', '/products', { name: `${'word '.repeat(38)}${run}`, description: '', price: 1 });
  assert.equal(long.status, 201, long.text);
  assert.ok(long.body.product.slug.length <= 100);
  assert.match(long.body.product.slug, /^word(-word)*$/, 'cut at a word boundary');
});

test('a name with nothing to derive a slug from needs an explicit slug', async () => {
  assertInvalid(await admin('POST', '/categories', { name: '日本の茶' }), [['slug', 'required']]);
  const res = await admin('POST', '/categories', { name: '日本の茶', slug: `japanese-tea-${run}` });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.category.name, '日本の茶');
});

test('a slug in use gets 409 slug_taken naming slug, for derived and given slugs', async () => {
  const c = await newCategory();
  const again = await admin('POST', '/categories', { name: c.name });
  const body = assertProblem(again, 409, 'slug_taken');
  assert.deepEqual(body.errors.map((e) => e.field), ['slug']);
  assertProblem(await admin('POST', '/categories', { name: 'Other', slug: c.slug }), 409, 'slug_taken');
  const other = await newCategory();
  assertProblem(await admin('PATCH', `/categories/${other.id}`, { slug: c.slug }), 409, 'slug_taken');
  assert.equal((await admin('GET', `/categories/${other.id}`)).body.category.slug, other.slug);
});

test('category fields are validated all at once', async () => {
  const res = await admin('POST', '/categories', { name: '', slug: 'Bad Slug', description: 42, parent_id: 'nope', position: 1.5 });
  assertInvalid(res, [['name', 'invalid_name'], ['slug', 'invalid_slug'], ['description', 'not_a_string'], ['parent_id', 'invalid_id'], ['position', 'not_an_integer']]);
  assertInvalid(await admin('POST', '/categories', {}), [['name', 'required']]);
  assertInvalid(await admin('POST', '/categories', { name: 'x', position: 1e7 }), [['position', 'out_of_range']]);
  assertInvalid(await admin('POST', '/categories', { name: 'x', description: 'a'.repeat(10001) }), [['description', 'too_long']]);
});

test('a negative position within -1000000..1000000 is stored on create and update (it was refused as a parent race)', async () => {
  const res = await admin('POST', '/categories', { name: unique('Negative'), position: -5 });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.category.position, -5);
  const low = await admin('PATCH', `/categories/${res.body.category.id}`, { position: -1000000 });
  assert.equal(low.status, 200, low.text);
  assert.equal(low.body.category.position, -1000000);
  assertInvalid(await admin('PATCH', `/categories/${res.body.category.id}`, { position: -1000001 }), [['position', 'out_of_range']]);
  assert.equal((await admin('GET', `/categories/${res.body.category.id}`)).body.category.position, -1000000);
});

test('a parent must exist and be top-level; a category with children cannot get a parent', async () => {
  const top = await newCategory();
  const child = await newCategory({ parent_id: top.id });
  assert.equal(child.parent_id, top.id);
  assertInvalid(await admin('POST', '/categories', { name: 'x', parent_id: 'cat_00000000000000000000000000' }), [['parent_id', 'not_found']]);
  assertInvalid(await admin('POST', '/categories', { name: 'x', parent_id: child.id }), [['parent_id', 'not_top_level']]);
  const other = await newCategory();
  assertInvalid(await admin('PATCH', `/categories/${top.id}`, { parent_id: other.id }), [['parent_id', 'has_children']]);
  assertInvalid(await admin('PATCH', `/categories/${other.id}`, { parent_id: other.id }), [['parent_id', 'invalid_parent']]);
  const moved = await admin('PATCH', `/categories/${child.id}`, { parent_id: null });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.category.parent_id, null);
});

test('PATCH /admin/categories/{id} changes the given fields and keeps the slug', async () => {
  const c = await newCategory({ description: 'Old.' });
  const res = await admin('PATCH', `/categories/${c.id}`, { name: 'Renamed', position: 5 });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.category.name, 'Renamed');
  assert.equal(res.body.category.position, 5);
  assert.equal(res.body.category.slug, c.slug);
  assert.equal(res.body.category.description, 'Old.');
  const same = await admin('PATCH', `/categories/${c.id}`, {});
  assert.equal(same.status, 200);
  assert.equal(same.body.category.name, 'Renamed');
});

test('category writes refuse fields off the allow-list and change nothing', async () => {
  const c = await newCategory();
  const res = await admin('PATCH', `/categories/${c.id}`, { name: 'Changed', id: 'cat_x', price: 1, stock: 5, created_at: '2000-01-01T00:00:00Z' });
  assertInvalid(res, [['id', 'unknown_field'], ['price', 'unknown_field'], ['stock', 'unknown_field'], ['created_at', 'unknown_field']]);
  assert.equal((await admin('GET', `/categories/${c.id}`)).body.category.name, c.name);
  assertInvalid(await admin('POST', '/categories', { name: 'New', role: 'admin' }), [['role', 'unknown_field']]);
});

test('unknown or malformed category ids get 404', async () => {
  for (const id of ['cat_00000000000000000000000000', 'nope', 'prod_00000000000000000000000000']) {
    assertProblem(await admin('GET', `/categories/${id}`), 404, 'not_found');
    assertProblem(await admin('PATCH', `/categories/${id}`, { name: 'x' }), 404, 'not_found');
    assertProblem(await admin('DELETE', `/categories/${id}`), 404, 'not_found');
  }
});

test('deleting a category in use gets 409 category_in_use with the products and children counts', async () => {
  const top = await newCategory();
  await newCategory({ parent_id: top.id });
  await newProduct({ category_ids: [top.id] });
  await newProduct({ category_ids: [top.id], active: false });
  const res = await admin('DELETE', `/categories/${top.id}`);
  const body = assertProblem(res, 409, 'category_in_use');
  assert.equal(body.products, 2);
  assert.equal(body.children, 1);
  assert.equal((await admin('GET', `/categories/${top.id}`)).status, 200, 'nothing was deleted');
});

test('an unused category is deleted: 204, then 404', async () => {
  const c = await newCategory();
  const res = await admin('DELETE', `/categories/${c.id}`);
  assert.equal(res.status, 204);
  assert.equal(res.text, '');
  assertProblem(await admin('GET', `/categories/${c.id}`), 404, 'not_found');
  assertProblem(await admin('DELETE', `/categories/${c.id}`), 404, 'not_found');
});

// ---- products -----------------------------------------------------------------------------------------

test('POST /admin/products creates a product with every writable field and a Location', async () => {
  const c = await newCategory();
  const body = {
    name: unique('Linen Apron'), slug: `linen-apron-${run}`, description: 'Washed linen.\nTwo pockets.', price: 3200,
    currency: 'EUR', compare_at_price: 3900, sku: `APR-${run}`, stock: 12, active: true, category_ids: [c.id],
  };
  const res = await admin('POST', '/products', body);
  assert.equal(res.status, 201, res.text);
  const p = res.body.product;
  assert.match(p.id, /^prod_[0-9a-z]{26}$/);
  for (const k of Object.keys(body)) assert.deepEqual(p[k], body[k], k);
  assert.deepEqual(p.images, []);
  assert.equal(res.headers.get('location'), `/api/v1/admin/products/${p.id}`);
  assert.deepEqual((await admin('GET', `/products/${p.id}`)).body.product, p);
});

test('product defaults: currency from the shop, derived slug, stock 0, active, no sku or categories', async () => {
  const name = unique('Plain Tote');
  const p = await newProduct({ name });
  assert.equal(p.currency, 'EUR');
  assert.equal(p.slug, name.toLowerCase().replace(/ /g, '-'));
  assert.equal(p.stock, 0);
  assert.equal(p.active, true);
  assert.equal(p.sku, null);
  assert.equal(p.compare_at_price, null);
  assert.deepEqual(p.category_ids, []);
});

test('a currency other than the shop\'s is refused', async () => {
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: 1, currency: 'USD' }), [['currency', 'currency_mismatch']]);
});

test('product validation names every bad field at once; money is whole minor units only', async () => {
  const res = await admin('POST', '/products', {
    name: 'bad\u0001name', slug: '-x-', description: 'tab\tok but bell \u0007 not', price: 12.5, compare_at_price: '30',
    sku: 'has space', stock: -1, active: 'yes', category_ids: ['cat_00000000000000000000000000'],
  });
  assertInvalid(res, [['name', 'invalid_name'], ['slug', 'invalid_slug'], ['description', 'invalid_character'], ['price', 'not_an_integer'],
    ['compare_at_price', 'not_an_integer'], ['sku', 'invalid_sku'], ['stock', 'out_of_range'], ['active', 'not_a_boolean'],
    ['category_ids', 'not_found']]);
  assertInvalid(await admin('POST', '/products', {}), [['name', 'required'], ['description', 'required'], ['price', 'required']]);
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: -1 }), [['price', 'out_of_range']]);
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: '12.50' }), [['price', 'not_an_integer']]);
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: 1e16 }), [['price', 'out_of_range']]);
  assertInvalid(await admin('POST', '/products', { name: 'x', description: 'a'.repeat(10001), price: 1 }), [['description', 'too_long']]);
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: 1, category_ids: 'cat' }), [['category_ids', 'not_an_array']]);
  const c = await newCategory();
  assertInvalid(await admin('POST', '/products', { name: 'x', description: '', price: 1, category_ids: [c.id, c.id] }), [['category_ids', 'duplicate']]);
  assert.equal((await admin('GET', '/products?include_inactive=true&q=bad')).body.count, 0, 'nothing was created');
});

test('a description is plain text: markup is stored and returned exactly as sent', async () => {
  const description = '<script>alert("x")</script> & <b>bold</b> &amp; \u00e9\n\ttabbed';
  const p = await newProduct({ description });
  assert.equal(p.description, description);
  assert.equal((await pub(`/products/${p.id}`)).body.product.description, description);
  assert.equal((await admin('POST', '/products', { name: 'x', description: 'a'.repeat(10000), price: 1 })).status, 201, '10000 bytes are fine');
});

test('product writes refuse fields off the allow-list (no mass assignment) and change nothing', async () => {
  const created = await admin('POST', '/products', { name: 'x', description: '', price: 1, id: 'prod_x', role: 'admin', images: [], created_at: 'x' });
  assertInvalid(created, [['id', 'unknown_field'], ['role', 'unknown_field'], ['images', 'unknown_field'], ['created_at', 'unknown_field']]);
  const p = await newProduct({ price: 500, stock: 3 });
  for (const extra of [{ currency: 'EUR' }, { role: 'admin' }, { Price: 1 }, { stock_level: 999 }, { status: 'paid' }, { updated_at: 'x' }]) {
    const res = await admin('PATCH', `/products/${p.id}`, { price: 1, stock: 999, ...extra });
    assertInvalid(res, [[Object.keys(extra)[0], 'unknown_field']]);
  }
  assert.deepEqual((await admin('GET', `/products/${p.id}`)).body.product, p, 'nothing was half-written');
});

test('PATCH /admin/products/{id} changes only the given fields', async () => {
  const c1 = await newCategory();
  const c2 = await newCategory();
  const p = await newProduct({ sku: `SKU-${run}-${seq}`, compare_at_price: 2000, stock: 4, category_ids: [c1.id] });
  const res = await admin('PATCH', `/products/${p.id}`, { price: 1500 });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual({ ...res.body.product, updated_at: p.updated_at }, { ...p, price: 1500 });
  const cleared = await admin('PATCH', `/products/${p.id}`, { sku: null, compare_at_price: null, category_ids: [c2.id], stock: 0, active: false });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.body.product.sku, null);
  assert.equal(cleared.body.product.compare_at_price, null);
  assert.deepEqual(cleared.body.product.category_ids, [c2.id], 'category_ids replaces the set');
  assert.equal(cleared.body.product.stock, 0);
  assert.equal(cleared.body.product.active, false);
  assert.equal(cleared.body.product.slug, p.slug, 'the slug is kept');
  const none = await admin('PATCH', `/products/${p.id}`, {});
  assert.equal(none.status, 200);
  assert.deepEqual(none.body.product, cleared.body.product);
});

test('PATCH refuses nulls for required fields and bad values, changing nothing', async () => {
  const p = await newProduct();
  assertInvalid(await admin('PATCH', `/products/${p.id}`, { name: null, price: null, slug: null, stock: 1.5 }),
    [['name', 'required'], ['price', 'not_an_integer'], ['slug', 'required'], ['stock', 'not_an_integer']]);
  assert.deepEqual((await admin('GET', `/products/${p.id}`)).body.product, p);
});

test('product slug and sku conflicts get 409 naming the field', async () => {
  const a = await newProduct({ sku: `DUP-${run}` });
  const slugClash = await admin('POST', '/products', { name: a.name, description: '', price: 1 });
  assert.deepEqual(assertProblem(slugClash, 409, 'slug_taken').errors.map((e) => e.field), ['slug']);
  const skuClash = await admin('POST', '/products', { name: unique('Other'), description: '', price: 1, sku: `DUP-${run}` });
  assert.deepEqual(assertProblem(skuClash, 409, 'sku_taken').errors.map((e) => e.field), ['sku']);
  const b = await newProduct();
  assertProblem(await admin('PATCH', `/products/${b.id}`, { slug: a.slug }), 409, 'slug_taken');
  assertProblem(await admin('PATCH', `/products/${b.id}`, { sku: `DUP-${run}` }), 409, 'sku_taken');
  const own = await admin('PATCH', `/products/${a.id}`, { slug: a.slug, sku: `DUP-${run}` });
  assert.equal(own.status, 200, 'its own slug and sku are no conflict');
});

test('unknown or malformed product ids get 404', async () => {
  for (const id of ['prod_00000000000000000000000000', 'nope', 'cat_00000000000000000000000000']) {
    assertProblem(await admin('GET', `/products/${id}`), 404, 'not_found');
    assertProblem(await admin('PATCH', `/products/${id}`, { price: 1 }), 404, 'not_found');
    assertProblem(await admin('DELETE', `/products/${id}`), 404, 'not_found');
  }
});

test('DELETE /admin/products/{id} deletes the product and its image files', async () => {
  const p = await newProduct();
  const up = await api(server, 'POST', `${P}/admin/products/${p.id}/images`, {
    headers: { ...adminHeaders, 'content-type': 'image/png' }, body: PNG_1X1, raw: true, validate: false,
  });
  assert.equal(up.status, 201, up.text);
  const dir = path.join(server.dataDir, 'images');
  const files = fs.readdirSync(dir);
  const withImage = (await admin('GET', `/products/${p.id}`)).body.product;
  assert.equal(withImage.images.length, 1);
  const file = withImage.images[0].url.split('/').pop();
  assert.ok(files.includes(file), `${file} is on disk`);
  const res = await admin('DELETE', `/products/${p.id}`);
  assert.equal(res.status, 204);
  assert.ok(!fs.readdirSync(dir).includes(file), 'the image file is gone');
  assertProblem(await admin('GET', `/products/${p.id}`), 404, 'not_found');
  assertProblem(await pub(`/products/${p.id}`), 404, 'not_found');
});

// ---- the admin listing --------------------------------------------------------------------------------

test('GET /admin/products shows stock, sku and active; include_inactive adds inactive products', async () => {
  const tag = `zebra${run}`;
  const on = await newProduct({ name: unique(`Active ${tag}`), stock: 8, sku: `ON-${run}` });
  const off = await newProduct({ name: unique(`Inactive ${tag}`), stock: 2, active: false });
  const list = await admin('GET', `/products?q=${tag}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.products.map((p) => p.id), [on.id]);
  assert.equal(list.body.products[0].stock, 8);
  assert.equal(list.body.products[0].sku, `ON-${run}`);
  const all = await admin('GET', `/products?q=${tag}&include_inactive=true&sort=name`);
  assert.deepEqual(all.body.products.map((p) => p.id), [on.id, off.id]);
  assert.equal(all.body.count, 2);
  assert.equal(all.body.products[1].active, false);
  assert.deepEqual(all.body.products[1], (await admin('GET', `/products/${off.id}`)).body.product);
  assert.equal((await admin('GET', `/products?q=${tag}&include_inactive=false`)).body.count, 1);
});

test('low_stock=N lists products with at most N in stock', async () => {
  const c = await newCategory();
  const few = await newProduct({ stock: 2, category_ids: [c.id] });
  const none = await newProduct({ stock: 0, category_ids: [c.id] });
  await newProduct({ stock: 50, category_ids: [c.id] });
  const res = await admin('GET', `/products?category=${c.slug}&low_stock=2&sort=name`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.products.map((p) => p.id).sort(), [few.id, none.id].sort());
  assert.equal((await admin('GET', `/products?category=${c.slug}&low_stock=0`)).body.products[0].id, none.id);
});

test('admin listing parameters are validated like the public ones', async () => {
  assertInvalid(await admin('GET', '/products?low_stock=-1'), [['low_stock', 'out_of_range']]);
  assertInvalid(await admin('GET', '/products?low_stock=few'), [['low_stock', 'not_an_integer']]);
  assertInvalid(await admin('GET', '/products?include_inactive=maybe'), [['include_inactive', 'invalid']]);
  assertInvalid(await admin('GET', '/products?sort=stock&limit=500&role=admin'), [['sort', 'invalid'], ['limit', 'out_of_range'], ['role', 'unknown_parameter']]);
  assertInvalid(await admin('GET', '/products?category=no-such-category'), [['category', 'unknown_category']]);
  assertInvalid(await admin('GET', '/categories?all=1'), [['all', 'unknown_parameter']]);
});

test('GET /admin/categories lists every category flat, by position then name', async () => {
  const res = await admin('GET', '/categories');
  assert.equal(res.status, 200);
  const cats = res.body.categories;
  assert.ok(cats.length > 5);
  for (let i = 1; i < cats.length; i++) {
    const a = cats[i - 1];
    const b = cats[i];
    assert.ok(a.position < b.position || (a.position === b.position && a.name <= b.name), `${a.name} before ${b.name}`);
  }
  assert.ok(cats.some((c) => c.parent_id !== null), 'children are in the flat list');
});
