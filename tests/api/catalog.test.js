// The public catalog: the category tree, product search, filters, sorting and pages, the public
// view of a product (no stock levels, no inactive products), parameter validation naming each
// parameter, and the storefront cache: ETag/304, Cache-Control, and no stale answer after an
// admin write. Runs on the memory kv, and on Redis when MERCATO_TEST_REDIS_URL is set.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { REDIS_URL, api, assertProblem, sleep, startRedis, startServer } from './helpers.js';

const run = crypto.randomBytes(4).toString('hex');
const ADMIN = { email: `catalog-admin-${run}@example.com`, password: 'admin passphrase of some length' };
const P = '/api/v1';

/** A Redis database of this file's own, so cached catalogs of other test servers never mix. */
function redisDb(n) {
  if (!REDIS_URL) return undefined;
  const u = new URL(REDIS_URL);
  u.pathname = `/${n}`;
  return u.toString();
}

/** Starts a server with an admin and returns {server, admin(method, path, body)}. */
async function shop(db, args = [], redisUrl = redisDb(db)) {
  const server = await startServer({
    args, redisUrl, env: { MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password },
  });
  const login = await api(server, 'POST', `${P}/auth/login`, { body: { ...ADMIN, token_delivery: 'body' } });
  assert.equal(login.status, 200, login.text);
  const headers = { Authorization: `Bearer ${login.body.access_token}` };
  const admin = async (method, reqPath, body) => {
    const res = await api(server, method, `${P}/admin${reqPath}`, { headers, body });
    return res;
  };
  return { server, admin };
}

let server;
let admin;
const cat = {};
const prod = {};

/** Creates a product through the admin API (a little apart, so creation times differ). */
async function addProduct(key, body) {
  const res = await admin('POST', '/products', body);
  assert.equal(res.status, 201, res.text);
  prod[key] = res.body.product;
  await sleep(3);
  return res.body.product;
}

before(async () => {
  ({ server, admin } = await shop(7));
  const mk = async (key, body) => {
    const res = await admin('POST', '/categories', body);
    assert.equal(res.status, 201, res.text);
    cat[key] = res.body.category;
  };
  await mk('kitchen', { name: 'Kitchen', position: 1, description: 'For the table.' });
  await mk('garden', { name: 'Garden', position: 0 });
  await mk('books', { name: 'Books', position: 1 });
  await mk('mugs', { name: 'Mugs', parent_id: cat.kitchen.id, position: 2 });
  await mk('cups', { name: 'Cups', parent_id: cat.kitchen.id, position: 1 });
  await addProduct('mug', { name: 'Stoneware Mug', description: 'A hand-glazed mug for morning coffee.', price: 1800, stock: 40, sku: 'MUG-1', category_ids: [cat.mugs.id] });
  await addProduct('espresso', { name: 'Espresso Cup', description: 'Small and thick-walled.', price: 900, stock: 0, category_ids: [cat.cups.id] });
  await addProduct('trowel', { name: 'Garden Trowel', description: 'Forged steel, ash handle. A gift for gardeners.', price: 1500, stock: 3, category_ids: [cat.garden.id] });
  await addProduct('teapot', { name: 'Hidden Teapot', description: 'Not for sale yet.', price: 4000, stock: 10, active: false, category_ids: [cat.kitchen.id] });
  await addProduct('cookbook', { name: 'Cookbook', description: 'He said "hello" OR DROP TABLE products; -- NEAR(a b) * col:val', price: 2500, stock: 7, category_ids: [cat.books.id] });
  await addProduct('can', { name: 'Watering Can', description: 'Galvanised, ten litres. A gift that lasts.', price: 3000, compare_at_price: 3500, stock: 12, category_ids: [cat.garden.id] });
});

after(async () => { await server?.stop(); });

const get = (reqPath, headers = {}) => api(server, 'GET', `${P}${reqPath}`, { headers });
const names = (res) => res.body.products.map((p) => p.name);
const ACTIVE_NEWEST = ['Watering Can', 'Cookbook', 'Garden Trowel', 'Espresso Cup', 'Stoneware Mug'];

function assertInvalid(res, expected) {
  const body = assertProblem(res, 422, 'validation_failed');
  const got = (body.errors || []).map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(got, expected.map(([f, c]) => `${f}:${c}`).sort(), res.text);
  return body;
}

// ---- categories -------------------------------------------------------------------------------

