// tests/api/helpers.js: the API tests' harness. Starts the real mercato binary on a free port
// with a fresh data dir, talks HTTP to it, and checks every response against openapi.yaml.

import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MERCATO_BIN = process.env.MERCATO_BIN || path.join(ROOT, 'build', 'mercato');
export const REDIS_URL = process.env.MERCATO_TEST_REDIS_URL || '';
export const KV_ADAPTER = REDIS_URL ? 'redis' : 'memory';

const HEALTH_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 15_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves like `promise`, or to `fallback` after `ms`; never keeps the process alive. */
export function within(promise, ms, fallback = null) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves to a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary directory; the caller removes it (rmTemp). */
export function makeTempDir(prefix = 'mercato-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmTemp(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** The environment mercato runs with: ours minus any MERCATO_* setting, plus `extra`. */
export function serverEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MERCATO_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs `mercato ARGS...` to completion (for --help, migrate, bad configuration). */
export function runMercato(args, { env = {}, cwd, timeout = 10_000 } = {}) {
  const dir = cwd || makeTempDir('mercato-cli-');
  try {
    const r = spawnSync(MERCATO_BIN, args, {
      cwd: dir, env: serverEnv(env), encoding: 'utf8', timeout, killSignal: 'SIGKILL',
    });
    if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
    return { code: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '', timedOut: !!r.error };
  } finally {
    if (!cwd) rmTemp(dir);
  }
}

/**
 * Starts mercato and waits until GET /healthz answers 200.
 *
 * opts.args      extra command-line arguments
 * opts.env       extra environment (MERCATO_* from the test process itself are never inherited)
 * opts.webDir    passed as --web-dir
 * opts.dataDir   reuse this data dir instead of a fresh one (then stop() leaves it in place)
 * opts.keepDataDir  do not remove the fresh data dir on stop()
 * opts.redisUrl  --redis-url; defaults to MERCATO_TEST_REDIS_URL; false for none
 * opts.viaEnv    pass port and data dir as MERCATO_PORT / MERCATO_DATA_DIR instead of flags
 * opts.tls       {cert, key} file paths: adds --tls-cert/--tls-key and talks https
 * opts.host      the address to talk to (default 127.0.0.1; pass --bind in args to match)
 *
 * Returns {base, port, dataDir, logs(), stop(signal) -> exit code, proc}.
 */
export async function startServer(opts = {}) {
  const port = opts.port || await freePort();
  const ownDataDir = !opts.dataDir;
  const dataDir = opts.dataDir || makeTempDir('mercato-data-');
  const args = [];
  const env = { ...opts.env };
  if (opts.viaEnv) {
    env.MERCATO_PORT = String(port);
    env.MERCATO_DATA_DIR = dataDir;
  } else {
    args.push('--port', String(port), '--data-dir', dataDir);
  }
  if (opts.webDir) args.push('--web-dir', opts.webDir);
  const redisUrl = opts.redisUrl === undefined ? REDIS_URL : opts.redisUrl;
  if (redisUrl) args.push('--redis-url', redisUrl);
  // Servers of concurrent test files share the Redis database: give each its own key space
  // (the catalog cache generation, rate-limit counters) unless a test wants to share one.
  if (redisUrl && !(opts.args || []).some((a) => String(a).startsWith('--kv-prefix'))) {
    args.push('--kv-prefix', `t${crypto.randomBytes(6).toString('hex')}:`);
  }
  // Login and signup limits count per client IP, and every test talks from 127.0.0.1 (on a
  // shared Redis, across files and runs too): lift them unless a test sets its own.
  const given = new Set((opts.args || []).filter((a) => String(a).startsWith('--')).map((a) => String(a).split('=')[0]));
  for (const flag of ['--rate-login-ip', '--rate-login-account', '--rate-signup-ip', '--login-slowdown-after']) {
    if (!given.has(flag)) args.push(flag, '1000000');
  }
  if (opts.tls) args.push('--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key);
  args.push(...(opts.args || []));

  // cwd is the data dir, so relative defaults (web/dist, ./var) never pick up the repo's files.
  const proc = spawn(MERCATO_BIN, args, { cwd: dataDir, env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const collect = (stream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop();
      lines.push(...parts);
    });
    stream.on('end', () => { if (partial) lines.push(partial); partial = ''; });
  };
  collect(proc.stderr);
  collect(proc.stdout);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((info) => { exitInfo = info; });
  const spawnError = new Promise((resolve) => proc.on('error', resolve));

  const scheme = opts.tls ? 'https' : 'http';
  const server = {
    base: `${scheme}://${opts.host || '127.0.0.1'}:${port}`,
    port,
    dataDir,
    proc,
    tls: opts.tls || null,
    logs: () => lines.slice(),
    exited,
    /** Sends `signal` (default SIGTERM), waits for the exit, returns the exit code. */
    async stop(signal = 'SIGTERM') {
      if (!exitInfo) {
        proc.kill(signal);
        if (await within(exited, STOP_TIMEOUT_MS, 'timeout') === 'timeout') {
          proc.kill('SIGKILL');
          await exited;
          if (ownDataDir && !opts.keepDataDir) rmTemp(dataDir);
          throw new Error(`mercato did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}\n${lines.join('\n')}`);
        }
      }
      if (ownDataDir && !opts.keepDataDir) rmTemp(dataDir);
      return exitInfo.code;
    },
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastError = 'no answer yet';
  for (;;) {
    const early = await Promise.race([spawnError, exited, sleep(0).then(() => null)]);
    if (early) {
      if (ownDataDir && !opts.keepDataDir) rmTemp(dataDir);
      const why = early instanceof Error ? early.message : `exited with code ${early.code} signal ${early.signal}`;
      throw new Error(`mercato (${MERCATO_BIN} ${args.join(' ')}) ${why} before /healthz answered\n--- logs ---\n${lines.join('\n')}`);
    }
    try {
      const r = await request(`${server.base}/healthz`, { ca: opts.tls ? fs.readFileSync(opts.tls.cert) : undefined, timeout: 1000 });
      if (r.status === 200) return server;
      lastError = `status ${r.status}`;
    } catch (err) {
      lastError = err.message;
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      if (ownDataDir && !opts.keepDataDir) rmTemp(dataDir);
      throw new Error(`mercato did not answer GET /healthz with 200 within ${HEALTH_TIMEOUT_MS} ms (${lastError})\n--- logs ---\n${lines.join('\n')}`);
    }
    await sleep(50);
  }
}

/**
 * One HTTP(S) request through node:http, for what fetch cannot do (a private CA, no pooling).
 * Resolves to {status, headers (lower-case names), text}.
 */
export function request(url, { method = 'GET', headers = {}, body, ca, timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method, headers, ca, agent: false, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// openapi.yaml: operation lookup and response validation.

const SPEC_ID = 'mercato:openapi.yaml';
let specCache = null;

function escapePointer(s) {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function loadSpec() {
  if (specCache) return specCache;
  const file = process.env.MERCATO_TEST_OPENAPI || path.join(ROOT, 'openapi.yaml');
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addSchema(doc, SPEC_ID);

  // Prefixes the paths may be mounted under (servers[].url), plus the root.
  const prefixes = new Set(['']);
  for (const s of doc.servers || []) {
    try {
      const p = new URL(s.url, 'http://x').pathname.replace(/\/$/, '');
      prefixes.add(p);
    } catch { /* a templated server url: ignore */ }
  }
  const templates = Object.keys(doc.paths || {}).map((tpl) => {
    const params = (tpl.match(/\{[^}]+\}/g) || []).length;
    const re = new RegExp('^' + tpl.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+') + '$');
    return { tpl, re, params };
  }).sort((a, b) => a.params - b.params); // concrete paths win over templated ones

  specCache = { doc, ajv, prefixes: [...prefixes], templates, validators: new Map() };
  return specCache;
}

/** Follows a local $ref chain; returns {node, pointer}. */
function deref(doc, node, pointer) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    if (seen.has(node.$ref)) throw new Error(`openapi.yaml: $ref loop at ${node.$ref}`);
    seen.add(node.$ref);
    pointer = node.$ref.slice(1);
    node = pointer.split('/').slice(1).reduce((o, k) => (o == null ? o : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
  }
  return { node, pointer };
}

/** The path template in openapi.yaml matching a concrete request path, or null. */
export function findPathTemplate(reqPath) {
  const { templates, prefixes } = loadSpec();
  const p = reqPath.split('?')[0];
  for (const prefix of prefixes) {
    if (prefix && !p.startsWith(prefix + '/')) continue;
    const rest = prefix ? p.slice(prefix.length) : p;
    const hit = templates.find((t) => t.re.test(rest));
    if (hit) return hit.tpl;
  }
  return null;
}

function problemSchemaPointer(doc) {
  const schemas = doc.components?.schemas || {};
  const name = Object.keys(schemas).find((k) => k.toLowerCase() === 'problem');
  return name ? `/components/schemas/${escapePointer(name)}` : null;
}

function validatorFor(pointer) {
  const spec = loadSpec();
  let v = spec.validators.get(pointer);
  if (!v) {
    v = spec.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    spec.validators.set(pointer, v);
  }
  return v;
}

function mediaType(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

function pickContent(content, type) {
  if (!content) return null;
  const keys = Object.keys(content);
  const exact = keys.find((k) => k.toLowerCase() === type);
  if (exact) return exact;
  const [major] = type.split('/');
  return keys.find((k) => k.toLowerCase() === `${major}/*`) || keys.find((k) => k === '*/*') || null;
}

/**
 * Checks one response against openapi.yaml and throws an AssertionError when it is not
 * documented or its body does not validate.
 *
 * Paths the spec lists: the operation (HEAD falls back to GET) must document the status (or its
 * range, or 'default') and the content type, and the body must match the schema. A method the
 * path does not have (405), an unknown path, and a CORS preflight are answered by middleware:
 * a problem+json body must then match components.schemas.Problem; any other JSON body on /api/*,
 * /healthz or /readyz is undocumented. Non-API paths (static files) are not in the spec.
 */
export function validateResponse({ method, path: reqPath, status, contentType, text }) {
  const { doc } = loadSpec();
  method = method.toLowerCase();
  const type = mediaType(contentType);
  const isHead = method === 'head';
  const where = `${method.toUpperCase()} ${reqPath} -> ${status} ${type || '(no content type)'}`;
  const tpl = findPathTemplate(reqPath);
  const pathItem = tpl ? deref(doc, doc.paths[tpl], `/paths/${escapePointer(tpl)}`) : null;
  let op = null;
  let opPointer = null;
  if (pathItem) {
    for (const m of isHead ? ['head', 'get'] : [method]) {
      if (pathItem.node[m]) { op = pathItem.node[m]; opPointer = `${pathItem.pointer}/${m}`; break; }
    }
  }
  const bodyless = isHead || status === 204 || status === 304 || text === '';

  const validateAgainst = (pointer) => {
    let body;
    try { body = JSON.parse(text); } catch (err) {
      assert.fail(`${where}: body is not JSON (${err.message}): ${text.slice(0, 200)}`);
    }
    const v = validatorFor(pointer);
    if (!v(body)) {
      assert.fail(`${where}: body does not match openapi.yaml#${pointer}:\n` +
        `${JSON.stringify(v.errors, null, 2)}\nbody: ${text.slice(0, 1000)}`);
    }
  };

  if (!op) {
    const isApi = /^\/(api(\/|$)|healthz$|readyz$)/.test(reqPath.split('?')[0]);
    if (bodyless) return;
    if (type === 'application/problem+json') {
      const ptr = problemSchemaPointer(doc);
      assert.ok(ptr, `${where}: openapi.yaml has no components.schemas.Problem to validate problem+json against`);
      validateAgainst(ptr);
      return;
    }
    if (isApi && method !== 'options') {
      assert.fail(`${where}: not documented in openapi.yaml (no ${tpl ? method.toUpperCase() + ' operation on ' + tpl : 'path matches'})`);
    }
    return;
  }

  const responses = op.responses || {};
  const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find((k) => k in responses);
  assert.ok(key, `${where}: status ${status} is not documented for ${method.toUpperCase()} ${tpl} (documented: ${Object.keys(responses).join(', ')})`);
  const resp = deref(doc, responses[key], `${opPointer}/responses/${escapePointer(key)}`);
  if (bodyless) return;
  const ctKey = pickContent(resp.node.content, type);
  assert.ok(ctKey, `${where}: content type ${type || '(none)'} is not documented for ${method.toUpperCase()} ${tpl} ${key} (documented: ${Object.keys(resp.node.content || {}).join(', ') || 'no content'})`);
  const media = resp.node.content[ctKey];
  if (!media.schema) return;
  if (type.endsWith('json')) {
    validateAgainst(`${resp.pointer}/content/${escapePointer(ctKey)}/schema`);
  }
}

/**
 * Sends one request with fetch and validates the response against openapi.yaml.
 *
 * opts.headers  request headers; opts.body  an object (sent as JSON with Content-Type
 * application/json unless a content-type header is given) or a string/Buffer sent as is
 * (opts.raw, or any non-object body); opts.validate false to skip the spec check.
 * Resolves to {status, headers (a Headers object), body (parsed JSON or null), text}.
 */
export async function api(server, method, reqPath, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (body !== undefined && !opts.raw && typeof body === 'object' && !Buffer.isBuffer(body)) {
    body = JSON.stringify(body);
    if (!hasType) headers['content-type'] = 'application/json';
  }
  const res = await fetch(server.base + reqPath, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const contentType = res.headers.get('content-type') || '';
  let parsed = null;
  if (/^application\/(.+\+)?json/i.test(contentType) && text !== '') {
    try { parsed = JSON.parse(text); } catch (err) {
      assert.fail(`${method} ${reqPath} -> ${res.status}: ${contentType} body is not JSON (${err.message}): ${text.slice(0, 200)}`);
    }
  }
  if (opts.validate !== false) {
    validateResponse({ method, path: reqPath, status: res.status, contentType, text });
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Asserts an RFC 9457 problem response with the given status and code; returns its body. */
export function assertProblem(res, status, code) {
  const ctx = `${JSON.stringify(res.body ?? res.text).slice(0, 500)}`;
  assert.equal(res.status, status, `expected status ${status}, got ${res.status}: ${ctx}`);
  const get = (h) => (typeof res.headers.get === 'function' ? res.headers.get(h) : res.headers[h]);
  assert.match(get('content-type') || '', /^application\/problem\+json/i, 'problem content type');
  const body = res.body ?? JSON.parse(res.text);
  assert.equal(body.code, code, `problem code: ${ctx}`);
  assert.equal(body.type, `urn:mercato:problem:${code}`, `problem type: ${ctx}`);
  assert.equal(body.status, status, `problem status member: ${ctx}`);
  assert.equal(typeof body.title, 'string');
  assert.ok(body.title.length > 0, 'problem title is not empty');
  assert.equal(typeof body.detail, 'string', `problem detail: ${ctx}`);
  assert.equal(body.request_id, get('x-request-id'), 'problem request_id equals the X-Request-Id header');
  return body;
}

// ---------------------------------------------------------------------------------------------
// Raw sockets, for requests fetch would normalise or could not send.

/** Parses an HTTP/1.1 response held in `buf`; null while incomplete (unless `ended`). */
function parseResponse(buf, ended) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const status = Number(statusLine.split(' ')[1]);
  let rest = buf.subarray(headEnd + 4);
  let body;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    body = Buffer.alloc(0);
  } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) return ended ? { statusLine, status, headers, body: Buffer.concat(parts), incomplete: true } : null;
      const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) break;
      if (rest.length < nl + 2 + size + 2) return ended ? { statusLine, status, headers, body: Buffer.concat(parts), incomplete: true } : null;
      parts.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (rest.length < len) return ended ? { statusLine, status, headers, body: rest, incomplete: true } : null;
    body = rest.subarray(0, len);
  } else {
    if (!ended) return null;
    body = rest;
  }
  return { statusLine, status, headers, body };
}

/**
 * Opens a raw TCP connection. write(text) sends bytes; response() resolves to the first
 * response {statusLine, status, headers (lower-case names), body (string), raw} or rejects
 * on timeout / a connection closed before any response.
 */
export function rawConnection(port, { timeout = 5000, host = '127.0.0.1' } = {}) {
  const socket = net.connect({ port, host });
  let buf = Buffer.alloc(0);
  let settled = false;
  let resolveFn;
  let rejectFn;
  const promise = new Promise((resolve, reject) => { resolveFn = resolve; rejectFn = reject; });
  promise.catch(() => {});
  const finish = (ended) => {
    if (settled) return;
    const r = parseResponse(buf, ended);
    if (r) {
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolveFn({ ...r, body: r.body.toString('utf8'), raw: buf.toString('latin1') });
    } else if (ended) {
      settled = true;
      clearTimeout(timer);
      rejectFn(new Error(`connection closed before a complete response (${buf.length} bytes: ${JSON.stringify(buf.toString('latin1').slice(0, 200))})`));
    }
  };
  const timer = setTimeout(() => {
    if (settled) return;
    settled = true;
    socket.destroy();
    rejectFn(new Error(`no complete response within ${timeout} ms (${buf.length} bytes so far)`));
  }, timeout);
  socket.on('data', (c) => { buf = Buffer.concat([buf, c]); finish(false); });
  socket.on('end', () => finish(true));
  socket.on('close', () => finish(true));
  socket.on('error', (err) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    rejectFn(err);
  });
  const connected = new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  connected.catch(() => {});
  return {
    socket,
    connected,
    write: (data) => new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve()))),
    response: () => promise,
    close: () => socket.destroy(),
  };
}

/** Sends `text` as is over a new connection and resolves to the parsed response. */
export async function rawRequest(port, text, opts = {}) {
  const conn = rawConnection(port, opts);
  await conn.connected;
  await conn.write(text);
  return conn.response();
}

/** A minimal request line + headers for rawRequest, with Connection: close. */
export function rawGet(reqPath, { method = 'GET', headers = {} } = {}) {
  const lines = [`${method} ${reqPath} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

/**
 * A web dir inside a fresh temp root, with a secret file beside it (outside the web dir) that
 * traversal tests must never see. Returns {root, webDir, secret, files}.
 */
export function makeWebDir() {
  const root = makeTempDir('mercato-web-');
  const webDir = path.join(root, 'web');
  fs.mkdirSync(path.join(webDir, 'assets'), { recursive: true });
  const asset = `/* mercato test bundle */\n${'console.log("app-0123abcd");\n'.repeat(700)}`;
  const files = {
    'index.html': '<!doctype html><html><head><title>Mercato test shop</title></head><body><div id="app">INDEX-MARKER</div></body></html>\n',
    'assets/app-0123abcd.js': asset,
    'assets/app-89abcdef.css': 'body{color:#111}\n',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>\n',
    'robots.txt': 'User-agent: *\nDisallow: /api/\n',
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(webDir, name), content);
  const secret = 'TOP-SECRET-OUTSIDE-WEB-DIR';
  fs.writeFileSync(path.join(root, 'secret.txt'), `${secret}\n`);
  fs.writeFileSync(path.join(root, 'secret'), `${secret}\n`);
  fs.writeFileSync(path.join(root, 'web.js'), `${secret}\n`);
  return { root, webDir, secret, files };
}

/** Starts a redis-server of our own on a free loopback port (for tests that kill it). */
export async function startRedis() {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) return null;
  const dir = makeTempDir('mercato-redis-');
  const port = await freePort();
  const startOnce = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' });
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    for (let i = 0; i < 100; i++) {
      try {
        const ok = await new Promise((resolve, reject) => {
          const s = net.connect({ port, host: '127.0.0.1' });
          s.setTimeout(500);
          s.on('connect', () => s.write('PING\r\n'));
          s.on('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
          s.on('error', reject);
          s.on('timeout', () => { s.destroy(); reject(new Error('timeout')); });
        });
        if (ok) return { proc, exited };
      } catch { /* not up yet */ }
      await sleep(50);
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}`);
  };
  let current = await startOnce();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async kill() { current.proc.kill('SIGKILL'); await current.exited; },
    async restart() { current = await startOnce(); },
    async stop() {
      if (current.proc.exitCode === null && current.proc.signalCode === null) {
        current.proc.kill('SIGKILL');
        await current.exited;
      }
      rmTemp(dir);
    },
  };
}

