import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, COMPRESSION_THRESHOLD_BYTES } from '../src/http/compression.ts';
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

describe('acceptsGzip', () => {
  it('reads Accept-Encoding with qualities and wildcards', () => {
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
});

describe('response compression', () => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer(DATABASE_KINDS[0]!);
    token = await server.token('zip', ['zip', 'tiny']);
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
  });
  afterAll(() => server.stop());

  it('sends a small answer as it is, with its length, even to a client that accepts gzip', async () => {
    const answer = await rawPull(
      server,
      token,
      { clientId: 'zip-small', cursor: null, limit: 100, spaces: ['tiny'] },
      'gzip',
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.bytes.length).toBeLessThanOrEqual(COMPRESSION_THRESHOLD_BYTES);
    expect(Number(answer.headers['content-length'])).toBe(answer.bytes.length);
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(answer.bytes.toString('utf8')).changes).toEqual([]);
  });

  it('gzips a large answer for a client that accepts gzip', async () => {
    const pull = { clientId: 'zip-large', cursor: null, limit: 100, spaces: ['zip'] };
    const answer = await rawPull(server, token, pull, 'gzip, deflate');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(Number(answer.headers['content-length'])).toBe(answer.bytes.length);
    const text = gunzipSync(answer.bytes).toString('utf8');
    expect(Buffer.byteLength(text)).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);
    expect(answer.bytes.length).toBeLessThan(Buffer.byteLength(text));
    const body = JSON.parse(text);
    expect(body.changes).toHaveLength(40);
    expect(body.changes[39].value.text).toContain('note number 39');
  });

  it('sends the same large answer uncompressed when gzip is not accepted', async () => {
    for (const acceptEncoding of [undefined, 'identity', 'gzip;q=0']) {
      const pull = { clientId: 'zip-plain', cursor: null, limit: 100, spaces: ['zip'] };
      const answer = await rawPull(server, token, pull, acceptEncoding);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(answer.bytes.toString('utf8')).changes).toHaveLength(40);
    }
  });

  it('sends a large answer uncompressed to a client that accepts gzip when compression is off', async () => {
    const plain = await startServer(DATABASE_KINDS[0]!, { compression: false });
    try {
      const plainToken = await plain.token('zip', ['zip']);
      const mutations = [{ id: 1, space: 'zip', collection: 'notes', key: 'big', op: 'put' }];
      const value = { text: 'x'.repeat(4 * COMPRESSION_THRESHOLD_BYTES) };
      const push = await plain.post(
        '/v1/push',
        { clientId: 'zip-off-writer', mutations: [{ ...mutations[0], value }] },
        plainToken,
      );
      expect(push.status).toBe(200);
      const pull = { clientId: 'zip-off', cursor: null, limit: 100, spaces: ['zip'] };
      const answer = await rawPull(plain, plainToken, pull, 'gzip');
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.bytes.length).toBeGreaterThan(4 * COMPRESSION_THRESHOLD_BYTES);
      expect(JSON.parse(answer.bytes.toString('utf8')).changes[0].value).toEqual(value);
    } finally {
      await plain.stop();
    }
  });
});
