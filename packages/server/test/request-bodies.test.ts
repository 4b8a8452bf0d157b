/**
 * Request bodies are read from Node's own request when the server is served on Node, and
 * from the web `Request` when its `fetch` handler is called directly (Bun, Deno, edge
 * runtimes, tests). Both paths must apply the same limits and give the same answers.
 */
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFerryServer, type FerryServer, type Listening, listen } from '../src/index.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';
import { TEST_SECRET } from './support/server.ts';

const MAX_BODY_BYTES = 16 * 1024;

const push = (clientId: string, text: string) =>
  JSON.stringify({
    clientId,
    mutations: [
      { id: 1, space: 'alice', collection: 'notes', key: clientId, op: 'put', value: { text } },
    ],
  });

/** A body sent in chunks, without a Content-Length, so only reading it can tell its size. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 4096));
      offset += 4096;
    },
  });
}

describe('request bodies', () => {
  let test: TestDatabase;
  let ferry: FerryServer;
  let listening: Listening;
  let token: string;
  beforeAll(async () => {
    test = await DATABASE_KINDS[0]!.create();
    ferry = await createFerryServer({
      database: test.database,
      jwtSecret: TEST_SECRET,
      logger: pino({ level: 'silent' }),
      limits: { maxBodyBytes: MAX_BODY_BYTES },
    });
    listening = await listen(ferry);
    token = await ferry.signToken({ userId: 'alice' }, 3600);
  });
  afterAll(async () => {
    await listening.close();
    await test.dispose();
  });

  const send = (
    via: 'node' | 'fetch-handler',
    body: BodyInit,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit & { duplex?: 'half' } = {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
    };
    if (body instanceof ReadableStream) init.duplex = 'half';
    return via === 'node'
      ? fetch(`${listening.url}/v1/push`, init)
      : ferry.fetch(new Request(`${listening.url}/v1/push`, init));
  };

  for (const via of ['node', 'fetch-handler'] as const) {
    it(`reads plain, chunked and gzipped bodies (${via})`, async () => {
      const plain = await send(via, push(`plain-${via}`, 'a'));
      expect(plain.status).toBe(200);
      const streamed = await send(
        via,
        chunked(new TextEncoder().encode(push(`chunked-${via}`, 'b'.repeat(10_000)))),
      );
      expect(streamed.status).toBe(200);
      const zipped = await send(via, gzipSync(push(`gzip-${via}`, 'c')), {
        'content-encoding': 'gzip',
      });
      expect(zipped.status).toBe(200);
      const [row] = await test.database.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM ferry_records WHERE key = ANY($1::text[])`,
        [[`plain-${via}`, `chunked-${via}`, `gzip-${via}`]],
      );
      expect(Number(row?.n)).toBe(3);
    });

    it(`refuses bodies over the limit, as sent or once decompressed, and bad gzip (${via})`, async () => {
      const big = push(`big-${via}`, 'x'.repeat(MAX_BODY_BYTES));
      const streamed = await send(via, chunked(new TextEncoder().encode(big)));
      expect(streamed.status).toBe(413);
      expect((await streamed.json()).error.code).toBe('payload_too_large');
      const bomb = gzipSync(big);
      expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
      const expanded = await send(via, bomb, { 'content-encoding': 'gzip' });
      expect(expanded.status).toBe(413);
      const bad = await send(via, push(`bad-${via}`, 'y'), { 'content-encoding': 'gzip' });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('invalid_request');
      const [row] = await test.database.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM ferry_records WHERE key = ANY($1::text[])`,
        [[`big-${via}`, `bad-${via}`]],
      );
      expect(Number(row?.n)).toBe(0);
    });
  }
});
