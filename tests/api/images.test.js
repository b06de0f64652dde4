// Product images: uploads typed by content (raw body or one multipart part), size and dimension
// limits, admin-only access, files on disk created and removed with their records, and
// GET/HEAD /images/{file} with immutable caching, a sandboxing CSP and no way out of the image
// directory. Test images: a real PNG (helpers.js), and a minimal JPEG header and a WebP VP8L
// header generated here.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { api, assertProblem, png, rawConnection, rawGet, rawRequest, startServer } from './helpers.js';

const MAX_IMAGE = 100_000; // --max-image-bytes for this server; the JSON limit stays 64 KiB
const ADMIN_EMAIL = 'images-admin@example.com';
const ADMIN_PASSWORD = 'admin passphrase for images';

// ---- test images ------------------------------------------------------------------------------

/** A PNG of exactly n bytes (padding after IEND). */
const pngOfSize = (n) => {
  const base = png(4, 4);
  return png(4, 4, { pad: n - base.length });
};

/** A minimal baseline JPEG header: SOI, APP0 (JFIF), DQT, SOF0 with the size, EOI. */
function jpeg(w, h) {
  const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const dqt = Buffer.concat([Buffer.from([0xff, 0xdb, 0, 67, 0]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dqt, sof, Buffer.from([0xff, 0xd9])]);
}

/** A WebP with a lossless (VP8L) header of w x h. */
function webp(w, h) {
  const vp8l = Buffer.alloc(5);
  vp8l[0] = 0x2f;
  vp8l.writeUInt32LE(((w - 1) | ((h - 1) << 14)) >>> 0, 1);
  const chunk = Buffer.concat([Buffer.from('VP8L'), Buffer.from([5, 0, 0, 0]), vp8l, Buffer.alloc(1)]);
  const riff = Buffer.alloc(4);
  riff.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from('RIFF'), riff, Buffer.from('WEBP'), chunk]);
}

/** A WebP with an extended (VP8X) header: canvas sizes up to 2^24. */
function webpExtended(w, h) {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(w - 1, 4, 3);
  vp8x.writeUIntLE(h - 1, 7, 3);
  const chunk = Buffer.concat([Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), vp8x]);
  const riff = Buffer.alloc(4);
  riff.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from('RIFF'), riff, Buffer.from('WEBP'), chunk]);
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect width="10" height="10"/></svg>';
const randomId = (prefix) => `${prefix}_${Array.from(crypto.randomBytes(26), (b) => '0123456789abcdefghjkmnpqrstvwxyz'[b & 31]).join('')}`;

// ---- the server and its users -------------------------------------------------------------------

let server;
let admin;
let customer;
let imagesDir;
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

