// `mercato seed`: the demo shop (8 categories, 60 products, 58 of them active, each with one
// generated SVG image served with the image sandbox), --if-empty doing nothing on a catalog that
// has products, a refusal without it, synthetic benchmark products, and search over what was
// seeded. Runs on the memory kv, and on Redis when MERCATO_TEST_REDIS_URL is set (the seed
// commands then get the same --redis-url and --kv-prefix as the server, as an operator would
// pass them, so the server's cache hears of what they add).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { MERCATO_BIN, REDIS_URL, api, makeTempDir, rmTemp, runMercato, serverEnv, startServer } from './helpers.js';

const P = '/api/v1';
const ADMIN = { email: `seed-admin-${crypto.randomBytes(4).toString('hex')}@example.com`, password: 'admin passphrase for the seed' };
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const DEMO_PRODUCTS = 60;
const DEMO_INACTIVE = 2;

const redisUrl = REDIS_URL;
/** With Redis, a key space of this file's own, shared by its server and its seed commands. */
const kvArgs = redisUrl ? ['--redis-url', redisUrl, '--kv-prefix', `seed${crypto.randomBytes(4).toString('hex')}:`] : [];
let dataDir;
let server;
let adminHeaders;
let demo;

/** `mercato seed ARGS... --data-dir <the shop's>`, with the server's kv. */
function seed(...args) {
  return runMercato(['seed', ...args, '--data-dir', dataDir, ...kvArgs],
    { cwd: dataDir, timeout: 120_000 });
}

const admin = (reqPath) => api(server, 'GET', `${P}/admin${reqPath}`, { headers: adminHeaders });
const pub = (reqPath) => api(server, 'GET', `${P}${reqPath}`);

/** Every product, inactive ones included, page by page through the admin listing. */
async function allProducts() {
  const out = [];
  for (let offset = 0; ; offset += 100) {
    const res = await admin(`/products?include_inactive=true&limit=100&offset=${offset}`);
    assert.equal(res.status, 200, res.text);
    out.push(...res.body.products);
    if (out.length >= res.body.count) return out;
  }
}

before(async () => {
  dataDir = makeTempDir('mercato-seed-');
  demo = seed('--demo');
  const created = spawnSync(MERCATO_BIN, ['admin', 'create', '--email', ADMIN.email, '--data-dir', dataDir], {
    cwd: dataDir, env: serverEnv(), input: `${ADMIN.password}\n`, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL',
  });
  assert.equal(created.status, 0, created.stderr);
  server = await startServer({ dataDir, redisUrl: false, args: kvArgs });
  const login = await api(server, 'POST', `${P}/auth/login`, { body: { ...ADMIN, token_delivery: 'body' } });
  assert.equal(login.status, 200, login.text);
  adminHeaders = { Authorization: `Bearer ${login.body.access_token}` };
});

after(async () => {
  await server?.stop();
  rmTemp(dataDir);
});

// ---- the demo shop ----------------------------------------------------------------------------

test('seed --demo on an empty data dir exits 0 and prints a one-line summary', () => {
  assert.equal(demo.code, 0, demo.stderr);
  const lines = demo.stdout.trim().split('\n');
  assert.equal(lines.length, 1, demo.stdout);
  assert.match(lines[0], /8 categories, 60 products \(2 inactive\), 60 images/);
});

test('the category tree holds the 8 demo categories, some with one level of children', async () => {
  const res = await pub('/categories');
  assert.equal(res.status, 200, res.text);
  const top = res.body.categories;
  const all = top.flatMap((c) => [c, ...c.children]);
  assert.equal(all.length, 8, JSON.stringify(top));
  assert.ok(top.some((c) => c.children.length > 0), 'some categories have children');
  for (const c of top) for (const child of c.children) assert.deepEqual(child.children ?? [], [], 'one level only');
  const kitchen = top.find((c) => c.slug === 'kitchen');
  assert.ok(kitchen, 'Kitchen is a top-level category');
  assert.deepEqual(kitchen.children.map((c) => c.name), ['Coffee & Tea']);
});

test('60 products in all (admin listing), 58 of them active in the public listing', async () => {
  const adminList = await admin('/products?include_inactive=true&limit=100');
  assert.equal(adminList.body.count, DEMO_PRODUCTS);
  assert.equal(adminList.body.products.filter((p) => !p.active).length, DEMO_INACTIVE);
  const publicList = await pub('/products?limit=100');
  assert.equal(publicList.status, 200, publicList.text);
  assert.equal(publicList.body.count, DEMO_PRODUCTS - DEMO_INACTIVE);
  const inactive = new Set(adminList.body.products.filter((p) => !p.active).map((p) => p.id));
  assert.ok(publicList.body.products.every((p) => !inactive.has(p.id)), 'no inactive product is public');
});

