// Managing coupon codes: /admin/coupons. Only admins get in (401 without a token, 403 for
// customers); codes ignore case and are unique that way; every bad field is named at once and
// nothing else (times_used, id) can be set; the listing shows how often each coupon was used; a
// redeemed coupon is deactivated, never deleted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { adminAndCustomer, api, assertProblem, startServer } from './helpers.js';

const run = crypto.randomBytes(4).toString('hex');
const RUN = run.toUpperCase();
const ADMIN = { email: `cpnadmin-${run}@example.com`, password: 'admin passphrase of some length' };
const P = '/api/v1';
const NO_SUCH_ID = 'cpn_00000000000000000000000000';

let server;
let adminHeaders;
let customerHeaders;

before(async () => {
  server = await startServer({ env: { MERCATO_ADMIN_EMAIL: ADMIN.email, MERCATO_ADMIN_PASSWORD: ADMIN.password } });
  ({ adminHeaders, customerHeaders } = await adminAndCustomer(server, ADMIN, `coupon-shopper-${run}@example.com`));
});

after(async () => { await server?.stop(); });

const admin = (method, reqPath, body, opts = {}) => api(server, method, `${P}/admin${reqPath}`, { headers: adminHeaders, body, ...opts });

let seq = 0;
/** A code no other test uses: `${prefix}${RUN}${n}`. */
const uniqueCode = (prefix = 'C') => `${prefix}${RUN}${++seq}`;

