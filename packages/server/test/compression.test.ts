/**
 * Push and pull answers compressed when that pays: brotli or gzip as the client accepts,
 * never for a small body, and in the default `'auto'` mode not for a client on this machine
 * or a private network (a request through a nearby proxy counts as from its forwarded
 * address). Over real sockets, with the bytes exactly as sent.
 */
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptsGzip,
  COMPRESSION_THRESHOLD_BYTES,
  clientAddress,
  isNearbyAddress,
  preferredCoding,
} from '../src/http/compression.ts';
import type { FerryServerOptions } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
}

/** A pull over plain node:http, which (unlike fetch) shows the body exactly as sent. */
function rawPull(
  server: RunningServer,
  token: string,
  body: object,
  acceptEncoding: string | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<RawAnswer> {
  const url = new URL('/v1/pull', server.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
          ...extraHeaders,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** The body as the client reads it, after undoing its Content-Encoding. */
function decoded(answer: RawAnswer): string {
  const coding = answer.headers['content-encoding'];
  if (coding === 'gzip') return gunzipSync(answer.bytes).toString('utf8');
  if (coding === 'br') return brotliDecompressSync(answer.bytes).toString('utf8');
  if (coding === undefined) return answer.bytes.toString('utf8');
  throw new Error(`unexpected content-encoding ${String(coding)}`);
}

describe('Accept-Encoding', () => {
  it('accepts gzip with qualities and wildcards', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });

  it('prefers brotli, unless the client rates gzip higher or refuses brotli', () => {
    expect(preferredCoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredCoding('gzip, deflate')).toBe('gzip');
    expect(preferredCoding('br;q=0.5, gzip')).toBe('gzip');
    expect(preferredCoding('br;q=0, *')).toBe('gzip');
    expect(preferredCoding('x-gzip')).toBe('gzip');
    expect(preferredCoding('*')).toBe('br');
    expect(preferredCoding('BR')).toBe('br');
    expect(preferredCoding('deflate, identity')).toBeUndefined();
    expect(preferredCoding('*;q=0')).toBeUndefined();
    expect(preferredCoding(null)).toBeUndefined();
  });
});

describe('nearby addresses', () => {
  it('counts loopback, private, link-local and unique-local addresses as nearby', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.20',
      '169.254.169.254',
      'fd12:3456::1',
      'fe80::1%eth0',
      '::ffff:127.0.0.1',
      '::ffff:192.168.0.9',
      '[::1]',
    ])
      expect(isNearbyAddress(address), address).toBe(true);
  });

  it('counts public addresses, and anything that is not an address, as not nearby', () => {
    for (const address of [
      '8.8.8.8',
      '172.32.0.1',
      '100.64.0.1',
      '2001:4860:4860::8888',
      '::ffff:8.8.8.8',
      'localhost',
      'unknown',
      '',
    ])
      expect(isNearbyAddress(address), address).toBe(false);
  });

  it('takes the client from X-Forwarded-For or Forwarded only behind a nearby peer', () => {
    const through = (headers: Record<string, string>) => new Request('http://x/', { headers });
    const xff = through({ 'x-forwarded-for': '203.0.113.7, 10.0.0.2' });
    expect(clientAddress(xff, '127.0.0.1')).toBe('203.0.113.7');
    expect(clientAddress(xff, '198.51.100.1')).toBe('198.51.100.1');
    expect(clientAddress(xff, undefined)).toBeUndefined();
    expect(clientAddress(through({}), '10.0.0.2')).toBe('10.0.0.2');
    const forwarded = (value: string) => clientAddress(through({ forwarded: value }), '::1');
    expect(forwarded('for=192.0.2.60;proto=http;by=203.0.113.43')).toBe('192.0.2.60');
    expect(forwarded('For="[2001:db8:cafe::17]:4711"')).toBe('2001:db8:cafe::17');
    expect(forwarded('for="192.0.2.43:47011", for=198.51.100.17')).toBe('192.0.2.43');
  });
});

