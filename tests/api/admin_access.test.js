// Admins and the deny-by-default guard: `mercato admin create` (password on stdin) and
// MERCATO_ADMIN_EMAIL/PASSWORD at first start make admins; every path under /api/v1/admin, routed
// or not, answers 401 without a token, 403 to a customer and (while no admin route exists) 404
// to an admin. The role comes from the account, never from what a token or a body claims.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { MERCATO_BIN, api, assertProblem, bearer, claimsOf, makeTempDir, rmTemp, serverEnv, startServer, uniqueEmail } from './helpers.js';

const HIGH_LIMITS = ['--rate-login-ip', '100000', '--rate-login-account', '100000', '--rate-signup-ip', '100000'];
const PASSWORD = 'correct horse battery staple';
const ADMIN_PASSWORD = 'admin passphrase of some length';


/** Runs `mercato admin create --email EMAIL --data-dir DIR` with `stdin` as its standard input. */
function adminCreate(dataDir, email, stdin) {
  const r = spawnSync(MERCATO_BIN, ['admin', 'create', '--email', email, '--data-dir', dataDir], {
    cwd: dataDir, env: serverEnv(), input: stdin, encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL',
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const login = (srv, email, password) => api(srv, 'POST', '/api/v1/auth/login', { body: { email, password, token_delivery: 'body' } });

let dataDir;
let server;
let created;
const ADMIN_EMAIL = uniqueEmail('admin');
let adminToken;
let customer;

before(async () => {
  dataDir = makeTempDir('mercato-admin-');
  created = adminCreate(dataDir, ADMIN_EMAIL, `${ADMIN_PASSWORD}\n`);
  server = await startServer({ args: HIGH_LIMITS, dataDir });
  const a = await login(server, ADMIN_EMAIL, ADMIN_PASSWORD);
  assert.equal(a.status, 200, a.text);
  adminToken = a.body.access_token;
  const email = uniqueEmail('customer');
  const c = await api(server, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Cora', token_delivery: 'body' } });
  assert.equal(c.status, 201, c.text);
  customer = { email, user: c.body.user, access: c.body.access_token };
});

after(async () => {
  await server?.stop();
  rmTemp(dataDir);
});

// Every one of these is under /api/v1/admin; none is routed yet.
const ADMIN_REQUESTS = [
  ['GET', '/api/v1/admin'],
  ['GET', '/api/v1/admin/'],
  ['GET', '/api/v1/admin/whatever'],
  ['GET', '/api/v1/admin/orders?status=paid'],
  ['POST', '/api/v1/admin/no-such-resource'],
  ['PUT', '/api/v1/admin/no-such-resource/x_1'],
  ['PATCH', '/api/v1/admin/users/usr_x'],
  ['DELETE', '/api/v1/admin/users/usr_x'],
];

const send = (method, reqPath, headers = {}) => api(server, method, reqPath, {
  headers, ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: { name: 'x', price: 1 } } : {}),
});

// ---- creating admins ------------------------------------------------------------------------

test('mercato admin create reads the password from stdin, exits 0 and prints "created admin"', () => {
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created admin/);
  assert.ok(!created.stdout.includes(ADMIN_PASSWORD) && !created.stderr.includes(ADMIN_PASSWORD), 'the password is never echoed');
});

test('an admin signs in with role admin in the user, the token and GET /me', async () => {
  const res = await login(server, ADMIN_EMAIL, ADMIN_PASSWORD);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.role, 'admin');
  assert.equal(res.body.user.email, ADMIN_EMAIL);
  assert.equal(res.body.user.status, 'active');
  assert.equal(claimsOf(res.body.access_token).role, 'admin');
  const me = await api(server, 'GET', '/api/v1/me', { headers: bearer(res.body.access_token) });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.user.role, 'admin');
});

test('the admin email is normalised, so signup cannot take it in another letter case', async () => {
  const res = await api(server, 'POST', '/api/v1/auth/signup', { body: { email: ` ${ADMIN_EMAIL.toUpperCase()} `, password: PASSWORD, name: 'Imposter' } });
  assertProblem(res, 409, 'email_taken');
});

test('admin create with a password under 12 bytes fails and creates no admin', () => {
  const dir = makeTempDir('mercato-admin-short-');
  try {
    const email = uniqueEmail('short');
    const bad = adminCreate(dir, email, 'short\n');
    assert.notEqual(bad.code, 0, 'a short password is refused');
    assert.doesNotMatch(bad.stdout, /created admin/);
    const good = adminCreate(dir, email, `${ADMIN_PASSWORD}\n`);
    assert.equal(good.code, 0, `the email is still free: ${good.stderr}`);
  } finally {
    rmTemp(dir);
  }
});

test('admin create without a password on stdin, or with an invalid email, fails', () => {
  const dir = makeTempDir('mercato-admin-bad-');
  try {
    const email = uniqueEmail('nopw');
    const none = adminCreate(dir, email, '');
    assert.notEqual(none.code, 0);
    assert.doesNotMatch(none.stdout, /created admin/);
    const invalid = adminCreate(dir, 'not-an-email', `${ADMIN_PASSWORD}\n`);
    assert.notEqual(invalid.code, 0);
    assert.doesNotMatch(invalid.stdout, /created admin/);
    assert.equal(adminCreate(dir, email, `${ADMIN_PASSWORD}\n`).code, 0, 'the email is still free');
  } finally {
    rmTemp(dir);
  }
});

