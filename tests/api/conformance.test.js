// tests/api/conformance.test.js: the API against its contract. Requests generated from
// openapi.yaml (fast-check, fixed seed) for every operation, valid and invalid, as an admin, a
// customer and a guest; every answer must be a documented status whose body matches the spec.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { arb, doc, fc, integerMembers, mutants, norm, operations, validatorAt } from './conformance_gen.js';
import { adminAndCustomer, png, startServer, validateResponse } from './helpers.js';

const SEED = 20261205;
const VALID_PER_OPERATION = 12;
const MUTANTS_PER_OPERATION = 30;
const EXPENSIVE = new Set(['signup', 'login', 'changePassword']); // a password hash per request
const ADMIN = { email: 'conformance-admin@example.com', password: 'conformance admin passphrase' };
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * 422 errors a schema-valid request may still get, each for a reason no schema can state: it
 * depends on what is stored, on another member, or on the configuration. Anything else is a
 * rule the spec should state. Keyed "field:code"; "*:code" for any field.
 */
const STATE_REFUSALS = new Set([
  'product_id:unknown_product', // no such product for sale (stored state)
  'quantity:line_limit', // the line would pass the configured maximum
  'quantity:out_of_range', // MERCATO_CART_MAX_QUANTITY is configuration (stated in the description)
  'parent_id:not_found', 'parent_id:not_top_level', 'parent_id:has_children', // the parent's stored state
  'parent_id:invalid_parent', // a category named as its own parent (see KNOWN_BUGS for the other use)
  'category_ids:not_found', 'category:unknown_category', // stored categories
  'min_price:greater_than_max_price', 'sort:requires_q', // two parameters together
  'expires_at:not_after_start', // two members together
  'value:out_of_range', // a percent coupon's value, by its kind
  'usage_limit:below_times_used', // stored redemptions
  'current_password:incorrect', // the stored password
  'currency:currency_mismatch', // MERCATO_CURRENCY is configuration
  'slug:reserved', // archived-<product id> slugs (stated in the description)
  'slug:required', // a name without ASCII letters or digits derives no slug (stated in the description)
]);
/**
 * Findings known and fixed on another branch, reported as diagnostics rather than failures until
 * that branch lands; remove an entry once it has. Each matches a 422 error.
 */
// Bugs found and not fixed yet, reported as diagnostics rather than failures (none today: the
// category position refused as a parent race, issue 11, is fixed and must fail the run if it
// comes back).
const KNOWN_BUGS = [];
const known = [];
const STATE_PROBLEMS = new Set([
  'coupon_unknown', 'coupon_inactive', 'coupon_not_started', 'coupon_expired', 'coupon_sign_in_required',
  'coupon_below_minimum', 'coupon_exhausted', 'coupon_already_used_by_you', 'too_many_images',
]);
/** Other statuses a schema-valid request may get from stored state: not found, conflicts, credentials. */
const STATE_STATUSES = new Set([304, 404, 409]);
const CREDENTIAL_OPERATIONS = new Set(['login', 'refresh', 'logout']);

let server;
let adminHeaders;
let customerHeaders;
let guestToken = null;
let seq = 0;
let sent = 0;
const pool = { categories: [], products: [], coupons: [], images: [] };

/** One value of an arbitrary, the same for the same run order (seeded per draw). */
const draw = (a) => fc.sample(a, { seed: SEED + seq++, numRuns: 1 })[0];
const pick = (list) => list[draw(fc.nat({ max: list.length - 1 }))];
const randomId = (prefix) => `${prefix}_${draw(fc.nat({ max: 7 }))}${draw(fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 25, maxLength: 25 }))}`;

