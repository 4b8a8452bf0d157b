/**
 * A pino logger handed to createClient as it is keeps the fields the engine logs: the
 * engine calls `logger.info(fields, message)`, pino's own shape. Called the other way
 * round, pino would take the fields as a format argument and drop them.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createClient, createMemoryStore } from '../src/index.ts';

function linesOf(written: string[]): Record<string, unknown>[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('a pino logger passed to createClient keeps its structured fields', async () => {
  const written: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  const client = createClient({
    url: 'https://app.test/sync',
    store: createMemoryStore(),
    logger: pino({ level: 'debug' }, destination),
    fetch: async () =>
      new Response(
        JSON.stringify({ changes: [], cursor: 'c', hasMore: false, lastMutationId: 0 }),
        { headers: { 'content-type': 'application/json' } },
      ),
  });
  await client.sync();
  await client.close();

  const lines = linesOf(written);
  const generated = lines.find((line) => line.msg === 'generated a client id');
  expect(generated).toMatchObject({ level: 30, clientId: expect.any(String) });
  // A message with no fields is logged as the message alone.
  expect(lines.find((line) => line.msg === 'client closed')).toMatchObject({ level: 20 });
});