test('admin create refuses an email that already has an account', () => {
  const dir = makeTempDir('mercato-admin-dup-');
  try {
    const email = uniqueEmail('dup');
    assert.equal(adminCreate(dir, email, `${ADMIN_PASSWORD}\n`).code, 0);
    const again = adminCreate(dir, email.toUpperCase(), 'another admin passphrase\n');
    assert.notEqual(again.code, 0);
    assert.doesNotMatch(again.stdout, /created admin/);
  } finally {
    rmTemp(dir);
  }
});

test('MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD create the first admin at start-up, once', async () => {
  const dir = makeTempDir('mercato-admin-env-');
  const first = uniqueEmail('envadmin');
  const second = uniqueEmail('envadmin2');
  try {
    const srv = await startServer({ args: HIGH_LIMITS, dataDir: dir, env: { MERCATO_ADMIN_EMAIL: first, MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    try {
      const res = await login(srv, first, ADMIN_PASSWORD);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user.role, 'admin');
    } finally {
      await srv.stop();
    }
    // An admin exists now: other values are ignored on the next start, and the first admin stays.
    const again = await startServer({ args: HIGH_LIMITS, dataDir: dir, env: { MERCATO_ADMIN_EMAIL: second, MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    try {
      assertProblem(await login(again, second, ADMIN_PASSWORD), 401, 'invalid_credentials');
      assert.equal((await login(again, first, ADMIN_PASSWORD)).status, 200);
    } finally {
      await again.stop();
    }
  } finally {
    rmTemp(dir);
  }
});

test('MERCATO_ADMIN_EMAIL is ignored when an admin was already made with mercato admin create', async () => {
  const dir = makeTempDir('mercato-admin-env2-');
  try {
    const cli = uniqueEmail('cliadmin');
    assert.equal(adminCreate(dir, cli, `${ADMIN_PASSWORD}\n`).code, 0);
    const env = uniqueEmail('envadmin');
    const srv = await startServer({ args: HIGH_LIMITS, dataDir: dir, env: { MERCATO_ADMIN_EMAIL: env, MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    try {
      assertProblem(await login(srv, env, ADMIN_PASSWORD), 401, 'invalid_credentials');
      assert.equal((await login(srv, cli, ADMIN_PASSWORD)).body.user.role, 'admin');
    } finally {
      await srv.stop();
    }
  } finally {
    rmTemp(dir);
  }
});

// ---- the guard ------------------------------------------------------------------------------

test('without a token every /api/v1/admin path gets 401 unauthenticated', async () => {
  for (const [method, reqPath] of ADMIN_REQUESTS) {
    const res = await send(method, reqPath);
    assertProblem(res, 401, 'unauthenticated');
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/, `${method} ${reqPath}`);
  }
});

test('an invalid token on an /api/v1/admin path gets 401 invalid_token', async () => {
  for (const [method, reqPath] of ADMIN_REQUESTS) {
    assertProblem(await send(method, reqPath, { Authorization: 'Bearer not.a.token' }), 401, 'invalid_token');
  }
});

test('a customer token gets 403 forbidden on every /api/v1/admin path', async () => {
  for (const [method, reqPath] of ADMIN_REQUESTS) {
    assertProblem(await send(method, reqPath, bearer(customer.access)), 403, 'forbidden');
  }
});

test('an admin token gets past the guard: 404 on admin paths that do not exist yet', async () => {
  for (const [method, reqPath] of ADMIN_REQUESTS) {
    assertProblem(await send(method, reqPath, bearer(adminToken)), 404, 'not_found');
  }
});

test('a customer token that claims role admin, signed with the server secret, still gets 403', async () => {
  const secret = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').replace(/[\r\n]+$/, '');
  const [h, p] = customer.access.split('.');
  const claims = { ...JSON.parse(Buffer.from(p, 'base64url').toString('utf8')), role: 'admin', jti: crypto.randomBytes(16).toString('hex') };
  const input = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const token = `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
  const me = await api(server, 'GET', '/api/v1/me', { headers: bearer(token) });
  assert.equal(me.status, 200, `the forged token itself verifies: ${me.text}`);
  assert.equal(me.body.user.role, 'customer', 'the role comes from the account');
  assertProblem(await send('GET', '/api/v1/admin/whatever', bearer(token)), 403, 'forbidden');
});

test('paths that merely start with "admin" are not under the admin guard', async () => {
  for (const reqPath of ['/api/v1/administrator', '/api/v1/admins', '/api/v1/adminx/whatever']) {
    assertProblem(await send('GET', reqPath), 404, 'not_found');
  }
});

test('a customer cannot make itself an admin through signup or PATCH /me', async () => {
  const email = uniqueEmail('climber');
  const s = await api(server, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Climber', role: 'admin' } });
  assertProblem(s, 422, 'validation_failed');
  const p = await api(server, 'PATCH', '/api/v1/me', { headers: bearer(customer.access), body: { name: 'Climber', role: 'admin' } });
  assertProblem(p, 422, 'validation_failed');
  const me = await api(server, 'GET', '/api/v1/me', { headers: bearer(customer.access) });
  assert.equal(me.body.user.role, 'customer');
  assertProblem(await send('GET', '/api/v1/admin/whatever', bearer(customer.access)), 403, 'forbidden');
});