/** A self-signed certificate for 127.0.0.1/localhost made with certtool. Returns {dir, cert, key}. */
export function makeCert() {
  const dir = makeTempDir('mercato-tls-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const tmpl = path.join(dir, 'cert.cfg');
  fs.writeFileSync(tmpl, [
    'cn = "localhost"', 'dns_name = "localhost"', 'ip_address = "127.0.0.1"', 'serial = 1',
    'expiration_days = 2', 'tls_www_server', 'signing_key', 'encryption_key', '',
  ].join('\n'));
  const run = (args) => {
    const r = spawnSync('certtool', args, { encoding: 'utf8' });
    if (r.error) throw new Error(`certtool: ${r.error.message} (install gnutls-bin)`);
    if (r.status !== 0) throw new Error(`certtool ${args.join(' ')} failed: ${r.stderr}`);
  };
  run(['--generate-privkey', '--key-type=rsa', '--bits=2048', '--outfile', key]);
  run(['--generate-self-signed', '--load-privkey', key, '--template', tmpl, '--outfile', cert]);
  return { dir, cert, key };
}

// ---- images ------------------------------------------------------------------------------------

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid RGB PNG of w x h pixels in one colour; `pad` bytes of zeros after IEND. */
export function png(w, h, { pad = 0, rgb = [200, 30, 90] } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + w * 3);
  for (let x = 0; x < w; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)),
    Buffer.alloc(pad),
  ]);
}