describe('response compression over HTTP', () => {
  const servers: RunningServer[] = [];
  /** A server holding 40 notes of ~150 B in space `zip`: a pull of them is over 1 KiB. */
  async function serverWith(options: Partial<FerryServerOptions>) {
    const server = await startServer(DATABASE_KINDS[0]!, options);
    servers.push(server);
    const token = await server.token('zip', ['zip', 'tiny']);
    const mutations = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      space: 'zip',
      collection: 'notes',
      key: `n${i}`,
      op: 'put',
      value: { text: `note number ${i} `.repeat(8) },
    }));
    const push = await server.post('/v1/push', { clientId: 'zip-writer', mutations }, token);
    expect(push.status).toBe(200);
    return { server, token };
  }
  const large = (clientId: string) => ({ clientId, cursor: null, limit: 100, spaces: ['zip'] });

  let always: Awaited<ReturnType<typeof serverWith>>;
  let auto: Awaited<ReturnType<typeof serverWith>>;
  let uncompressed: string;
  beforeAll(async () => {
    always = await serverWith({ compression: true });
    auto = await serverWith({});
    const plain = await rawPull(always.server, always.token, large('zip-reference'), undefined);
    uncompressed = plain.bytes.toString('utf8');
    expect(Buffer.byteLength(uncompressed)).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  /** The same pull answer, cursor aside (each client id gets its own). */
  const sameAnswer = (text: string) => {
    const { changes, hasMore } = JSON.parse(text);
    const reference = JSON.parse(uncompressed);
    expect(changes).toEqual(reference.changes);
    expect(hasMore).toBe(reference.hasMore);
    expect(changes).toHaveLength(40);
  };

  it('sends a small answer as it is, with its length, even to a client that accepts gzip', async () => {
    const answer = await rawPull(
      always.server,
      always.token,
      { clientId: 'zip-small', cursor: null, limit: 100, spaces: ['tiny'] },
      'gzip, br',
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.bytes.length).toBeLessThanOrEqual(COMPRESSION_THRESHOLD_BYTES);
    expect(Number(answer.headers['content-length'])).toBe(answer.bytes.length);
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(answer.bytes.toString('utf8')).changes).toEqual([]);
  });

  it.each([
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.4, gzip;q=0.8', 'gzip'],
  ])(
    'with compression on, answers Accept-Encoding "%s" with %s, the same JSON once decoded',
    async (accept, coding) => {
      const answer = await rawPull(always.server, always.token, large(`zip-${coding}`), accept);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(answer.headers['content-length'])).toBe(answer.bytes.length);
      expect(answer.bytes.length).toBeLessThan(Buffer.byteLength(uncompressed));
      sameAnswer(decoded(answer));
    },
  );

  it('sends a large answer uncompressed when neither coding is accepted', async () => {
    for (const accept of [undefined, 'identity', 'gzip;q=0, br;q=0', 'deflate']) {
      const answer = await rawPull(always.server, always.token, large('zip-plain'), accept);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      sameAnswer(answer.bytes.toString('utf8'));
    }
  });

  it('by default (auto), sends a client on this machine its large answer uncompressed', async () => {
    const answer = await rawPull(auto.server, auto.token, large('zip-auto-local'), 'gzip, br');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    sameAnswer(answer.bytes.toString('utf8'));
  });

  it('by default (auto), compresses for a remote client behind a proxy on this machine', async () => {
    const remote = await rawPull(auto.server, auto.token, large('zip-auto-remote'), 'gzip', {
      'x-forwarded-for': '203.0.113.7',
    });
    expect(remote.headers['content-encoding']).toBe('gzip');
    sameAnswer(decoded(remote));
    const viaForwarded = await rawPull(auto.server, auto.token, large('zip-auto-fwd'), 'br', {
      forwarded: 'for="[2001:db8::7]:443";proto=https',
    });
    expect(viaForwarded.headers['content-encoding']).toBe('br');
    sameAnswer(decoded(viaForwarded));
    const lan = await rawPull(auto.server, auto.token, large('zip-auto-lan'), 'gzip', {
      'x-forwarded-for': '192.168.1.20',
    });
    expect(lan.headers['content-encoding']).toBeUndefined();
    sameAnswer(lan.bytes.toString('utf8'));
  });

  it('compresses a push answer carrying a large pull too', async () => {
    const answer = await new Promise<RawAnswer>((resolve, reject) => {
      const body = JSON.stringify({
        clientId: 'zip-push-pull',
        mutations: [],
        pull: { cursor: null, limit: 100, spaces: ['zip'] },
      });
      const request = httpRequest(
        new URL('/v1/push', always.server.url),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${always.token}`,
            'accept-encoding': 'br',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              bytes: Buffer.concat(chunks),
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(JSON.parse(decoded(answer)).pull.changes).toHaveLength(40);
  });

  it('sends a large answer uncompressed to a remote client when compression is off', async () => {
    const off = await serverWith({ compression: false });
    const answer = await rawPull(off.server, off.token, large('zip-off'), 'gzip, br', {
      'x-forwarded-for': '203.0.113.7',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    sameAnswer(answer.bytes.toString('utf8'));
  });
});
