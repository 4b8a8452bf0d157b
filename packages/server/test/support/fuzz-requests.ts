/**
 * Generators of hostile requests, shared by the fuzz test (every route answers only
 * documented statuses) and the memory check (thousands of them leave no memory behind).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** The statuses the protocol documents; a hostile request may get only these. */
export const DOCUMENTED = new Set([200, 201, 204, 400, 401, 403, 404, 405, 413, 415, 429]);

export const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    "'; DROP TABLE ferry_records; --",
    'a'.repeat(300),
    '😀'.repeat(200),
  ),
);
export const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, -1, 0, 1e308, 1.5),
);
export const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  oddString,
  oddNumber,
  fc.constant(null),
  fc.constant({ ['__proto__']: { polluted: true } }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
);
export const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: oddValue });

export const mutation = fc.record(
  {
    id: maybe(fc.integer({ min: 1, max: 1000 })),
    space: maybe(fc.constantFrom('fuzzer', 'vault', 'x'.repeat(129))),
    collection: maybe(fc.constantFrom('c', 'd')),
    key: maybe(oddString),
    op: maybe(fc.constantFrom('put', 'patch', 'delete')),
    value: maybe(fc.dictionary(oddString, oddValue, { maxKeys: 4 })),
    ifVersion: maybe(fc.nat()),
  },
  { requiredKeys: [] },
);
export const pushBody = fc.record(
  {
    clientId: maybe(fc.constantFrom('fuzz-client', 'other-client')),
    mutations: maybe(fc.array(mutation, { maxLength: 6 })),
  },
  { requiredKeys: [] },
);
export const pullBody = fc.record(
  {
    clientId: maybe(fc.constant('fuzz-client')),
    cursor: maybe(fc.oneof(fc.constant(null), fc.string())),
    limit: maybe(fc.integer({ min: -5, max: 6000 })),
    spaces: maybe(fc.array(fc.constantFrom('fuzzer', 'vault', ''), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

/** Ways to garble a serialised body on its way out. */
export const transport = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    '',
    'application/x-www-form-urlencoded',
  ),
  garble: fc.constantFrom(
    'none',
    'truncate',
    'duplicate-keys',
    'deep',
    'gzip',
    'bad-gzip',
    'not-utf8',
  ),
  auth: fc.constantFrom('valid', 'none', 'garbage', 'other-user'),
});

export function garbled(
  json: string,
  how: string,
): { body: Uint8Array | string; encoding?: string } {
  switch (how) {
    case 'truncate':
      return { body: json.slice(0, Math.max(0, json.length - 3)) };
    case 'duplicate-keys':
      return { body: json.replace(/^\{/, '{"clientId":"dup-a","clientId":"fuzz-client",') };
    case 'deep':
      return { body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` };
    case 'gzip':
      return { body: new Uint8Array(gzipSync(json)), encoding: 'gzip' };
    case 'bad-gzip':
      return { body: json, encoding: 'gzip' };
    case 'not-utf8':
      return { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) };
    default:
      return { body: json };
  }
}

export type Transport = { contentType: string; garble: string; auth: string };

/** A request for `path` with `json` garbled and authenticated as `t` says. */
export function hostileRequest(
  url: string,
  method: string,
  json: string,
  t: Transport,
  tokens: Record<string, string | undefined>,
): Request {
  const { body, encoding } = garbled(json, t.garble) as { body: BodyInit; encoding?: string };
  const headers: Record<string, string> = {};
  if (t.contentType) headers['content-type'] = t.contentType;
  if (encoding) headers['content-encoding'] = encoding;
  if (t.auth === 'garbage') headers.authorization = 'Bearer not.a.token';
  else if (t.auth !== 'none') headers.authorization = `Bearer ${tokens[t.auth]}`;
  return new Request(url, { method, headers, body: method === 'GET' ? undefined : body });
}