test('GET /categories is a tree: top level by position then name, children nested and ordered', async () => {
  const res = await get('/categories');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.categories.map((c) => c.slug), ['garden', 'books', 'kitchen']);
  const kitchen = res.body.categories[2];
  assert.deepEqual(kitchen.children.map((c) => c.slug), ['cups', 'mugs']);
  assert.equal(kitchen.description, 'For the table.');
  assert.equal(kitchen.children[0].parent_id, cat.kitchen.id);
  assert.deepEqual(kitchen.children[0].children, []);
});

test('GET /categories/{slug} answers one category with its children; a subcategory has none', async () => {
  const res = await get('/categories/kitchen');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.category.id, cat.kitchen.id);
  assert.deepEqual(res.body.category.children.map((c) => c.slug), ['cups', 'mugs']);
  const child = await get('/categories/mugs');
  assert.equal(child.status, 200);
  assert.equal(child.body.category.parent_id, cat.kitchen.id);
  assert.deepEqual(child.body.category.children, []);
});

test('an unknown or malformed category slug gets 404', async () => {
  assertProblem(await get('/categories/no-such-thing'), 404, 'not_found');
  assertProblem(await get('/categories/Not_A_Slug'), 404, 'not_found');
});

// ---- products: the public view -----------------------------------------------------------------

test('GET /products lists active products newest first with count, limit and offset', async () => {
  const res = await get('/products');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(names(res), ACTIVE_NEWEST);
  assert.equal(res.body.count, 5);
  assert.equal(res.body.limit, 20);
  assert.equal(res.body.offset, 0);
});

test('an inactive product never shows publicly: not listed, not found by search, 404 by id and slug', async () => {
  assert.ok(!names(await get('/products?limit=100')).includes('Hidden Teapot'));
  const search = await get('/products?q=teapot');
  assert.equal(search.status, 200);
  assert.equal(search.body.count, 0);
  assert.ok(!names(await get('/products?category=kitchen')).includes('Hidden Teapot'));
  assertProblem(await get(`/products/${prod.teapot.id}`), 404, 'not_found');
  assertProblem(await get(`/products/${prod.teapot.slug}`), 404, 'not_found');
});

test('the public product shows in_stock and a low "only N left", never the stock level or active flag', async () => {
  const res = await get(`/products/${prod.trowel.id}`);
  assert.equal(res.status, 200, res.text);
  const p = res.body.product;
  assert.deepEqual(Object.keys(p).sort(), ['category_ids', 'compare_at_price', 'created_at', 'currency', 'description', 'id', 'images',
    'in_stock', 'name', 'only_left', 'price', 'sku', 'slug', 'updated_at']);
  assert.equal(p.in_stock, true);
  assert.equal(p.only_left, 3);
  assert.equal(p.price, 1500);
  assert.equal(p.currency, 'EUR');
  assert.deepEqual(p.category_ids, [cat.garden.id]);
  const mug = (await get(`/products/${prod.mug.id}`)).body.product;
  assert.equal(mug.in_stock, true);
  assert.equal(mug.only_left, null, 'plenty in stock: no number shown');
  assert.equal(mug.sku, 'MUG-1');
  const cup = (await get(`/products/${prod.espresso.id}`)).body.product;
  assert.equal(cup.in_stock, false);
  assert.equal(cup.only_left, null);
  const can = (await get(`/products/${prod.can.slug}`)).body.product;
  assert.equal(can.compare_at_price, 3500);
});

test('GET /products/{key} finds a product by id and by slug, with the same body and ETag', async () => {
  const byId = await get(`/products/${prod.mug.id}`);
  const bySlug = await get('/products/stoneware-mug');
  assert.equal(byId.status, 200);
  assert.equal(bySlug.status, 200);
  assert.equal(byId.text, bySlug.text);
  assert.equal(byId.headers.get('etag'), bySlug.headers.get('etag'));
  assertProblem(await get('/products/prod_00000000000000000000000000'), 404, 'not_found');
  assertProblem(await get('/products/no-such-product'), 404, 'not_found');
  assertProblem(await get('/products/..%2F..%2Fetc'), 404, 'not_found');
});

// ---- filters, sorting, pages ---------------------------------------------------------------------

test('min_price and max_price are inclusive bounds in minor units', async () => {
  assert.deepEqual(names(await get('/products?min_price=1500&max_price=2500&sort=price')), ['Garden Trowel', 'Stoneware Mug', 'Cookbook']);
  assert.deepEqual(names(await get('/products?min_price=3000')), ['Watering Can']);
  assert.deepEqual(names(await get('/products?max_price=900')), ['Espresso Cup']);
  assert.deepEqual(names(await get('/products?min_price=1500&max_price=1500')), ['Garden Trowel']);
});

