// tests/api/conformance_gen.js: requests generated from openapi.yaml for the conformance test:
// the operations, fast-check arbitraries for schema-valid values, and mutants that break one rule.

import fs from 'node:fs';
import path from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import YAML from 'yaml';

import { ROOT } from './helpers.js';

export const SPEC_ID = 'conformance:openapi.yaml';
export const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(doc, SPEC_ID);

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const at = (pointer) => pointer.split('/').slice(1).reduce((o, k) => o?.[unescape(k)], doc);

const validators = new Map();
/** An ajv validator for the schema at a JSON pointer into openapi.yaml. */
export function validatorAt(pointer) {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: `${SPEC_ID}#${pointer}` }));
  return validators.get(pointer);
}

/** The schema with its $ref followed (siblings of $ref kept) and allOf folded into one object. */
export function norm(schema) {
  let s = schema;
  const seen = new Set();
  while (s && s.$ref) {
    if (seen.has(s.$ref)) break;
    seen.add(s.$ref);
    const { $ref, ...rest } = s;
    s = { ...at($ref.slice(1)), ...rest };
  }
  if (s && s.allOf) {
    const { allOf, ...rest } = s;
    const merged = { ...rest, properties: { ...(rest.properties || {}) }, required: [...(rest.required || [])] };
    for (const part of allOf.map(norm)) {
      Object.assign(merged.properties, part.properties || {});
      merged.required.push(...(part.required || []));
      for (const k of ['type', 'additionalProperties']) if (k in part && !(k in merged)) merged[k] = part[k];
    }
    s = merged;
  }
  return s || {};
}

/** Every operation: {method, path, pointer, op, params[] (path and query), body {pointer, schema} or null, auth}. */
export function operations() {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const pointer = `/paths/${escapePointer(p)}/${method}`;
      const params = [...(item.parameters || []), ...(op.parameters || [])].map(norm)
        .filter((x) => x.in === 'path' || x.in === 'query');
      const json = op.requestBody?.content?.['application/json'];
      const security = op.security ?? doc.security;
      const auth = security.length === 0 || security.every((s) => Object.keys(s).length === 0) ? 'none'
        : security.some((s) => Object.keys(s).length === 0) ? 'optional' : 'required';
      ops.push({
        method: method.toUpperCase(), path: p, pointer, op, params, auth,
        body: json ? { pointer: `${pointer}/requestBody/content/application~1json/schema`, required: !!op.requestBody.required } : null,
        raw: op.requestBody && !json ? op.requestBody.content : null,
      });
    }
  }
  return ops;
}

// ---- schema-valid values ----------------------------------------------------------------------

const ASCII_WORD = fc.string({ unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 12 });
/** Patterns whose strings the generic text generator can also meet (negated character classes). */
const OPEN_PATTERN = /^\^(\[ \\t[^\]]*\]\*)?\[\^/;

function stringArb(s) {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, 40);
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.pattern && s.pattern.includes('(?=')) { // the signup email: a lookahead fast-check cannot read
    return fc.tuple(ASCII_WORD, ASCII_WORD, fc.constantFrom('com', 'org', 'shop', 'co.uk'))
      .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
  }
  const text = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: Math.max(min, max) }),
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, Math.min(max, 12)) }),
  );
  if (!s.pattern) return text;
  const re = new RegExp(s.pattern, 'u');
  // Text of the right length that the pattern accepts; closed patterns (ids, codes) are generated
  // from the pattern itself, and a length filter seldom refuses those.
  if (OPEN_PATTERN.test(s.pattern)) return text.filter((v) => re.test(v));
  return fc.stringMatching(re).filter((v) => [...v].length >= min && [...v].length <= (s.maxLength ?? Infinity));
}

function integerArb(s) {
  const min = s.minimum ?? -1_000_000;
  const max = s.maximum ?? 1_000_000;
  return fc.oneof(
    { arbitrary: fc.constantFrom(min, max), weight: 1 },
    { arbitrary: fc.integer({ min: Math.max(min, -100), max: Math.min(max, Math.max(min, -100) + 200) }), weight: 3 },
    { arbitrary: fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number), weight: 1 },
  );
}

