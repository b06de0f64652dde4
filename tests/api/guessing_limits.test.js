// Guessing limits on passwords (issue 12, findings 3 and 4): an attacker guessing from one
// address is stopped there without locking the owner out from another, signups with someone's
// email do not count against their sign-ins, and POST /me/password is limited like sign-in.
// Requests come from different loopback addresses (127.0.0.x) to play different networks.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import { REDIS_URL, assertProblem, startRedis, startServer, uniqueEmail, validateResponse } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.3';

/** Sends method path with a JSON body from the local address `from`, validated against the
 * spec. Resolves to {status, headers (lower-case names), body, text}. */
function from(srv, addr, method, path, { body, headers = {} } = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const h = { ...headers };
  if (data !== undefined) h['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(`${srv.base}${path}`, { method, headers: h, localAddress: addr, agent: false, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const type = res.headers['content-type'] || '';
        validateResponse({ method, path, status: res.statusCode, contentType: type, text });
        resolve({ status: res.statusCode, headers: res.headers, body: /json/.test(type) && text ? JSON.parse(text) : null, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

const login = (srv, addr, email, password) => from(srv, addr, 'POST', '/api/v1/auth/login', { body: { email, password } });

function assertRateLimited(res, maxRetry) {
  assertProblem(res, 429, 'rate_limited');
  const retry = res.headers['retry-after'];
  assert.match(retry || '', /^[1-9][0-9]*$/, `Retry-After is a positive integer: ${retry}`);
  assert.ok(Number(retry) <= maxRetry, `Retry-After ${retry} <= ${maxRetry}`);
}

/** A server of its own (its own Redis when testing Redis: counters must start empty). */
async function limitedServer(args) {
  const redis = REDIS_URL ? await startRedis() : null;
  const srv = await startServer({ args, redisUrl: redis ? redis.url : false });
  return { srv, async stop() { await srv.stop(); await redis?.stop(); } };
}

async function signup(srv, email) {
  const res = await from(srv, OWNER, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Owner', token_delivery: 'body' } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

test('an attacker guessing from one address is stopped there while the owner signs in from another at once', async () => {
  const { srv, stop } = await limitedServer(['--rate-login-account', '3', '--login-slowdown-after', '3']);
  try {
    const email = uniqueEmail('victim');
    await signup(srv, email);
    for (let i = 0; i < 3; i++) assertProblem(await login(srv, ATTACKER, email, `wrong guess ${i}`), 401, 'invalid_credentials');
    assertRateLimited(await login(srv, ATTACKER, email, 'wrong guess 3'), 900);
    // The attacker's address stays limited, even when it guesses right.
    assertRateLimited(await login(srv, ATTACKER, email, PASSWORD), 900);
    // The owner, from a network with no failure on the account, is not even slowed down.
    const owner = await login(srv, OWNER, email, PASSWORD);
    assert.equal(owner.status, 200, owner.text);
    assert.equal(owner.body.user.email, email);
    // And again: a success does not use anything up.
    assert.equal((await login(srv, OWNER, email, PASSWORD)).status, 200);
  } finally {
    await stop();
  }
});

test('an account under attack slows a failing network to one try per delay, never a wall for the owner', async () => {
  const { srv, stop } = await limitedServer(['--rate-login-account', '100', '--login-slowdown-after', '3', '--login-slowdown-delay', '30']);
  try {
    const email = uniqueEmail('slowed');
    await signup(srv, email);
    for (let i = 0; i < 4; i++) assertProblem(await login(srv, ATTACKER, email, `wrong guess ${i}`), 401, 'invalid_credentials');
    // Past three failures the attacker's network waits its turn: one try per 30 seconds.
    assertRateLimited(await login(srv, ATTACKER, email, 'wrong guess 4'), 30);
    assertRateLimited(await login(srv, ATTACKER, email, PASSWORD), 30);
    // The owner mistypes once from their own network, then gets in: that network's first
    // turn is its own, not one the attacker used up.
    assertProblem(await login(srv, OWNER, email, 'a typo in it'), 401, 'invalid_credentials');
    const owner = await login(srv, OWNER, email, PASSWORD);
    assert.equal(owner.status, 200, owner.text);
  } finally {
    await stop();
  }
});

test('signups with the victim\'s email do not count against their sign-ins', async () => {
  const { srv, stop } = await limitedServer(['--rate-login-account', '2', '--login-slowdown-after', '2']);
  try {
    const email = uniqueEmail('taken');
    await signup(srv, email);
    for (let i = 0; i < 5; i++) {
      const res = await from(srv, ATTACKER, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Mallory' } });
      assertProblem(res, 409, 'email_taken');
    }
    assert.equal((await login(srv, OWNER, email, PASSWORD)).status, 200);
    assert.equal((await login(srv, ATTACKER, email, PASSWORD)).status, 200, 'not even from the address that tried');
  } finally {
    await stop();
  }
});

test('a burst of wrong current passwords on POST /me/password gets 429, and the right one from the same token then waits too', async () => {
  const { srv, stop } = await limitedServer(['--rate-login-account', '3']);
  try {
    const email = uniqueEmail('stolen');
    const { access_token: token } = await signup(srv, email);
    const change = (current, addr = ATTACKER) => from(srv, addr, 'POST', '/api/v1/me/password', {
      headers: { authorization: `Bearer ${token}` },
      body: { current_password: current, new_password: 'a brand new passphrase', token_delivery: 'body' },
    });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await change(`stolen-token guess ${i}`)).status);
    assert.deepEqual(statuses, [422, 422, 422, 429, 429, 429, 429, 429, 429, 429]);
    assertRateLimited(await change(PASSWORD), 900);
    // Password guesses and sign-in guesses share the account's budget on that network.
    assertRateLimited(await login(srv, ATTACKER, email, PASSWORD), 900);
    // The password is unchanged, and its owner still signs in and changes it from elsewhere.
    assert.equal((await login(srv, OWNER, email, PASSWORD)).status, 200);
    const own = await change(PASSWORD, OWNER);
    assert.equal(own.status, 200, own.text);
  } finally {
    await stop();
  }
});

test('concurrent guesses at one account run one Argon2 check at a time: the others get 429 at once, and other accounts still sign in', async () => {
  const { srv, stop } = await limitedServer(['--rate-login-account', '100000']);
  try {
    const target = uniqueEmail('flooded');
    const other = uniqueEmail('bystander');
    await signup(srv, target);
    await signup(srv, other);
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => login(srv, `127.0.1.${i + 1}`, target, `parallel guess ${i}`)));
    const statuses = burst.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(' '));
    assert.ok(statuses.includes(429), `one account's checks do not run side by side: ${statuses.join(' ')}`);
    for (const r of burst.filter((x) => x.status === 429)) assertRateLimited(r, 1);
    assert.equal((await login(srv, OWNER, other, PASSWORD)).status, 200);
  } finally {
    await stop();
  }
});