test('the demo products look like a shop: prices, sales, stock levels, SKUs, categories, descriptions', async () => {
  const products = await allProducts();
  const categoryIds = new Set((await admin('/categories')).body.categories.map((c) => c.id));
  for (const p of products) {
    assert.equal(p.currency, 'EUR');
    assert.ok(Number.isInteger(p.price) && p.price >= 100 && p.price <= 100_000, `${p.name}: price ${p.price}`);
    if (p.compare_at_price !== null) assert.ok(p.compare_at_price > p.price, `${p.name}: a sale is cheaper`);
    assert.match(p.sku, /^[A-Z]{3}-\d{3}$/);
    assert.ok(p.category_ids.length >= 1 && p.category_ids.length <= 2, p.name);
    assert.ok(p.category_ids.every((id) => categoryIds.has(id)));
    const sentences = p.description.split(/(?<=\.)\s+/).filter(Boolean);
    assert.ok(sentences.length >= 1 && sentences.length <= 3, `${p.name}: ${p.description}`);
    assert.doesNotMatch(p.description, /[<>]/, 'plain text');
  }
  assert.equal(new Set(products.map((p) => p.sku)).size, products.length, 'SKUs are unique');
  assert.equal(new Set(products.map((p) => p.slug)).size, products.length, 'slugs are unique');
  assert.ok(products.filter((p) => p.compare_at_price !== null).length >= 5, 'some products are on sale');
  assert.ok(products.filter((p) => p.stock === 0).length >= 3, 'some are out of stock');
  assert.ok(products.filter((p) => p.stock >= 1 && p.stock <= 5).length >= 3, 'a few are low on stock');
  assert.ok(products.filter((p) => p.category_ids.length === 2).length >= 3, 'some are in two categories');
});

test('every demo product has exactly one SVG image, served as image/svg+xml with the image sandbox', async () => {
  const products = await allProducts();
  const files = fs.readdirSync(path.join(dataDir, 'images')).filter((f) => f.endsWith('.svg'));
  assert.equal(files.length, DEMO_PRODUCTS, 'one file per product, nothing else');
  for (const p of products) {
    assert.equal(p.images.length, 1, p.name);
    const [img] = p.images;
    assert.equal(img.content_type, 'image/svg+xml');
    assert.equal(img.width, 800);
    assert.equal(img.height, 800);
    assert.match(img.url, /^\/images\/img_[0-9a-z]{26}\.svg$/);
    const res = await fetch(server.base + img.url);
    const body = await res.text();
    assert.equal(res.status, 200, img.url);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    assert.equal(res.headers.get('content-security-policy'), IMAGE_CSP);
    assert.equal(Buffer.byteLength(body), img.bytes);
    assert.ok(img.bytes < 2048, `${p.name}: ${img.bytes} bytes`);
    assert.match(body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 800 800"/);
    const escaped = p.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    assert.ok(body.includes(`<title>${escaped}</title>`), `${p.name}: the title is the escaped name`);
    assert.doesNotMatch(body, /<script|on\w+=|href=/i, 'nothing active in a demo image');
  }
  const knife = products.find((p) => p.name === "Chef's Knife 20 cm");
  const svg = await (await fetch(server.base + knife.images[0].url)).text();
  assert.ok(svg.includes('Chef&#39;s Knife'), 'quotes in labels are escaped');
});

test('the public view of a demo product shows its image and no stock level', async () => {
  const res = await pub('/products/gooseneck-kettle-1-l');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.product.name, 'Gooseneck Kettle 1 L');
  assert.equal(res.body.product.images.length, 1);
  assert.equal(res.body.product.stock, undefined);
});

// ---- seeding again ----------------------------------------------------------------------------

test('seed --demo --if-empty on a catalog with products changes nothing and exits 0', async () => {
  const again = seed('--demo', '--if-empty');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already has 60 products; nothing seeded/);
  assert.equal((await admin('/products?include_inactive=true&limit=1')).body.count, DEMO_PRODUCTS);
  assert.equal(fs.readdirSync(path.join(dataDir, 'images')).length, DEMO_PRODUCTS, 'no new image files');
});

test('seed --demo without --if-empty refuses a catalog with products (exit 1) and adds nothing', async () => {
  const again = seed('--demo');
  assert.equal(again.code, 1, again.stdout);
  assert.match(again.stderr, /already has 60 products/);
  assert.equal((await admin('/products?include_inactive=true&limit=1')).body.count, DEMO_PRODUCTS);
});