/** Sends one request; resolves to {status, headers, text, body}. body: an object (JSON), or {raw, type}. */
async function send(method, reqPath, { headers = {}, body } = {}) {
  const h = { ...headers };
  let payload;
  if (body && body.raw !== undefined) {
    payload = body.raw;
    if (body.type) h['content-type'] = body.type;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  sent++;
  const res = await fetch(server.base + reqPath, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* checked by validateResponse */ }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** The spec's verdict on one answer: null when documented and matching, else why not. */
function offSpec(method, reqPath, res) {
  try {
    validateResponse({ method, path: reqPath, status: res.status, contentType: res.headers.get('content-type'), text: res.text });
    return res.status >= 500 ? `a ${res.status} answer` : null;
  } catch (err) {
    return err.message.split('\n').slice(0, 6).join(' ');
  }
}

const failures = new Map();
/** Records a failure under a test's name (one line each, the request named). */
function fail(group, line) {
  if (!failures.has(group)) failures.set(group, []);
  failures.get(group).push(line);
}
function assertNoFailures(group) {
  const list = failures.get(group) || [];
  assert.equal(list.length, 0, `${list.length} finding(s):\n${list.slice(0, 40).join('\n')}`);
}

/** Headers for an operation: the caller its security needs (an admin under /admin). */
function callerOf(o, { guest = false } = {}) {
  if (o.auth === 'none') return {};
  if (o.auth === 'optional' && guest) return guestToken ? { 'X-Cart-Token': guestToken } : {};
  return o.path.startsWith('/api/v1/admin') ? adminHeaders : customerHeaders;
}

/** A value for a path parameter: mostly one that exists, sometimes a generated one. */
function pathValue(o, p, existing = false) {
  const fresh = !existing && draw(fc.nat({ max: 4 })) === 0;
  const prefix = (p.schema?.pattern || '').match(/^\^([a-z]+)_/)?.[1];
  const stored = {
    cat: pool.categories.map((c) => c.id), prod: pool.products.map((x) => x.id), cpn: pool.coupons.map((c) => c.id),
    img: pool.images.filter((i) => i.product === pool.products[0]?.id).map((i) => i.id),
  };
  if (p.name === 'file') return fresh || !pool.images.length ? `${randomId('img')}.png` : pick(pool.images).url.slice('/images/'.length);
  if (p.name === 'slug') return fresh || !pool.categories.length ? draw(arb(p.schema)) : pick(pool.categories).slug;
  if (p.name === 'key') return fresh || !pool.products.length ? draw(fc.constantFrom(randomId('prod'), 'no-such-product')) : pick(pool.products)[draw(fc.constantFrom('id', 'slug'))];
  if (p.name === 'product_id') return fresh || !pool.products.length ? randomId('prod') : pick(pool.products).id;
  if (o.path.includes('{image_id}') && p.name === 'id') return pool.products[0]?.id || randomId('prod');
  if (prefix && stored[prefix]?.length && !fresh) return pick(stored[prefix]);
  return prefix ? randomId(prefix) : draw(arb(p.schema));
}

function concretePath(o, values = {}, stored = false) {
  return o.path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(values[name] ?? pathValue(o, o.params.find((p) => p.name === name && p.in === 'path'), stored)));
}

/** A query string of some of the operation's parameters, each schema-valid. */
function queryOf(o) {
  const parts = [];
  for (const p of o.params.filter((x) => x.in === 'query')) {
    if (draw(fc.boolean())) continue;
    let v = draw(arb(p.schema));
    if (p.name === 'category' && pool.categories.length && draw(fc.boolean())) v = pick(pool.categories).slug;
    parts.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Member overrides that make valid bodies name stored things more often. */
function overridesFor(o) {
  const ids = (list) => (list.length ? fc.constantFrom(...list.map((x) => x.id)) : null);
  const out = {};
  if (o.op.operationId === 'signup') out.email = fc.uuid().map((u) => `c-${u}@example.com`);
  if (o.op.operationId === 'addCartItem' && pool.products.length) out.product_id = ids(pool.products);
  if (o.path.startsWith('/api/v1/cart/items')) out.quantity = fc.integer({ min: 1, max: 3 });
  if (/Category$/.test(o.op.operationId) && pool.categories.length) {
    out.parent_id = fc.option(ids(pool.categories.filter((c) => !c.parent_id)), { nil: null });
  }
  if (/Product$/.test(o.op.operationId) && pool.categories.length) {
    out.category_ids = fc.uniqueArray(ids(pool.categories), { maxLength: 2 });
    out.currency = fc.constant('EUR');
  }
  if (o.op.operationId === 'applyCartCoupon' && pool.coupons.length) out.code = fc.constantFrom(...pool.coupons.map((c) => c.code));
  return out;
}

function validBody(o) {
  const check = validatorAt(o.body.pointer);
  return draw(arb({ $ref: `#${o.body.pointer}` }, overridesFor(o)).filter((v) => check(v)));
}

/** Why a schema-valid request's answer is wrong, or null. */
function validVerdict(o, reqPath, res) {
  const why = offSpec(o.method, reqPath, res);
  if (why) return why;
  if (res.status < 400 || STATE_STATUSES.has(res.status)) return null;
  if (res.status === 401 && CREDENTIAL_OPERATIONS.has(o.op.operationId)) return null;
  if (res.status === 422) {
    if (STATE_PROBLEMS.has(res.body?.code)) return null;
    const errors = res.body?.errors || [];
    const bugs = errors.filter((e) => KNOWN_BUGS.some((k) => k(e)));
    if (bugs.length) known.push(`${o.method} ${reqPath}: ${bugs.map((e) => e.message).join(', ')}`);
    const unstated = errors.filter((e) => !STATE_REFUSALS.has(`${e.field}:${e.code}`) && !bugs.includes(e));
    return unstated.length ? `refused for a rule the schema does not state: ${unstated.map((e) => `${e.field}:${e.code}`).join(', ')}` : null;
  }
  return `refused with ${res.status} ${res.body?.code}`;
}

/** Remembers what a successful answer created, for later path parameters; forgets what it deleted. */
function remember(res, method, reqPath) {
  const b = res.body || {};
  if (method === 'DELETE' && (res.status === 204 || res.body?.product?.archived_at)) {
    const id = decodeURIComponent(reqPath.split('?')[0].split('/').pop());
    for (const k of ['categories', 'products', 'coupons', 'images']) pool[k] = pool[k].filter((x) => x.id !== id);
    return;
  }
  if (b.category && !pool.categories.some((c) => c.id === b.category.id)) pool.categories.push(b.category);
  if (b.product && !b.image && !pool.products.some((p) => p.id === b.product.id) && b.product.active) pool.products.push(b.product);
  if (b.coupon && !pool.coupons.some((c) => c.id === b.coupon.id)) pool.coupons.push(b.coupon);
  if (b.image) pool.images.push({ ...b.image, product: b.product.id });
  if (b.cart?.token) guestToken = b.cart.token;
}

/** Stores a category, a product and a coupon again when earlier requests deleted them all. */
async function replenish() {
  const create = async (reqPath, body) => remember(await send('POST', reqPath, { headers: adminHeaders, body }), 'POST', reqPath);
  if (!pool.categories.length) await create('/api/v1/admin/categories', { name: `Again ${seq}` });
  if (!pool.products.length) await create('/api/v1/admin/products', { name: `Again ${seq}`, description: '', price: 100, stock: 50 });
  if (!pool.coupons.length) await create('/api/v1/admin/coupons', { code: `AGAIN${seq}`, kind: 'fixed', value: 50 });
}

const describe = (o, reqPath, body) => `${o.method} ${reqPath}${body === undefined ? '' : ` ${JSON.stringify(body).slice(0, 160)}`}`;

before(async () => {
  server = await startServer({ env: { MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password } });
  ({ adminHeaders, customerHeaders } = await adminAndCustomer(server, ADMIN, `conformance-${crypto.randomBytes(4).toString('hex')}@example.com`));
  // A few stored objects so generated requests name real ones.
  for (let i = 0; i < 3; i++) {
    remember(await send('POST', '/api/v1/admin/categories', { headers: adminHeaders, body: { name: `Seed category ${i}` } }));
  }
  for (let i = 0; i < 4; i++) {
    remember(await send('POST', '/api/v1/admin/products', {
      headers: adminHeaders, body: { name: `Seed product ${i}`, description: 'A thing.', price: 1000 + i, stock: 500, category_ids: [pool.categories[i % 3].id] },
    }));
  }
  remember(await send('POST', '/api/v1/admin/coupons', { headers: adminHeaders, body: { code: 'SEED10', kind: 'percent', value: 10 } }));
  remember(await send('POST', `/api/v1/admin/products/${pool.products[0].id}/images`, { headers: adminHeaders, body: { raw: png(3, 2), type: 'image/png' } }));
  assert.ok(pool.categories.length === 3 && pool.products.length === 4 && pool.coupons.length === 1 && pool.images.length === 1, 'fixtures');
});

after(async () => {
  if (server) await server.stop();
});

test('schema-valid requests to every operation get a documented answer, never refused for a rule the schema does not state', async (t) => {
  const group = 'valid';
  const tally = [];
  for (const o of operations()) {
    const n = EXPENSIVE.has(o.op.operationId) ? 4 : VALID_PER_OPERATION;
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const reqPath = concretePath(o) + queryOf(o);
      let body;
      if (o.body && (o.body.required || draw(fc.boolean()))) body = validBody(o);
      if (o.raw) body = { raw: png(1 + (i % 5), 1 + (i % 3)), type: 'image/png' };
      const res = await send(o.method, reqPath, { headers: callerOf(o, { guest: i % 2 === 1 }), body });
      if (res.status < 300) { ok++; remember(res, o.method, reqPath); }
      const why = validVerdict(o, reqPath, res);
      if (why) fail(group, `${describe(o, reqPath, body?.raw ? undefined : body)} -> ${res.status}: ${why}`);
    }
    tally.push(`${o.op.operationId} ${ok}/${n}`);
  }
  t.diagnostic(`successes per operation: ${tally.join(', ')}`);
  if (known.length) t.diagnostic(`known findings (fixed elsewhere): ${known.length}, e.g. ${known[0]}`);
  assertNoFailures(group);
});

test('schema-invalid bodies are refused with a documented 4xx naming the member', async () => {
  await replenish();
  const group = 'invalid bodies';
  for (const o of operations().filter((x) => x.body)) {
    const valid = validBody(o);
    const list = mutants(o.body.pointer, valid);
    // Every null and every missing member, then a sample of the other rules.
    const always = list.filter((m) => /null where|missing/.test(m.why));
    const rest = list.filter((m) => !always.includes(m));
    const room = Math.max(0, MUTANTS_PER_OPERATION - always.length);
    const chosen = [...always, ...(rest.length > room ? draw(fc.shuffledSubarray(rest, { minLength: room, maxLength: room })) : rest)];
    for (const m of chosen) {
      const reqPath = concretePath(o);
      const res = await send(o.method, reqPath, { headers: callerOf(o), body: m.body });
      const why = offSpec(o.method, reqPath, res)
        || (res.status < 400 ? `accepted (${m.why})` : null)
        || (res.status === 422 && res.body?.code === 'validation_failed' && m.field !== 'body'
          && !(res.body.errors || []).some((e) => e.field === m.field || e.field.startsWith(`${m.field}.`) || e.field.startsWith(`${m.field}[`))
          ? `errors[] does not name ${m.field} (${m.why}): ${JSON.stringify(res.body.errors)}` : null);
      if (why) fail(group, `${describe(o, reqPath, m.body)} -> ${res.status}: ${why}`);
    }
  }
  assertNoFailures(group);
});

test('an integer beyond int64 in a body is a 422 naming its member, like any integer out of range', async () => {
  await replenish();
  const group = 'int64';
  for (const o of operations().filter((x) => x.body)) {
    for (const name of integerMembers(o.body.pointer)) {
      const valid = validBody(o);
      for (const big of ['123456789012345678901234567890', '-99999999999999999999']) {
        const raw = JSON.stringify({ ...valid, [name]: 0 }).replace(`"${name}":0`, `"${name}":${big}`);
        const reqPath = concretePath(o, {}, true);
        const res = await send(o.method, reqPath, { headers: callerOf(o), body: { raw, type: 'application/json' } });
        const why = offSpec(o.method, reqPath, res)
          || (res.status !== 422 ? `answered ${res.status} ${res.body?.code}` : null)
          || (res.body?.code === 'validation_failed' && !(res.body.errors || []).some((e) => e.field === name) ? `errors[] does not name ${name}` : null);
        if (why) fail(group, `${o.method} ${reqPath} ${raw.slice(0, 160)} -> ${res.status}: ${why}`);
      }
    }
  }
  assertNoFailures(group);
});

test('schema-invalid query and path parameters are refused with a documented 4xx', async () => {
  await replenish();
  const group = 'invalid parameters';
  for (const o of operations()) {
    const base = concretePath(o);
    const queries = ['?no_such_parameter=1'];
    for (const p of o.params.filter((x) => x.in === 'query')) {
      const s = norm(p.schema);
      if (s.type === 'integer') queries.push(`?${p.name}=abc`, ...(s.maximum !== undefined ? [`?${p.name}=${s.maximum + 1}`] : []), ...(s.minimum !== undefined ? [`?${p.name}=${s.minimum - 1}`] : []));
      if (s.type === 'boolean' || s.enum) queries.push(`?${p.name}=maybe`);
      if (s.maxLength !== undefined) queries.push(`?${p.name}=${'a'.repeat(s.maxLength + 1)}`);
      queries.push(`?${p.name}=${encodeURIComponent(String(draw(arb(p.schema))))}&${p.name}=${encodeURIComponent(String(draw(arb(p.schema))))}`);
    }
    for (const q of queries) {
      const res = await send(o.method, base + q, { headers: callerOf(o), body: o.body?.required ? validBody(o) : undefined });
      // Operations that take no query parameters may ignore them; those that take some check them all.
      const checks = o.params.some((x) => x.in === 'query') || o.op.responses['422'];
      const why = offSpec(o.method, base + q, res) || (checks && res.status < 400 && o.method === 'GET' ? 'accepted' : null);
      if (why) fail(group, `${o.method} ${base}${q.slice(0, 80)} -> ${res.status}: ${why}`);
    }
    for (const p of o.params.filter((x) => x.in === 'path' && x.schema?.pattern)) {
      const bad = p.schema.pattern.startsWith('^img_') && p.name === 'file' ? 'img_zzzzzzzzzzzzzzzzzzzzzzzzzz.png'
        : p.schema.pattern.replace(/^\^([a-z]+_).*$/, '$1') + 'u'.repeat(26);
      const reqPath = concretePath(o, { [p.name]: bad });
      const res = await send(o.method, reqPath, { headers: callerOf(o), body: o.body?.required ? validBody(o) : undefined });
      const why = offSpec(o.method, reqPath, res) || (res.status < 400 ? 'accepted' : null);
      if (why) fail(group, `${o.method} ${reqPath} -> ${res.status}: ${why}`);
    }
  }
  assertNoFailures(group);
});

test('an invalid bearer token is ignored on public operations and refused with 401 on the others', async () => {
  await replenish();
  const group = 'bearer';
  const badToken = { Authorization: 'Bearer not.a.token' };
  for (const o of operations()) {
    const reqPath = concretePath(o);
    const body = o.body?.required ? validBody(o) : undefined;
    const res = await send(o.method, reqPath, { headers: badToken, body: o.raw ? { raw: png(2, 2), type: 'image/png' } : body });
    const why = offSpec(o.method, reqPath, res)
      || (o.auth === 'none' && res.status === 401 && res.body?.code === 'invalid_token' ? 'a public operation refused the token' : null)
      || (o.auth !== 'none' && !(res.status === 401 && res.body?.code === 'invalid_token') ? `answered ${res.status} ${res.body?.code}, not 401 invalid_token` : null);
    if (why) fail(group, `${o.method} ${reqPath} -> ${res.status}: ${why}`);
    if (o.auth === 'required') {
      const none = await send(o.method, reqPath, { body: o.raw ? undefined : body });
      const w2 = offSpec(o.method, reqPath, none) || (none.status !== 401 ? `answered ${none.status} without a token` : null);
      if (w2) fail(group, `${o.method} ${reqPath} (no token) -> ${none.status}: ${w2}`);
    }
    if (o.path.startsWith('/api/v1/admin')) {
      const customer = await send(o.method, reqPath, { headers: customerHeaders, body: o.raw ? undefined : body });
      const w3 = offSpec(o.method, reqPath, customer) || (customer.status !== 403 ? `answered ${customer.status} to a customer` : null);
      if (w3) fail(group, `${o.method} ${reqPath} (customer) -> ${customer.status}: ${w3}`);
    }
  }
  assertNoFailures(group);
});

test('image uploads: one part or a raw image is stored, anything else is a documented refusal', async () => {
  const group = 'uploads';
  const productId = (await send('POST', '/api/v1/admin/products', { headers: adminHeaders, body: { name: 'Upload target', description: '', price: 100 } })).body.product.id;
  const reqPath = `/api/v1/admin/products/${productId}/images`;
  const boundary = 'conformanceBoundary';
  const part = (name, bytes) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from('\r\n')]);
  const multipart = (...parts) => ({ raw: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` });
  const cases = [
    ['a raw PNG', { raw: png(4, 4), type: 'image/png' }, 201],
    ['a PNG as octet-stream', { raw: png(5, 4), type: 'application/octet-stream' }, 201],
    ['one part', multipart(part('file', png(6, 4))), 201],
    ['two parts', multipart(part('a', png(2, 2)), part('b', png(2, 2))), 400],
    ['no part', multipart(), 400],
    ['bytes that are no image', { raw: Buffer.from('not an image at all'), type: 'image/png' }, 415],
    ['an empty body', { raw: Buffer.alloc(0), type: 'image/png' }, 422],
  ];
  for (const [why, body, status] of cases) {
    const res = await send('POST', reqPath, { headers: adminHeaders, body });
    const off = offSpec('POST', reqPath, res) || (res.status !== status ? `answered ${res.status} ${res.body?.code}, not ${status}` : null);
    if (off) fail(group, `POST ${reqPath} (${why}) -> ${res.status}: ${off}`);
  }
  assertNoFailures(group);
});

test('create, read, change and delete sequences answer as documented at every step', async (t) => {
  const group = 'sequences';
  const step = async (method, reqPath, headers, body, expected) => {
    const res = await send(method, reqPath, { headers, body });
    const why = offSpec(method, reqPath, res) || (res.status !== expected ? `answered ${res.status} ${res.body?.code}, not ${expected}` : null);
    if (why) fail(group, `${method} ${reqPath} ${JSON.stringify(body ?? '').slice(0, 120)} -> ${res.status}: ${why} ${JSON.stringify(res.body?.errors ?? '')}`);
    return res;
  };
  const find = (id) => operations().find((o) => o.op.operationId === id);
  for (let round = 0; round < 3; round++) {
    const category = (await step('POST', '/api/v1/admin/categories', adminHeaders,
      { ...validBody(find('adminCreateCategory')), name: `Round ${round} category ${seq}`, slug: null, parent_id: null, position: round }, 201)).body?.category;
    if (category) {
      const at = `/api/v1/admin/categories/${category.id}`;
      await step('GET', at, adminHeaders, undefined, 200);
      await step('GET', `/api/v1/categories/${category.slug}`, {}, undefined, 200);
      await step('PATCH', at, adminHeaders, { position: round, description: `Round ${round}` }, 200);
      await step('DELETE', at, adminHeaders, undefined, 204);
      await step('GET', at, adminHeaders, undefined, 404);
    }
    const product = (await step('POST', '/api/v1/admin/products', adminHeaders,
      { ...validBody(find('adminCreateProduct')), name: `Round ${round} product ${seq}`, slug: null, active: true, stock: 10, category_ids: [] }, 201)).body?.product;
    if (product) {
      const at = `/api/v1/admin/products/${product.id}`;
      await step('GET', at, adminHeaders, undefined, 200);
      await step('GET', `/api/v1/products/${product.slug}`, {}, undefined, 200);
      await step('PATCH', at, adminHeaders, { stock: 3, price: 2500 }, 200);
      const cart = await step('POST', '/api/v1/cart/items', customerHeaders, { product_id: product.id, quantity: 2 }, 200);
      if (cart.status === 200) {
        await step('PATCH', `/api/v1/cart/items/${product.id}`, customerHeaders, { quantity: 3 }, 200);
        await step('PATCH', `/api/v1/cart/items/${product.id}`, customerHeaders, { quantity: 4 }, 409);
        await step('DELETE', `/api/v1/cart/items/${product.id}`, customerHeaders, undefined, 200);
        await step('DELETE', `/api/v1/cart/items/${product.id}`, customerHeaders, undefined, 404);
      }
      await step('DELETE', at, adminHeaders, undefined, 204);
      await step('GET', `/api/v1/products/${product.id}`, {}, undefined, 404);
    }
    const coupon = (await step('POST', '/api/v1/admin/coupons', adminHeaders,
      { code: `ROUND${round}X${seq}`, kind: 'fixed', value: 100 }, 201)).body?.coupon;
    if (coupon) {
      const at = `/api/v1/admin/coupons/${coupon.id}`;
      await step('GET', at, adminHeaders, undefined, 200);
      await step('PATCH', at, adminHeaders, { active: false, usage_limit: null }, 200);
      await step('DELETE', at, adminHeaders, undefined, 204);
      await step('DELETE', at, adminHeaders, undefined, 404);
    }
  }
  t.diagnostic(`requests sent in all: ${sent}`);
  assertNoFailures(group);
});

// The spec itself: every operation lists its statuses, with no catch-all.
test('every operation in openapi.yaml lists its statuses without a default response', () => {
  const withDefault = operations().filter((o) => 'default' in o.op.responses).map((o) => o.op.operationId);
  assert.deepEqual(withDefault, []);
  assert.ok(doc.paths);
});