// ---- accounts ---------------------------------------------------------------------------------

const emailRun = crypto.randomBytes(4).toString('hex');
let emailSeq = 0;

/** A fresh address per call, unique across files and runs (tests share servers and Redis). */
export const uniqueEmail = (tag = 'user') => `${tag}-${emailRun}-${++emailSeq}@example.com`;

/** The Authorization header for an access token. */
export const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/** The claims of a JWT, unverified (the tests check what the server put in). */
export const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/** The mercato_refresh Set-Cookie lines of a response. */
export const refreshCookies = (res) => res.headers.getSetCookie().filter((c) => /^mercato_refresh=/i.test(c));

/** Asserts a 422 validation_failed whose errors are exactly `expected` [field, code] pairs (any order). */
export function assertInvalid(res, expected) {
  const body = assertProblem(res, 422, 'validation_failed');
  assert.ok(Array.isArray(body.errors), `errors[]: ${res.text}`);
  for (const e of body.errors) {
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0, 'every error has a message');
  }
  const got = body.errors.map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(got, expected.map(([f, c]) => `${f}:${c}`).sort(), res.text);
  return body;
}

/**
 * Signs in the admin that MERCATO_ADMIN_* created and signs up a customer with email: the
 * headers of each, for the admin test files.
 */
export async function adminAndCustomer(server, admin, email) {
  const login = await api(server, 'POST', '/api/v1/auth/login', { body: { ...admin, token_delivery: 'body' } });
  assert.equal(login.status, 200, login.text);
  const signup = await api(server, 'POST', '/api/v1/auth/signup', {
    body: { email, password: 'correct horse battery staple', name: 'Shopper', token_delivery: 'body' },
  });
  assert.equal(signup.status, 201, signup.text);
  return { adminHeaders: bearer(login.body.access_token), customerHeaders: bearer(signup.body.access_token) };
}
