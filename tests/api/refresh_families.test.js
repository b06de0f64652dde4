// A user keeps at most MERCATO_REFRESH_FAMILIES_MAX refresh-token families (signed-in devices;
// issue 12, finding 8): signing in once more revokes the oldest, so nobody's sign-ins can fill
// the kv with families it may not evict.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { api, assertProblem, startServer, uniqueEmail } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

const refreshBody = (srv, token) => api(srv, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: token, token_delivery: 'body' } });

test('signing in past the cap of refresh families revokes the oldest and keeps the newest', async () => {
  const srv = await startServer({ args: ['--refresh-families-max', '3'] });
  try {
    const email = uniqueEmail('devices');
    const first = await api(srv, 'POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Dee', token_delivery: 'body' } });
    assert.equal(first.status, 201, first.text);
    const tokens = [first.body.refresh_token];
    for (let i = 0; i < 4; i++) {
      const res = await api(srv, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, token_delivery: 'body' } });
      assert.equal(res.status, 200, res.text);
      tokens.push(res.body.refresh_token);
    }
    // Five sign-ins, three kept: the first two families are gone.
    for (const old of tokens.slice(0, 2)) assertProblem(await refreshBody(srv, old), 401, 'invalid_refresh_token');
    const rotated = [];
    for (const kept of tokens.slice(2)) {
      const res = await refreshBody(srv, kept);
      assert.equal(res.status, 200, res.text);
      rotated.push(res.body.refresh_token);
    }
    // Rotating a family keeps its place: no sign-in happened, so all three still work.
    for (const token of rotated) assert.equal((await refreshBody(srv, token)).status, 200);
    assert.ok(srv.logs().some((l) => /oldest session revoked/.test(l)), 'the revocation is logged');
  } finally {
    await srv.stop();
  }
});