test('in_stock=true leaves out what is sold out; in_stock=false filters nothing', async () => {
  const res = await get('/products?in_stock=true');
  assert.deepEqual(names(res), ACTIVE_NEWEST.filter((n) => n !== 'Espresso Cup'));
  assert.equal(res.body.count, 4);
  assert.deepEqual(names(await get('/products?in_stock=false')), ACTIVE_NEWEST);
});

test('category includes the products of its subcategories', async () => {
  const res = await get('/products?category=kitchen&sort=name');
  assert.deepEqual(names(res), ['Espresso Cup', 'Stoneware Mug']);
  assert.equal(res.body.count, 2);
  assert.deepEqual(names(await get('/products?category=mugs')), ['Stoneware Mug']);
  assert.deepEqual(names(await get('/products?category=garden&sort=price')), ['Garden Trowel', 'Watering Can']);
});

test('filters combine', async () => {
  const res = await get('/products?category=kitchen&in_stock=true&max_price=2000');
  assert.deepEqual(names(res), ['Stoneware Mug']);
});

test('sort orders by price, -price, name and -created_at', async () => {
  assert.deepEqual(names(await get('/products?sort=price')), ['Espresso Cup', 'Garden Trowel', 'Stoneware Mug', 'Cookbook', 'Watering Can']);
  assert.deepEqual(names(await get('/products?sort=-price')), ['Watering Can', 'Cookbook', 'Stoneware Mug', 'Garden Trowel', 'Espresso Cup']);
  assert.deepEqual(names(await get('/products?sort=name')), ['Cookbook', 'Espresso Cup', 'Garden Trowel', 'Stoneware Mug', 'Watering Can']);
  assert.deepEqual(names(await get('/products?sort=-created_at')), ACTIVE_NEWEST);
});

test('limit and offset page through the matches; count stays the total', async () => {
  const first = await get('/products?sort=price&limit=2');
  assert.deepEqual(names(first), ['Espresso Cup', 'Garden Trowel']);
  assert.deepEqual([first.body.count, first.body.limit, first.body.offset], [5, 2, 0]);
  const second = await get('/products?sort=price&limit=2&offset=2');
  assert.deepEqual(names(second), ['Stoneware Mug', 'Cookbook']);
  const last = await get('/products?sort=price&limit=2&offset=4');
  assert.deepEqual(names(last), ['Watering Can']);
  const beyond = await get('/products?sort=price&limit=2&offset=10000');
  assert.deepEqual(beyond.body.products, []);
  assert.equal(beyond.body.count, 5);
  assert.equal((await get('/products?limit=100')).body.limit, 100);
});

// ---- search ----------------------------------------------------------------------------------------

test('q searches names and descriptions', async () => {
  assert.deepEqual(names(await get('/products?q=trowel')), ['Garden Trowel']);
  assert.deepEqual(names(await get('/products?q=coffee')), ['Stoneware Mug'], 'a description word');
  assert.deepEqual(names(await get('/products?q=GALVANISED')), ['Watering Can'], 'any letter case');
  assert.equal((await get('/products?q=nothing-like-this-anywhere')).body.count, 0);
});

test('q with several words, spaces and + encodings means the same search', async () => {
  const a = await get('/products?q=garden%20trowel');
  const b = await get('/products?q=++garden+++trowel+');
  assert.deepEqual(names(a), ['Garden Trowel']);
  assert.equal(a.text, b.text);
});