before(async () => {
  server = await startServer({
    args: ['--max-image-bytes', String(MAX_IMAGE)],
    env: { MERCATO_ADMIN_EMAIL: ADMIN_EMAIL, MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  imagesDir = path.join(server.dataDir, 'images');
  const a = await api(server, 'POST', '/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, token_delivery: 'body' } });
  assert.equal(a.status, 200, a.text);
  admin = a.body.access_token;
  const c = await api(server, 'POST', '/api/v1/auth/signup', {
    body: { email: 'images-customer@example.com', password: 'customer passphrase', name: 'Cleo', token_delivery: 'body' },
  });
  assert.equal(c.status, 201, c.text);
  customer = c.body.access_token;
});

after(async () => { await server?.stop(); });

let productSeq = 0;
async function createProduct() {
  const n = ++productSeq;
  const res = await api(server, 'POST', '/api/v1/admin/products', {
    headers: bearer(admin), body: { name: `Image test product ${n}`, description: 'For image tests.', price: 1000 + n, stock: 3 },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.product.id;
}

const imagesPath = (id) => `/api/v1/admin/products/${id}/images`;

function upload(productId, body, type, { token = admin, headers = {} } = {}) {
  const h = { ...(token ? bearer(token) : {}), ...headers };
  if (type) h['content-type'] = type;
  return api(server, 'POST', imagesPath(productId), { headers: h, body, raw: true });
}

function multipartUpload(productId, parts, { token = admin } = {}) {
  const form = new FormData();
  for (const p of parts) form.append(p.name || 'file', new Blob([p.data], p.type ? { type: p.type } : {}), p.filename || 'upload.bin');
  return api(server, 'POST', imagesPath(productId), { headers: bearer(token), body: form, raw: true });
}

const filesOnDisk = () => (fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir).sort() : []);
const fileOf = (image) => path.join(imagesDir, image.url.replace(/^\/images\//, ''));

// ---- uploads -----------------------------------------------------------------------------------

test('a raw PNG upload is 201 with the image, written 0644 under <data-dir>/images and listed on the product', async () => {
  const id = await createProduct();
  const bytes = png(64, 48);
  const res = await upload(id, bytes, 'image/png');
  assert.equal(res.status, 201, res.text);
  const { image, product } = res.body;
  assert.match(image.id, /^img_[0-9a-z]{26}$/);
  assert.equal(image.url, `/images/${image.id}.png`);
  assert.equal(res.headers.get('location'), image.url);
  assert.deepEqual({ ...image, id: undefined, url: undefined }, { id: undefined, url: undefined, content_type: 'image/png', width: 64, height: 48, bytes: bytes.length });
  assert.equal(product.id, id);
  assert.deepEqual(product.images.map((i) => i.id), [image.id]);
  const file = fileOf(image);
  assert.deepEqual(fs.readFileSync(file), bytes);
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.ok(!filesOnDisk().some((f) => f.startsWith('.')), `no temporary file left: ${filesOnDisk()}`);
});

test('JPEG and WebP are typed by their content; application/octet-stream claims nothing', async () => {
  const id = await createProduct();
  const j = await upload(id, jpeg(1200, 800), 'image/jpeg');
  assert.equal(j.status, 201, j.text);
  assert.equal(j.body.image.content_type, 'image/jpeg');
  assert.match(j.body.image.url, /\.jpg$/);
  assert.deepEqual([j.body.image.width, j.body.image.height], [1200, 800]);
  const w = await upload(id, webp(300, 200), 'image/webp');
  assert.equal(w.status, 201, w.text);
  assert.equal(w.body.image.content_type, 'image/webp');
  assert.match(w.body.image.url, /\.webp$/);
  assert.deepEqual([w.body.image.width, w.body.image.height], [300, 200]);
  const o = await upload(id, png(2, 3), 'application/octet-stream');
  assert.equal(o.status, 201, o.text);
  assert.equal(o.body.image.content_type, 'image/png');
  assert.deepEqual(o.body.product.images.map((i) => i.content_type), ['image/jpeg', 'image/webp', 'image/png']);
});

test('a multipart/form-data upload with one file part is accepted, whatever the file is called', async () => {
  const id = await createProduct();
  const bytes = webp(640, 480);
  const res = await multipartUpload(id, [{ name: 'file', data: bytes, type: 'image/webp', filename: 'holiday.exe' }]);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.image.content_type, 'image/webp');
  assert.equal(res.body.image.bytes, bytes.length);
  assert.deepEqual(fs.readFileSync(fileOf(res.body.image)), bytes);
  const untyped = await multipartUpload(id, [{ name: 'image', data: jpeg(10, 10) }]);
  assert.equal(untyped.status, 201, untyped.text);
  assert.equal(untyped.body.image.content_type, 'image/jpeg');
});

test('a multipart body with two parts, or no boundary, is 400 malformed_multipart and stores nothing', async () => {
  const id = await createProduct();
  const before_ = filesOnDisk();
  const two = await multipartUpload(id, [{ data: png(1, 1), type: 'image/png' }, { name: 'other', data: png(1, 1), type: 'image/png' }]);
  assertProblem(two, 400, 'malformed_multipart');
  const noBoundary = await upload(id, '--x\r\n\r\nabc\r\n--x--', 'multipart/form-data');
  assertProblem(noBoundary, 400, 'malformed_multipart');
  assert.deepEqual(filesOnDisk(), before_);
});

test('bodies that are not JPEG, PNG or WebP are 415 unsupported_image naming the body, and store nothing', async () => {
  const id = await createProduct();
  const before_ = filesOnDisk();
  const cases = [
    [SVG, 'image/png'],
    ['<!doctype html><html><script>alert(document.cookie)</script></html>', 'image/png'],
    [Buffer.concat([png(1, 1).subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')]), 'image/png'],
    [Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1'), 'image/gif'],
    [png(8, 8).subarray(0, 20), 'image/png'], // truncated inside IHDR
    [Buffer.from('{"image":"png"}'), 'application/json'],
  ];
  for (const [body, type] of cases) {
    const res = await upload(id, body, type);
    const p = assertProblem(res, 415, 'unsupported_image');
    assert.equal(p.errors?.[0]?.field, 'body', res.text);
  }
  const multi = await multipartUpload(id, [{ data: Buffer.from(SVG), type: 'image/svg+xml', filename: 'x.png' }]);
  assertProblem(multi, 415, 'unsupported_image');
  assert.deepEqual(filesOnDisk(), before_);
});

test('a declared type that disagrees with the content is 415 image_type_mismatch naming the body', async () => {
  const id = await createProduct();
  const before_ = filesOnDisk();
  const raw = await upload(id, png(4, 4), 'image/jpeg');
  const p = assertProblem(raw, 415, 'image_type_mismatch');
  assert.deepEqual(p.errors.map((e) => [e.field, e.code]), [['body', 'type_mismatch']]);
  assert.match(p.detail, /image\/png/);
  const html = await upload(id, jpeg(4, 4), 'text/html');
  assertProblem(html, 415, 'image_type_mismatch');
  const multi = await multipartUpload(id, [{ data: webp(4, 4), type: 'image/png' }]);
  assertProblem(multi, 415, 'image_type_mismatch');
  assert.deepEqual(filesOnDisk(), before_);
});

test('sides outside 1..20000 pixels are 422; 20000 is fine', async () => {
  const id = await createProduct();
  const before_ = filesOnDisk();
  for (const body of [png(20001, 1), jpeg(5, 0), webpExtended(100, 20001)]) {
    const res = await upload(id, body, null);
    const p = assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(p.errors.map((e) => [e.field, e.code]), [['body', 'dimensions_out_of_range']]);
  }
  assert.deepEqual(filesOnDisk(), before_);
  const ok = await upload(id, png(20000, 1), 'image/png');
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.image.width, 20000);
});

test('an empty body is 422 naming the body', async () => {
  const id = await createProduct();
  const res = await upload(id, Buffer.alloc(0), 'image/png');
  const p = assertProblem(res, 422, 'validation_failed');
  assert.deepEqual(p.errors.map((e) => [e.field, e.code]), [['body', 'required']]);
});

test('an image of exactly --max-image-bytes is stored (above the 64 KiB JSON limit); one byte more is 413', async () => {
  const id = await createProduct();
  const at = await upload(id, pngOfSize(MAX_IMAGE), 'image/png');
  assert.equal(at.status, 201, at.text);
  assert.equal(at.body.image.bytes, MAX_IMAGE);
  assert.equal(fs.statSync(fileOf(at.body.image)).size, MAX_IMAGE);
  const before_ = filesOnDisk();
  const over = await upload(id, pngOfSize(MAX_IMAGE + 1), 'image/png');
  assertProblem(over, 413, 'payload_too_large');
  assert.deepEqual(filesOnDisk(), before_);
  // JSON routes keep their own limit.
  const json = await api(server, 'POST', '/api/v1/auth/login', {
    body: `{"email":"${'x'.repeat(70_000)}"}`, raw: true, headers: { 'content-type': 'application/json' },
  });
  assertProblem(json, 413, 'payload_too_large');
});

test('in a multipart body the file may be --max-image-bytes (the framing is extra); one byte more is 413', async () => {
  const id = await createProduct();
  const at = await multipartUpload(id, [{ data: pngOfSize(MAX_IMAGE), type: 'image/png' }]);
  assert.equal(at.status, 201, at.text);
  const before_ = filesOnDisk();
  const over = await multipartUpload(id, [{ data: pngOfSize(MAX_IMAGE + 1), type: 'image/png' }]);
  assertProblem(over, 413, 'payload_too_large');
  assert.deepEqual(filesOnDisk(), before_);
});

test('an oversize chunked upload (no Content-Length) is 413', async () => {
  const id = await createProduct();
  const conn = rawConnection(server.port);
  await conn.connected;
  await conn.write(`POST ${imagesPath(id)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
    'Content-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
  let res;
  const got = conn.response().then((r) => { res = r; });
  const chunk = pngOfSize(16384);
  for (let i = 0; i < 10 && !res; i++) {
    try { await conn.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])); } catch { break; }
  }
  try { await conn.write('0\r\n\r\n'); } catch { /* closed already */ }
  await got;
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).code, 'payload_too_large');
});

test('an upload for an unknown product is 404 and leaves no file behind', async () => {
  const before_ = filesOnDisk();
  const unknown = await upload(randomId('prod'), png(5, 5), 'image/png');
  assertProblem(unknown, 404, 'not_found');
  const malformed = await upload('not-a-product', png(5, 5), 'image/png');
  assertProblem(malformed, 404, 'not_found');
  assert.deepEqual(filesOnDisk(), before_);
});

test('uploads need an admin: 401 without a token, 403 for a customer, and nothing is stored', async () => {
  const id = await createProduct();
  const before_ = filesOnDisk();
  const anon = await upload(id, png(5, 5), 'image/png', { token: null });
  assertProblem(anon, 401, 'unauthenticated');
  const cust = await upload(id, png(5, 5), 'image/png', { token: customer });
  assertProblem(cust, 403, 'forbidden');
  const badToken = await upload(id, png(5, 5), 'image/png', { token: 'not.a.token' });
  assertProblem(badToken, 401, 'invalid_token');
  assert.deepEqual(filesOnDisk(), before_);
});

test('a product takes 20 images; the 21st is 422 too_many_images and leaves no file', async () => {
  const id = await createProduct();
  for (let i = 0; i < 20; i++) {
    const res = await upload(id, png(1 + i, 1), 'image/png');
    assert.equal(res.status, 201, res.text);
  }
  const before_ = filesOnDisk();
  const res = await upload(id, png(99, 1), 'image/png');
  assertProblem(res, 422, 'too_many_images');
  assert.deepEqual(filesOnDisk(), before_);
});

test('the storefront sees a new image at once (the catalog cache is invalidated)', async () => {
  const id = await createProduct();
  const first = await api(server, 'GET', `/api/v1/products/${id}`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body.product.images, []);
  const up = await upload(id, png(7, 7), 'image/png');
  assert.equal(up.status, 201, up.text);
  const second = await api(server, 'GET', `/api/v1/products/${id}`);
  assert.deepEqual(second.body.product.images.map((i) => i.url), [up.body.image.url]);
  const del = await api(server, 'DELETE', `${imagesPath(id)}/${up.body.image.id}`, { headers: bearer(admin) });
  assert.equal(del.status, 204);
  const third = await api(server, 'GET', `/api/v1/products/${id}`);
  assert.deepEqual(third.body.product.images, []);
});

// ---- deleting ------------------------------------------------------------------------------------

test('DELETE removes the record and then the file: 204, the URL answers 404, a second DELETE is 404', async () => {
  const id = await createProduct();
  const keep = (await upload(id, png(3, 3), 'image/png')).body.image;
  const gone = (await upload(id, jpeg(3, 3), 'image/jpeg')).body.image;
  assert.ok(fs.existsSync(fileOf(gone)));
  const del = await api(server, 'DELETE', `${imagesPath(id)}/${gone.id}`, { headers: bearer(admin) });
  assert.equal(del.status, 204, del.text);
  assert.equal(del.text, '');
  assert.ok(!fs.existsSync(fileOf(gone)), 'file removed');
  assert.ok(fs.existsSync(fileOf(keep)), 'the other image stays');
  assertProblem(await api(server, 'GET', gone.url), 404, 'not_found');
  assertProblem(await api(server, 'DELETE', `${imagesPath(id)}/${gone.id}`, { headers: bearer(admin) }), 404, 'not_found');
  const product = await api(server, 'GET', `/api/v1/products/${id}`);
  assert.deepEqual(product.body.product.images.map((i) => i.url), [keep.url]);
});

test('DELETE of an unknown image, another product\'s image or a malformed id is 404 and removes nothing', async () => {
  const a = await createProduct();
  const b = await createProduct();
  const image = (await upload(a, png(3, 3), 'image/png')).body.image;
  for (const p of [`${imagesPath(a)}/${randomId('img')}`, `${imagesPath(b)}/${image.id}`, `${imagesPath(a)}/nope`,
    `${imagesPath(randomId('prod'))}/${image.id}`]) {
    assertProblem(await api(server, 'DELETE', p, { headers: bearer(admin) }), 404, 'not_found');
  }
  assert.ok(fs.existsSync(fileOf(image)));
});

test('DELETE needs an admin: 401 without a token, 403 for a customer', async () => {
  const id = await createProduct();
  const image = (await upload(id, png(3, 3), 'image/png')).body.image;
  assertProblem(await api(server, 'DELETE', `${imagesPath(id)}/${image.id}`), 401, 'unauthenticated');
  assertProblem(await api(server, 'DELETE', `${imagesPath(id)}/${image.id}`, { headers: bearer(customer) }), 403, 'forbidden');
  assert.ok(fs.existsSync(fileOf(image)));
});

// ---- serving -----------------------------------------------------------------------------------

const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

function assertImageHeaders(res, type) {
  assert.equal(res.headers.get('content-type'), type);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('content-security-policy'), IMAGE_CSP);
  assert.match(res.headers.get('etag') || '', /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.match(res.headers.get('x-request-id') || '', /^[0-9a-f]{32}$/);
}

test('GET /images/<file> serves the bytes with their type, an immutable cache, an ETag, nosniff and the sandbox CSP', async () => {
  const id = await createProduct();
  for (const [bytes, type] of [[png(9, 9), 'image/png'], [jpeg(9, 9), 'image/jpeg'], [webp(9, 9), 'image/webp']]) {
    const image = (await upload(id, bytes, type)).body.image;
    const res = await fetch(server.base + image.url);
    assert.equal(res.status, 200);
    assertImageHeaders(res, type);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  }
});

test('HEAD /images/<file> has the headers and no body; If-None-Match with the ETag is 304', async () => {
  const id = await createProduct();
  const bytes = png(11, 11);
  const image = (await upload(id, bytes, 'image/png')).body.image;
  const head = await fetch(server.base + image.url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assertImageHeaders(head, 'image/png');
  assert.equal(Number(head.headers.get('content-length')), bytes.length);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const etag = head.headers.get('etag');
  const cached = await fetch(server.base + image.url, { headers: { 'If-None-Match': etag } });
  assert.equal(cached.status, 304);
  assert.equal(cached.headers.get('etag'), etag);
  const other = await fetch(server.base + image.url, { headers: { 'If-None-Match': '"0-0"' } });
  assert.equal(other.status, 200);
});

test('an SVG placed in the image directory (demo seed) is image/svg+xml with the sandbox CSP, kept by the finishing layer', async () => {
  fs.mkdirSync(imagesDir, { recursive: true });
  const name = `${randomId('img')}.svg`;
  fs.writeFileSync(path.join(imagesDir, name), SVG);
  const res = await fetch(`${server.base}/images/${name}`);
  assert.equal(res.status, 200);
  assertImageHeaders(res, 'image/svg+xml');
  assert.equal(await res.text(), SVG);
  // One CSP header, the image's: no page policy appended beside it.
  const raw = await rawRequest(server.port, rawGet(`/images/${name}`));
  assert.equal(raw.headers['content-security-policy'], IMAGE_CSP);
});

test('names that are not generated ones are 404, even for files that exist in the directory', async () => {
  const id = await createProduct();
  const image = (await upload(id, png(3, 3), 'image/png')).body.image;
  const base = image.url.replace(/^\/images\//, '').replace(/\.png$/, '');
  fs.writeFileSync(path.join(imagesDir, `.${base}.png.tmp`), 'partial');
  fs.writeFileSync(path.join(imagesDir, `${base}.html`), '<script>alert(1)</script>');
  fs.writeFileSync(path.join(imagesDir, `${base}.PNG`), 'upper');
  for (const name of [`.${base}.png.tmp`, `${base}.html`, `${base}.PNG`, `${base}.jpeg`, `${base.toUpperCase()}.png`,
    `${base}x.png`, base, 'favicon.ico', `${randomId('img')}.png`]) {
    const res = await api(server, 'GET', `/images/${encodeURIComponent(name)}`);
    assertProblem(res, 404, 'not_found');
  }
});

test('a symlink or a directory under a valid name is not served', async () => {
  const link = `${randomId('img')}.png`;
  const dir = `${randomId('img')}.webp`;
  fs.symlinkSync(path.join(server.dataDir, 'mercato.db'), path.join(imagesDir, link));
  fs.mkdirSync(path.join(imagesDir, dir));
  for (const name of [link, dir]) assertProblem(await api(server, 'GET', `/images/${name}`), 404, 'not_found');
});

test('path traversal is impossible: raw and encoded ../ never reach the data directory', async () => {
  const id = await createProduct();
  const image = (await upload(id, png(3, 3), 'image/png')).body.image;
  const name = image.url.replace(/^\/images\//, '');
  const attempts = [
    '/images/../mercato.db', '/images/..%2fmercato.db', '/images/%2e%2e%2fmercato.db', '/images/%2e%2e/mercato.db',
    '/images/%2E%2E%2Fmercato.db', '/images/..%5cmercato.db', '/images/..\\mercato.db', '/images/%252e%252e%252fmercato.db',
    '/images/../jwt-secret', '/images/%2e%2e%2fjwt-secret', '/images//mercato.db', '/images/./mercato.db',
    `/images/${name}/../../mercato.db`, `/images/${name}%00.html`, `/images/${name}%2f..%2f..%2fmercato.db`,
    '/images/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/images/....//....//mercato.db', '/images/%c0%ae%c0%ae/mercato.db',
  ];
  const secret = fs.readFileSync(path.join(server.dataDir, 'jwt-secret'));
  for (const p of attempts) {
    const res = await rawRequest(server.port, rawGet(p));
    assert.ok([400, 404].includes(res.status), `${p} -> ${res.status}`);
    assert.ok(!res.raw.includes('SQLite format 3'), `${p} leaked the database`);
    assert.ok(!res.raw.includes(secret.toString('latin1')), `${p} leaked the JWT secret`);
    assert.ok(!res.raw.includes('root:'), `${p} leaked /etc/passwd`);
  }
});

test('/images answers only GET and HEAD: POST is 405 with Allow', async () => {
  const res = await api(server, 'POST', `/images/${randomId('img')}.png`, { body: png(1, 1), raw: true, headers: { 'content-type': 'image/png' } });
  assertProblem(res, 405, 'method_not_allowed');
  assert.match(res.headers.get('allow') || '', /GET/);
});