async function newCoupon(body = {}) {
  const res = await admin('POST', '/coupons', { code: uniqueCode(), kind: 'percent', value: 10, ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.coupon;
}

function assertInvalid(res, expected) {
  const body = assertProblem(res, 422, 'validation_failed');
  const got = (body.errors || []).map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(got, expected.map(([f, c]) => `${f}:${c}`).sort(), res.text);
  for (const e of body.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0);
  return body;
}

async function countAll() {
  const res = await admin('GET', '/coupons');
  assert.equal(res.status, 200, res.text);
  return res.body.count;
}

const haveSqlite3 = spawnSync('sh', ['-c', 'command -v sqlite3']).status === 0;
const needSqlite3 = { skip: haveSqlite3 ? false : 'no API redeems coupons before checkout and the sqlite3 shell is not installed' };

/** Records `n` redemptions of the coupon as checkout will, with the sqlite3 shell on the live database. */
function redeem(couponId, n) {
  const rows = Array.from({ length: n }, () => `INSERT INTO coupon_redemptions (coupon_id, order_id, user_id, redeemed_at) `
    + `VALUES ('${couponId}', 'ord_${crypto.randomBytes(13).toString('hex')}', NULL, 0); `
    + `UPDATE coupons SET times_used = times_used + 1 WHERE id = '${couponId}';`).join(' ');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'mercato.db'),
    `BEGIN IMMEDIATE; ${rows} COMMIT;`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

// ---- access ---------------------------------------------------------------------------------------

const ROUTES = [
  ['GET', '/coupons'], ['POST', '/coupons'], ['GET', `/coupons/${NO_SUCH_ID}`],
  ['PATCH', `/coupons/${NO_SUCH_ID}`], ['DELETE', `/coupons/${NO_SUCH_ID}`],
];
const bodyFor = (method) => (['POST', 'PATCH'].includes(method) ? { code: `SNEAKY${RUN}`, kind: 'fixed', value: 100 } : undefined);

test('every coupon route answers 401 without a token', async () => {
  for (const [method, reqPath] of ROUTES) {
    const res = await api(server, method, `${P}/admin${reqPath}`, { body: bodyFor(method) });
    assertProblem(res, 401, 'unauthenticated');
  }
  assert.equal((await admin('GET', `/coupons?q=SNEAKY${RUN}`)).body.count, 0, 'nothing was created');
});

test('every coupon route answers 403 to a customer, and nothing is written', async () => {
  for (const [method, reqPath] of ROUTES) {
    const res = await api(server, method, `${P}/admin${reqPath}`, { headers: customerHeaders, body: bodyFor(method) });
    assertProblem(res, 403, 'forbidden');
  }
  assert.equal((await admin('GET', `/coupons?q=SNEAKY${RUN}`)).body.count, 0);
});

// ---- create and read ------------------------------------------------------------------------------

test('POST /admin/coupons stores the code upper-case with defaults, and answers 201 with a Location', async () => {
  const code = uniqueCode('welcome-');
  const res = await admin('POST', '/coupons', { code: `  ${code.toLowerCase()} `, kind: 'percent', value: 15 });
  assert.equal(res.status, 201, res.text);
  const c = res.body.coupon;
  assert.match(c.id, /^cpn_[0-9a-z]{26}$/);
  assert.equal(c.code, code.toUpperCase());
  assert.equal(c.kind, 'percent');
  assert.equal(c.value, 15);
  for (const k of ['min_subtotal', 'starts_at', 'expires_at', 'usage_limit', 'per_customer_limit']) assert.equal(c[k], null, k);
  assert.equal(c.times_used, 0);
  assert.equal(c.active, true);
  assert.equal(c.created_at, c.updated_at);
  assert.equal(res.headers.get('location'), `/api/v1/admin/coupons/${c.id}`);
  const got = await admin('GET', `/coupons/${c.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.coupon, c);
});

test('every member can be set; times are kept as the instant, returned in UTC', async () => {
  const code = uniqueCode('FULL');
  const res = await admin('POST', '/coupons', {
    code, kind: 'fixed', value: 1500, min_subtotal: 5000, starts_at: '2026-12-01T01:00:00+01:00',
    expires_at: '2027-01-01T00:00:00.5Z', usage_limit: 100, per_customer_limit: 1, active: false,
  });
  assert.equal(res.status, 201, res.text);
  const c = res.body.coupon;
  assert.equal(c.starts_at, '2026-12-01T00:00:00.000Z');
  assert.equal(c.expires_at, '2027-01-01T00:00:00.500Z');
  assert.deepEqual([c.kind, c.value, c.min_subtotal, c.usage_limit, c.per_customer_limit, c.active],
    ['fixed', 1500, 5000, 100, 1, false]);
});

test('a new coupon names every bad field at once and writes nothing', async () => {
  const before = await countAll();
  assertInvalid(await admin('POST', '/coupons', {}), [['code', 'required'], ['kind', 'required'], ['value', 'required']]);
  assertInvalid(await admin('POST', '/coupons', {
    code: 'two words', kind: 'half', value: 0, min_subtotal: -1, starts_at: 'tomorrow', expires_at: 5,
    usage_limit: 0, per_customer_limit: 1.5, active: 'yes', times_used: 7, id: NO_SUCH_ID,
  }), [
    ['code', 'invalid_code'], ['kind', 'invalid_kind'], ['value', 'out_of_range'], ['min_subtotal', 'out_of_range'],
    ['starts_at', 'invalid_time'], ['expires_at', 'not_a_string'], ['usage_limit', 'out_of_range'],
    ['per_customer_limit', 'not_an_integer'], ['active', 'not_a_boolean'], ['times_used', 'unknown_field'], ['id', 'unknown_field'],
  ]);
  assertInvalid(await admin('POST', '/coupons', { code: uniqueCode(), kind: 'percent', value: 101 }), [['value', 'out_of_range']]);
  assertInvalid(await admin('POST', '/coupons', {
    code: uniqueCode(), kind: 'fixed', value: 100, starts_at: '2026-12-02T00:00:00Z', expires_at: '2026-12-01T00:00:00Z',
  }), [['expires_at', 'not_after_start']]);
  assertInvalid(await admin('POST', '/coupons', { code: 'X'.repeat(33), kind: 'fixed', value: 1 }), [['code', 'invalid_code']]);
  assertInvalid(await admin('POST', '/coupons', { code: 'X'.repeat(65), kind: 'fixed', value: 1 }), [['code', 'too_long']]);
  assertInvalid(await admin('POST', '/coupons', [1, 2]), [['body', 'not_an_object']]);
  assert.equal(await countAll(), before, 'no coupon was created');
});

test('a code taken in any case is a 409 naming the code', async () => {
  const code = uniqueCode('Spring');
  const first = await newCoupon({ code });
  const res = await admin('POST', '/coupons', { code: code.toLowerCase(), kind: 'fixed', value: 100 });
  const body = assertProblem(res, 409, 'coupon_code_taken');
  assert.deepEqual(body.errors.map((e) => `${e.field}:${e.code}`), ['code:taken']);
  const other = await newCoupon();
  const moved = await admin('PATCH', `/coupons/${other.id}`, { code: first.code.toLowerCase(), value: 20 });
  assertProblem(moved, 409, 'coupon_code_taken');
  assert.deepEqual((await admin('GET', `/coupons/${other.id}`)).body.coupon, other, 'the other coupon is unchanged');
  assert.equal((await admin('GET', `/coupons?q=${code}`)).body.count, 1);
});

test('GET /admin/coupons/{id} answers 404 for an unknown or malformed id, 422 for parameters', async () => {
  assertProblem(await admin('GET', `/coupons/${NO_SUCH_ID}`), 404, 'not_found');
  assertProblem(await admin('GET', '/coupons/prod_00000000000000000000000000'), 404, 'not_found');
  const c = await newCoupon();
  assertInvalid(await admin('GET', `/coupons/${c.id}?expand=all`), [['expand', 'unknown_parameter']]);
});

// ---- change and delete -----------------------------------------------------------------------------

test('PATCH changes any subset, null clears an optional member, and updated_at moves', async () => {
  const c = await newCoupon({ min_subtotal: 1000, usage_limit: 5 });
  await new Promise((r) => setTimeout(r, 5));
  const res = await admin('PATCH', `/coupons/${c.id}`, { code: c.code.toLowerCase(), kind: 'fixed', value: 750, min_subtotal: null, expires_at: '2030-01-01T00:00:00Z', active: false });
  assert.equal(res.status, 200, res.text);
  const u = res.body.coupon;
  assert.deepEqual({ ...u, updated_at: null }, {
    ...c, kind: 'fixed', value: 750, min_subtotal: null, expires_at: '2030-01-01T00:00:00.000Z', active: false, updated_at: null,
  });
  assert.ok(u.updated_at > c.updated_at, 'updated_at moved');
  assert.deepEqual((await admin('GET', `/coupons/${c.id}`)).body.coupon, u);
});

test('PATCH judges the coupon that would result and changes nothing on any error', async () => {
  const c = await newCoupon({ kind: 'fixed', value: 500, starts_at: '2026-12-01T00:00:00Z' });
  assertInvalid(await admin('PATCH', `/coupons/${c.id}`, { kind: 'percent' }), [['value', 'out_of_range']]);
  assertInvalid(await admin('PATCH', `/coupons/${c.id}`, { expires_at: '2026-11-30T00:00:00Z', active: false }), [['expires_at', 'not_after_start']]);
  assertInvalid(await admin('PATCH', `/coupons/${c.id}`, { times_used: 0, code: null, value: 2 }), [['times_used', 'unknown_field'], ['code', 'required']]);
  assert.deepEqual((await admin('GET', `/coupons/${c.id}`)).body.coupon, c, 'nothing changed');
  assertProblem(await admin('PATCH', `/coupons/${NO_SUCH_ID}`, { active: false }), 404, 'not_found');
});

test('DELETE removes an unused coupon and frees its code', async () => {
  const c = await newCoupon();
  const res = await admin('DELETE', `/coupons/${c.id}`);
  assert.equal(res.status, 204);
  assert.equal(res.text, '');
  assertProblem(await admin('GET', `/coupons/${c.id}`), 404, 'not_found');
  assertProblem(await admin('DELETE', `/coupons/${c.id}`), 404, 'not_found');
  await newCoupon({ code: c.code.toLowerCase() });
});

test('a redeemed coupon is not deleted (409 saying how often) and is deactivated instead', needSqlite3, async () => {
  const c = await newCoupon({ usage_limit: 10 });
  redeem(c.id, 3);
  const res = await admin('DELETE', `/coupons/${c.id}`);
  const body = assertProblem(res, 409, 'coupon_redeemed');
  assert.equal(body.times_used, 3);
  assert.match(body.detail, /deactivate/);
  const off = await admin('PATCH', `/coupons/${c.id}`, { active: false });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.body.coupon.active, false);
  assert.equal(off.body.coupon.times_used, 3);
});

test('usage_limit cannot go below the redemptions already made', needSqlite3, async () => {
  const c = await newCoupon({ usage_limit: 10 });
  redeem(c.id, 4);
  const body = assertInvalid(await admin('PATCH', `/coupons/${c.id}`, { usage_limit: 3 }), [['usage_limit', 'below_times_used']]);
  assert.match(body.errors[0].message, /4 times/);
  const ok = await admin('PATCH', `/coupons/${c.id}`, { usage_limit: 4 });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.coupon.usage_limit, 4);
});

// ---- listing ---------------------------------------------------------------------------------------

test('GET /admin/coupons lists newest first with each usage count', needSqlite3, async () => {
  const tag = `LIST${RUN}`;
  const a = await newCoupon({ code: `${tag}A` });
  const b = await newCoupon({ code: `${tag}B`, active: false });
  const c = await newCoupon({ code: `${tag}C` });
  redeem(a.id, 2);
  redeem(c.id, 1);
  const res = await admin('GET', `/coupons?q=${tag.toLowerCase()}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(res.body.coupons.map((x) => [x.code, x.times_used]), [[`${tag}C`, 1], [`${tag}B`, 0], [`${tag}A`, 2]]);
  assert.deepEqual([res.body.count, res.body.limit, res.body.offset], [3, 20, 0]);
  const page = await admin('GET', `/coupons?q=${tag}&limit=1&offset=1`);
  assert.deepEqual(page.body.coupons.map((x) => x.id), [b.id]);
  assert.deepEqual([page.body.count, page.body.limit, page.body.offset], [3, 1, 1]);
  const active = await admin('GET', `/coupons?q=${tag}&active=true`);
  assert.deepEqual(active.body.coupons.map((x) => x.id), [c.id, a.id]);
  const inactive = await admin('GET', `/coupons?q=${tag}&active=false`);
  assert.deepEqual(inactive.body.coupons.map((x) => x.id), [b.id]);
  const past = await admin('GET', `/coupons?q=${tag}&offset=3`);
  assert.deepEqual([past.body.coupons, past.body.count], [[], 3]);
});

test('the listing names every bad parameter', async () => {
  assertInvalid(await admin('GET', '/coupons?limit=0&offset=-1&q=two%20words&active=maybe&sort=code'), [
    ['limit', 'out_of_range'], ['offset', 'out_of_range'], ['q', 'invalid'], ['active', 'invalid'], ['sort', 'unknown_parameter'],
  ]);
  assertInvalid(await admin('GET', '/coupons?limit=101&limit=5'), [['limit', 'out_of_range'], ['limit', 'repeated']]);
  assertInvalid(await admin('GET', '/coupons?offset=10001'), [['offset', 'out_of_range']]);
});
