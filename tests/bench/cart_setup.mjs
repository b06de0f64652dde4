// tests/bench/cart_setup.mjs: prepares the cart scenarios of scripts/bench on a running server.
// As the admin (BENCH_ADMIN_EMAIL / BENCH_ADMIN_PASSWORD) it creates BENCH_CART_PRODUCTS products
// with plenty of stock and a small PNG each; then it signs up BENCH_CART_USERS customers, puts
// every product in each one's cart once, and writes their access tokens (one a line) to
// <out dir>/cart-tokens.txt and the product ids to <out dir>/cart-products.txt, for
// cart_get.lua and cart_add.lua. The scenarios then read and add to many customers' carts of
// the same size, so no single row is hot and GET /cart reads the same lines in every round.
//
//   node tests/bench/cart_setup.mjs http://127.0.0.1:PORT OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [base, outDir] = process.argv.slice(2);
const USERS = Number(process.env.BENCH_CART_USERS || 200);
const PRODUCTS = Number(process.env.BENCH_CART_PRODUCTS || 5);
const PARALLEL = 8;
const api = `${base}/api/v1`;

async function call(method, url, { token, body, type = 'application/json' } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = type;
  const res = await fetch(url, { method, headers, body: type === 'application/json' && body !== undefined ? JSON.stringify(body) : body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A 64x64 PNG in one colour. */
function png(seed) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, sum]);
  };
  const w = 64;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, seed * 37)]);
  const raw = Buffer.concat(Array.from({ length: w }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Runs fn(i) for i in 0..n-1, PARALLEL at a time; resolves to the results in order. */
async function pool(n, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

const admin = await call('POST', `${api}/auth/login`, {
  body: { email: process.env.BENCH_ADMIN_EMAIL, password: process.env.BENCH_ADMIN_PASSWORD, token_delivery: 'body' },
});
const run = Date.now().toString(36);
const products = [];
for (let i = 0; i < PRODUCTS; i++) {
  const { product } = await call('POST', `${api}/admin/products`, {
    token: admin.access_token,
    body: { name: `Bench cart product ${run} ${i}`, description: 'For the cart benchmark.', price: 1000 + 250 * i, stock: 1000000000 },
  });
  await call('POST', `${api}/admin/products/${product.id}/images`, { token: admin.access_token, body: png(i), type: 'image/png' });
  products.push(product.id);
}
const tokens = await pool(USERS, async (i) => {
  const signup = await call('POST', `${api}/auth/signup`, {
    body: { email: `bench-cart-${run}-${i}@example.com`, password: 'bench cart password', name: `Bench ${i}`, token_delivery: 'body' },
  });
  for (const id of products) {
    await call('POST', `${api}/cart/items`, { token: signup.access_token, body: { product_id: id, quantity: 1 } });
  }
  return signup.access_token;
});
fs.writeFileSync(path.join(outDir, 'cart-tokens.txt'), `${tokens.join('\n')}\n`);
fs.writeFileSync(path.join(outDir, 'cart-products.txt'), `${products.join('\n')}\n`);
console.log(`${USERS} customers with ${PRODUCTS} lines each`);