test('seed --demo --if-empty seeds a fresh data dir (what scripts/run does)', () => {
  const dir = makeTempDir('mercato-seed-fresh-');
  try {
    const r = runMercato(['seed', '--demo', '--if-empty', '--data-dir', dir], { cwd: dir, timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /demo shop created .*60 products/);
  } finally {
    rmTemp(dir);
  }
});

test('demo prices follow the shop currency: JPY has no minor unit, so 44.90 becomes 4490 yen', async () => {
  const dir = makeTempDir('mercato-seed-jpy-');
  let shop;
  try {
    const r = runMercato(['seed', '--demo', '--data-dir', dir, '--currency', 'JPY'], { cwd: dir, timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    shop = await startServer({ dataDir: dir, args: ['--currency', 'JPY'], redisUrl: false });
    const res = await api(shop, 'GET', `${P}/products/cast-iron-skillet-26-cm`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.product.currency, 'JPY');
    assert.equal(res.body.product.price, 4490);
  } finally {
    await shop?.stop();
    rmTemp(dir);
  }
});

test('bad seed arguments are a usage error (exit 2) and touch nothing', async () => {
  for (const args of [[], ['--bench'], ['--bench', '0'], ['--bench', '1000001'], ['--bench', '12x'], ['--bench', '-5'], ['--demo', '--bogus']]) {
    const r = seed(...args);
    assert.equal(r.code, 2, `seed ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  assert.equal((await admin('/products?include_inactive=true&limit=1')).body.count, DEMO_PRODUCTS);
});

// ---- benchmark products -----------------------------------------------------------------------

test('seed --bench 500 adds 500 synthetic products in 10 categories of their own', async () => {
  // With Redis the server caches this page now, and the seed's generation bump must retire it.
  // (The memory kv lives inside the server: there a seed beside a running server shows once the
  // cached answers expire, which is why scripts/run seeds before it starts the server.)
  if (redisUrl) assert.equal((await pub('/products?limit=1')).body.count, DEMO_PRODUCTS - DEMO_INACTIVE);
  const r = seed('--bench', '500');
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.match(/500 benchmark products \((\d+) inactive\) in 10 categories, [\d.]+ s .*catalog now 560 products/);
  assert.ok(m, r.stdout);
  const inactive = Number(m[1]);
  assert.equal((await admin('/products?include_inactive=true&limit=1')).body.count, DEMO_PRODUCTS + 500);
  assert.equal((await pub('/products?limit=1')).body.count, DEMO_PRODUCTS - DEMO_INACTIVE + 500 - inactive);
  const cats = (await admin('/categories')).body.categories;
  assert.equal(cats.length, 18);
  assert.equal(cats.filter((c) => c.slug.startsWith('bench-')).length, 10);
  const bench = (await admin('/products?include_inactive=true&limit=100&category=bench-hardware')).body;
  assert.ok(bench.count > 0);
  for (const p of bench.products) {
    assert.match(p.name, /^\S+ \S+( \S+)+$/, 'adjective, material, noun');
    assert.match(p.description, /Model [A-Z]\d{3}\.$/);
  }
  assert.ok(new Set(bench.products.map((p) => p.price)).size > 5, 'varied prices');
});

test('a second seed --bench run adds more products beside the first (slugs never collide)', async () => {
  const r = seed('--bench', '50');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /catalog now 610 products/);
  assert.equal((await admin('/categories')).body.categories.length, 18, 'the bench categories are reused');
});

// ---- search over what was seeded ----------------------------------------------------------------

test('full-text search finds seeded products by a word of their name or description', async () => {
  const byName = await pub('/products?q=gooseneck');
  assert.equal(byName.status, 200, byName.text);
  assert.deepEqual(byName.body.products.map((p) => p.name), ['Gooseneck Kettle 1 L']);
  const byDescription = await pub('/products?q=yirgacheffe');
  assert.deepEqual(byDescription.body.products.map((p) => p.name), ['Single-Origin Ethiopia Beans 250 g']);
  const inactive = await pub('/products?q=concrete%20desk%20lamp');
  assert.ok(!inactive.body.products.some((p) => p.name === 'Concrete Desk Lamp'), 'inactive demo products stay hidden');
  const common = await pub('/products?q=durable&limit=1');
  const moderate = await pub('/products?q=waterproof&limit=1');
  assert.ok(common.body.count > moderate.body.count && moderate.body.count > 0,
    `benchmark words range from common to moderate: durable ${common.body.count}, waterproof ${moderate.body.count}`);
});