/** A fast-check arbitrary of values the schema accepts (not filtered: wrap with validity()). */
export function arb(schema, overrides = {}) {
  const s = norm(schema);
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.oneOf || s.anyOf;
  if (alternatives) {
    const { oneOf, anyOf, ...rest } = s;
    return fc.oneof(...alternatives.map((a) => arb({ ...rest, ...norm(a) }, overrides)));
  }
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => arb({ ...s, type }, overrides)));
  switch (s.type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': return integerArb(s);
    case 'number': return integerArb(s);
    case 'string': return stringArb(s);
    case 'array': {
      const items = arb(s.items || {}, overrides);
      const maxLength = Math.min(s.maxItems ?? 4, 4);
      return s.uniqueItems ? fc.uniqueArray(items, { maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(items, { maxLength });
    }
    case 'object':
    default: {
      const props = s.properties || {};
      const record = {};
      for (const [k, v] of Object.entries(props)) record[k] = overrides[k] || arb(v, overrides);
      return fc.record(record, { requiredKeys: (s.required || []).filter((k) => k in props) });
    }
  }
}

// ---- schema-invalid values: one broken rule each ------------------------------------------------

/** The properties of an object schema, normalised: [[name, schema, required]]. */
export function members(schema) {
  const s = norm(schema);
  return Object.entries(s.properties || {}).map(([k, v]) => [k, norm(v), (s.required || []).includes(k)]);
}

/** What breaks each rule of one member's schema: [why, value]. */
function brokenValues(s) {
  const out = [];
  const types = new Set([].concat(s.type || (s.oneOf || s.anyOf || []).flatMap((a) => [].concat(norm(a).type || []))));
  if (!types.has('null')) out.push(['null where the schema has no null', null]);
  if (!types.has('string')) out.push(['a string for a non-string', 'x']);
  if (!types.has('integer') && !types.has('number')) out.push(['a number for a non-number', 7]);
  out.push(['an object', { nested: true }]);
  if (s.type === 'string' || types.has('string')) {
    if (s.maxLength !== undefined) out.push(['one character over maxLength', 'a'.repeat(s.maxLength + 1)]);
    if (s.minLength) out.push(['one character under minLength', 'a'.repeat(s.minLength - 1)]);
    if (s.pattern) {
      out.push(['a control character against the pattern', 'a\u0001b'.padEnd(s.minLength ?? 0, 'c')]);
      out.push(['NUL against the pattern', `a\u0000b${'c'.repeat(Math.max(0, (s.minLength ?? 0) - 3))}`]);
    }
    if (s.enum) out.push(['a value outside the enum', 'not-in-the-enum']);
    if (s.format === 'date-time') out.push(['not a date-time', 'yesterday at noon']);
  }
  if (types.has('integer')) {
    if (s.maximum !== undefined) out.push(['one above maximum', s.maximum + 1]);
    if (s.minimum !== undefined) out.push(['one below minimum', s.minimum - 1]);
    out.push(['a fraction for an integer', 1.5]);
  }
  if (s.type === 'array' && s.maxItems !== undefined) out.push(['one item over maxItems', Array.from({ length: s.maxItems + 1 }, (_, i) => i)]);
  return out;
}

/**
 * Mutants of a valid body under schemaPointer, each breaking one rule: [{why, field, body}],
 * only those the schema really refuses.
 */
export function mutants(schemaPointer, valid) {
  const schema = at(schemaPointer);
  const check = validatorAt(schemaPointer);
  const out = [];
  const push = (why, field, body) => { if (!check(body)) out.push({ why, field, body }); };
  push('a JSON array for the body', 'body', []);
  push('a JSON string for the body', 'body', 'text');
  push('null for the body', 'body', null);
  push('an unknown member', 'unknown_member', { ...valid, unknown_member: 1 });
  for (const [name, s, required] of members(schema)) {
    if (required) {
      const { [name]: _, ...rest } = valid;
      push(`${name}: missing though required`, name, rest);
    }
    for (const [why, value] of brokenValues(s)) push(`${name}: ${why}`, name, { ...valid, [name]: value });
  }
  return out;
}

/** Integer members of a body schema, for the beyond-int64 check. */
export function integerMembers(schemaPointer) {
  return members(at(schemaPointer)).filter(([, s]) => {
    const types = [].concat(s.type || (s.oneOf || []).flatMap((a) => [].concat(norm(a).type || [])));
    return types.includes('integer');
  }).map(([name]) => name);
}

export { fc };