test('q with quotes, SQL or FTS syntax is searched as text, never run as query syntax', async () => {
  const nasty = ['"hello"', '"unbalanced', "'; DROP TABLE products; --", 'NEAR(a b)', '*', 'col:val', 'mug OR trowel',
    'NOT mug', 'AND', '(', ')', '^mug', 'mug*', '{name}: mug', '%', '_', '\\', "' OR '1'='1", 'hello"world'];
  for (const q of nasty) {
    const res = await get(`/products?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, `q=${q}: ${res.text}`);
    assert.ok(!names(res).includes('Hidden Teapot'));
  }
  assert.deepEqual(names(await get(`/products?q=${encodeURIComponent('"hello"')}`)), ['Cookbook'], 'quotes are text');
  assert.deepEqual(names(await get(`/products?q=${encodeURIComponent('DROP TABLE')}`)), ['Cookbook']);
  const or = names(await get(`/products?q=${encodeURIComponent('mug OR trowel')}`));
  assert.ok(!(or.includes('Stoneware Mug') && or.includes('Garden Trowel')), `OR is not an operator: ${or}`);
  assert.equal((await get(`/products?q=${encodeURIComponent('col:val')}`)).status, 200);
  assert.equal((await get('/products')).body.count, 5, 'the catalog is intact');
});

test('with q and no sort the best match comes first; an explicit sort still applies', async () => {
  const res = await get('/products?q=mug');
  assert.equal(res.status, 200);
  assert.equal(res.body.products[0].name, 'Stoneware Mug');
  assert.equal((await get('/products?q=mug&sort=relevance')).status, 200);
  assert.deepEqual(names(await get('/products?q=gift&sort=-price')), ['Watering Can', 'Garden Trowel']);
  assert.deepEqual(names(await get('/products?q=gift&sort=price')), ['Garden Trowel', 'Watering Can']);
  const paged = await get('/products?q=gift&sort=price&limit=1&offset=1');
  assert.deepEqual(names(paged), ['Watering Can']);
  assert.equal(paged.body.count, 2);
});

// ---- validation -------------------------------------------------------------------------------------

test('every bad listing parameter gets 422 naming it', async () => {
  const cases = [
    ['sort=cheapest', 'sort', 'invalid'],
    ['sort=relevance', 'sort', 'requires_q'],
    ['min_price=abc', 'min_price', 'not_an_integer'],
    ['min_price=12.50', 'min_price', 'not_an_integer'],
    ['min_price=-1', 'min_price', 'out_of_range'],
    ['max_price=', 'max_price', 'not_an_integer'],
    ['max_price=1e3', 'max_price', 'not_an_integer'],
    ['max_price=99999999999999999999999', 'max_price', 'out_of_range'],
    ['min_price=500&max_price=100', 'min_price', 'greater_than_max_price'],
    ['limit=0', 'limit', 'out_of_range'],
    ['limit=101', 'limit', 'out_of_range'],
    ['limit=ten', 'limit', 'not_an_integer'],
    ['offset=-1', 'offset', 'out_of_range'],
    ['offset=10001', 'offset', 'out_of_range'],
    ['offset=1000000000000', 'offset', 'out_of_range'],
    ['in_stock=yes', 'in_stock', 'invalid'],
    ['in_stock=1', 'in_stock', 'invalid'],
    ['category=Not%20A%20Slug', 'category', 'invalid'],
    ['category=no-such-category', 'category', 'unknown_category'],
    ['colour=red', 'colour', 'unknown_parameter'],
    ['include_inactive=true', 'include_inactive', 'unknown_parameter'],
    ['low_stock=5', 'low_stock', 'unknown_parameter'],
    ['limit=5&limit=6', 'limit', 'repeated'],
    [`q=${'a'.repeat(201)}`, 'q', 'too_long'],
    ['q=%FF%FE', 'q', 'invalid'],
    ['q=abc%01', 'q', 'invalid'],
    ['q=%ZZ', 'q', 'malformed'],
  ];
  for (const [query, field, code] of cases) {
    const res = await get(`/products?${query}`);
    assertInvalid(res, [[field, code]]);
  }
});

test('validation collects every problem at once', async () => {
  const res = await get('/products?sort=up&limit=0&offset=-5&min_price=x&debug=1');
  assertInvalid(res, [['sort', 'invalid'], ['limit', 'out_of_range'], ['offset', 'out_of_range'], ['min_price', 'not_an_integer'], ['debug', 'unknown_parameter']]);
});

test('routes without parameters refuse any query parameter', async () => {
  assertInvalid(await get('/categories?x=1'), [['x', 'unknown_parameter']]);
  assertInvalid(await get(`/products/${prod.mug.id}?fields=all`), [['fields', 'unknown_parameter']]);
  assertInvalid(await get('/categories/kitchen?x=1'), [['x', 'unknown_parameter']]);
});

test('an empty query string and empty pairs are no parameters at all', async () => {
  assert.deepEqual(names(await get('/products?')), ACTIVE_NEWEST);
  assert.deepEqual(names(await get('/products?&&limit=2&')), ACTIVE_NEWEST.slice(0, 2));
  assert.equal((await get('/categories?')).status, 200);
});

// ---- caching headers -----------------------------------------------------------------------------

test('public catalog answers carry Cache-Control: public, max-age=60 and a strong ETag', async () => {
  for (const reqPath of ['/products', '/products?q=mug', `/products/${prod.mug.id}`, '/categories', '/categories/kitchen']) {
    const res = await get(reqPath);
    assert.equal(res.status, 200, reqPath);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=60', reqPath);
    assert.match(res.headers.get('etag') || '', /^"[0-9a-f]{16}"$/, reqPath);
  }
});

test('errors on public catalog routes are not cacheable', async () => {
  const missing = await get('/products/no-such-product');
  assert.equal(missing.headers.get('cache-control'), 'no-store');
  assert.equal(missing.headers.get('etag'), null);
  const invalid = await get('/products?limit=0');
  assert.equal(invalid.headers.get('cache-control'), 'no-store');
});

test('If-None-Match with the current ETag gets 304 without a body; another tag gets 200', async () => {
  for (const reqPath of ['/products?sort=price', `/products/${prod.can.id}`, '/categories']) {
    const first = await get(reqPath);
    const etag = first.headers.get('etag');
    const again = await get(reqPath, { 'If-None-Match': etag });
    assert.equal(again.status, 304, reqPath);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.headers.get('cache-control'), 'public, max-age=60');
    assert.equal((await get(reqPath, { 'If-None-Match': `W/${etag}` })).status, 304, 'weak comparison');
    assert.equal((await get(reqPath, { 'If-None-Match': `"0000000000000000", ${etag}` })).status, 304, 'a list');
    assert.equal((await get(reqPath, { 'If-None-Match': '*' })).status, 304);
    const other = await get(reqPath, { 'If-None-Match': '"0000000000000000"' });
    assert.equal(other.status, 200);
    assert.equal(other.text, first.text);
  }
});

test('the same query spelled differently gets the same answer and ETag', async () => {
  const a = await get('/products?limit=3&sort=price&in_stock=true');
  const b = await get('/products?in_stock=true&sort=price&limit=3&offset=0');
  assert.equal(a.status, 200);
  assert.equal(a.text, b.text);
  assert.equal(a.headers.get('etag'), b.headers.get('etag'));
});

// ---- no stale cache ---------------------------------------------------------------------------------

test('an admin change shows in the very next public GET of the list and of the product', async () => {
  const p = await addProduct('lamp', { name: 'Desk Lamp', description: 'Warm light.', price: 4500, stock: 9 });
  const before1 = await get('/products?sort=price');
  const one = await get(`/products/${p.id}`);
  const bySlug = await get('/products/desk-lamp');
  assert.equal(one.body.product.price, 4500);
  assert.equal(bySlug.body.product.price, 4500);
  // Warm the cache twice, then change the product.
  assert.equal((await get('/products?sort=price')).text, before1.text);
  const patch = await admin('PATCH', `/products/${p.id}`, { price: 100, name: 'Desk Lamp (sale)' });
  assert.equal(patch.status, 200, patch.text);
  const list = await get('/products?sort=price');
  assert.equal(list.body.products[0].name, 'Desk Lamp (sale)');
  assert.equal(list.body.products[0].price, 100);
  assert.notEqual(list.headers.get('etag'), before1.headers.get('etag'));
  assert.equal((await get(`/products/${p.id}`)).body.product.price, 100);
  assert.equal((await get('/products/desk-lamp')).body.product.price, 100);
  // The old ETag no longer matches.
  assert.equal((await get(`/products/${p.id}`, { 'If-None-Match': one.headers.get('etag') })).status, 200);
  assert.equal((await admin('DELETE', `/products/${p.id}`)).status, 204);
});

test('deactivating, reactivating and deleting a product take effect at once', async () => {
  const p = await addProduct('vase', { name: 'Glass Vase', description: 'Blown glass.', price: 2200, stock: 2 });
  assert.ok(names(await get('/products?limit=100')).includes('Glass Vase'));
  assert.equal((await get(`/products/${p.slug}`)).status, 200);
  assert.equal((await admin('PATCH', `/products/${p.id}`, { active: false })).status, 200);
  assert.ok(!names(await get('/products?limit=100')).includes('Glass Vase'));
  assertProblem(await get(`/products/${p.slug}`), 404, 'not_found');
  assert.equal((await admin('PATCH', `/products/${p.id}`, { active: true })).status, 200);
  assert.equal((await get(`/products/${p.slug}`)).status, 200);
  assert.equal((await admin('DELETE', `/products/${p.id}`)).status, 204);
  assert.ok(!names(await get('/products?limit=100')).includes('Glass Vase'));
  assertProblem(await get(`/products/${p.id}`), 404, 'not_found');
});

test('stock changes show in in_stock at once', async () => {
  const p = await addProduct('kettle', { name: 'Kettle', description: 'Whistles.', price: 3900, stock: 1 });
  assert.ok(names(await get('/products?in_stock=true&limit=100')).includes('Kettle'));
  assert.equal((await get(`/products/${p.id}`)).body.product.only_left, 1);
  assert.equal((await admin('PATCH', `/products/${p.id}`, { stock: 0 })).status, 200);
  assert.ok(!names(await get('/products?in_stock=true&limit=100')).includes('Kettle'));
  assert.equal((await get(`/products/${p.id}`)).body.product.in_stock, false);
  assert.equal((await admin('DELETE', `/products/${p.id}`)).status, 204);
});

test('category writes show in the next tree and category filter', async () => {
  const tree = await get('/categories');
  const res = await admin('POST', '/categories', { name: 'Tea', parent_id: cat.kitchen.id, position: 0 });
  assert.equal(res.status, 201, res.text);
  const after1 = await get('/categories');
  assert.notEqual(after1.headers.get('etag'), tree.headers.get('etag'));
  assert.deepEqual(after1.body.categories.find((c) => c.slug === 'kitchen').children.map((c) => c.slug), ['tea', 'cups', 'mugs']);
  assert.equal((await get('/categories/tea')).status, 200);
  assert.equal((await admin('PATCH', `/categories/${res.body.category.id}`, { name: 'Tea & Infusions' })).status, 200);
  assert.equal((await get('/categories/tea')).body.category.name, 'Tea & Infusions');
  assert.equal((await admin('DELETE', `/categories/${res.body.category.id}`)).status, 204);
  assertProblem(await get('/categories/tea'), 404, 'not_found');
  assertInvalid(await get('/products?category=tea'), [['category', 'unknown_category']]);
});

test('with the cache turned off the catalog answers the same, fresh, with ETags', async () => {
  const other = await shop(8, ['--catalog-cache', '0']);
  try {
    const res = await other.admin('POST', '/products', { name: 'Plain Bowl', description: 'Bowl.', price: 700, stock: 5 });
    assert.equal(res.status, 201, res.text);
    const list = await api(other.server, 'GET', `${P}/products`);
    assert.deepEqual(list.body.products.map((p) => p.name), ['Plain Bowl']);
    assert.match(list.headers.get('etag') || '', /^"[0-9a-f]{16}"$/);
    assert.equal((await other.admin('PATCH', `/products/${res.body.product.id}`, { price: 650 })).status, 200);
    const again = await api(other.server, 'GET', `${P}/products/plain-bowl`);
    assert.equal(again.body.product.price, 650);
    const not = await api(other.server, 'GET', `${P}/products/plain-bowl`, { headers: { 'If-None-Match': again.headers.get('etag') } });
    assert.equal(not.status, 304);
  } finally {
    await other.server.stop();
  }
});

test('a kv outage never fails a catalog read: answers come from the store', async (t) => {
  const redis = await startRedis();
  if (!redis) {
    t.skip('redis-server is not installed');
    return;
  }
  let other;
  try {
    other = await shop(0, ['--redis-timeout-ms', '200'], redis.url);
    const res = await other.admin('POST', '/products', { name: 'Sturdy Crate', description: 'Oak.', price: 2100, stock: 4 });
    assert.equal(res.status, 201, res.text);
    const warm = await api(other.server, 'GET', `${P}/products`);
    assert.deepEqual(warm.body.products.map((p) => p.name), ['Sturdy Crate']);
    await redis.kill();
    const list = await api(other.server, 'GET', `${P}/products`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.text, warm.text);
    assert.equal(list.headers.get('etag'), warm.headers.get('etag'));
    const one = await api(other.server, 'GET', `${P}/products/sturdy-crate`);
    assert.equal(one.status, 200, one.text);
    assert.equal((await api(other.server, 'GET', `${P}/categories`)).status, 200);
    await redis.restart();
    const back = await api(other.server, 'GET', `${P}/products/sturdy-crate`);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.product.price, 2100);
  } finally {
    await other?.server.stop();
    await redis.stop();
  }
});
