/**
 * One user may hold at most `limits.maxEventStreamsPerUser` event streams (default 32).
 * Opening one more ends that user's oldest stream, with a retry hint, and nobody else's;
 * a stream that closes, whichever side closes it, frees its slot.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFerryServer, DEFAULT_SERVER_LIMITS } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';
import { SseReader } from './support/sse.ts';

const CAP = DEFAULT_SERVER_LIMITS.maxEventStreamsPerUser;

/** The open event streams, from the server's metrics. */
async function openStreams(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('ferry_event_streams '));
  return Number(line?.split(' ')[1]);
}

/** True once the stream ended with a retry hint after its opening records. */
const endedWithRetryHint = (stream: SseReader) =>
  stream.records.length > 2 && stream.records.at(-1)?.retry !== undefined;

describe.each(DATABASE_KINDS)('event streams per user on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  let written = 0;
  /** Commits to the shared space; resolves with the version every open stream is poked with. */
  const commit = async () => {
    const [result] = await server.write([
      { space: 'shared', collection: 'c', key: `k${++written}`, op: 'put', value: {} },
    ]);
    if (result?.status !== 'applied') throw new Error(`the write was not applied: ${result}`);
    return result.version;
  };
  const open = async (token: string) => {
    const response = await fetch(`${server.url}/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const stream = new SseReader(response);
    await stream.until(() => stream.pokes.length === 1);
    return stream;
  };
  const pokedWith = async (streams: SseReader[], version: number) => {
    for (const stream of streams) await stream.until(() => stream.pokes.includes(version));
  };

  it("one stream over the cap ends the user's oldest, and no one else's", async () => {
    const mallory = await server.token('mallory', ['shared']);
    const alice = await server.token('alice', ['shared']);
    const bystander = await open(alice);
    const streams: SseReader[] = [];
    // One at a time, so the oldest is known.
    for (let i = 0; i < CAP; i++) streams.push(await open(mallory));
    expect(await openStreams(server.url)).toBe(CAP + 1);

    const newest = await open(mallory);
    const [oldest, ...kept] = streams as [SseReader, ...SseReader[]];
    await oldest.closed;
    expect(endedWithRetryHint(oldest)).toBe(true);
    await expect.poll(() => openStreams(server.url)).toBe(CAP + 1);
    // Another user opens streams as before, and ends none of Mallory's.
    const another = await open(alice);
    const version = await commit();
    await pokedWith([bystander, another, newest, ...kept], version);
    expect(oldest.pokes).not.toContain(version);
    expect(await openStreams(server.url)).toBe(CAP + 2);

    for (const stream of [bystander, another, newest, ...kept]) await stream.close();
    await expect.poll(() => openStreams(server.url)).toBe(0);
  });

  it('a closed stream frees its slot, whichever side closed it', async () => {
    const token = await server.token('bob', ['shared']);
    const streams: SseReader[] = [];
    for (let i = 0; i < CAP; i++) streams.push(await open(token));
    // The client hangs up on three of them.
    const closed = streams.splice(0, 3);
    for (const stream of closed) await stream.close();
    await expect.poll(() => openStreams(server.url)).toBe(CAP - 3);

    // Three new ones fit where those were: none of the others is ended.
    for (let i = 0; i < 3; i++) streams.push(await open(token));
    const version = await commit();
    await pokedWith(streams, version);
    expect(streams.some(endedWithRetryHint)).toBe(false);
    expect(await openStreams(server.url)).toBe(CAP);

    // Ended by the server (one more opened): the slot is freed, and counted once.
    streams.push(await open(token));
    const ended = streams.shift()!;
    await ended.closed;
    streams.push(await open(token));
    await streams.shift()!.closed;
    await expect.poll(() => openStreams(server.url)).toBe(CAP);
    for (const stream of streams) await stream.close();
    await expect.poll(() => openStreams(server.url)).toBe(0);
  });
});

describe.each(DATABASE_KINDS)('event streams per user as web responses ($name)', (kind) => {
  it('a body cancelled frees its slot; one over the cap ends the oldest body', async () => {
    const { database, dispose } = await kind.create();
    // Served through the web-standard handler alone: each stream is a Response body.
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: pino({ level: 'silent' }),
      limits: { maxEventStreamsPerUser: 2 },
    });
    try {
      const token = await ferry.signToken({ userId: 'carol', spaces: ['shared'] }, 60);
      const open = async () => {
        const response = await ferry.fetch(
          new Request('http://ferry.test/v1/events', {
            headers: { authorization: `Bearer ${token}` },
          }),
        );
        expect(response.status).toBe(200);
        const stream = new SseReader(response);
        await stream.until(() => stream.pokes.length === 1);
        return stream;
      };
      const first = await open();
      const second = await open();
      await first.close();
      // The cancelled body freed its slot: a third fits without ending the second.
      const third = await open();
      const fourth = await open();
      await second.closed;
      expect(endedWithRetryHint(second)).toBe(true);
      const [written] = await ferry.write([
        { space: 'shared', collection: 'c', key: 'k', op: 'put', value: {} },
      ]);
      expect(written?.status).toBe('applied');
      const version = written?.status === 'applied' ? written.version : -1;
      for (const stream of [third, fourth])
        await stream.until(() => stream.pokes.includes(version));
      await Promise.all([third.close(), fourth.close()]);
    } finally {
      await ferry.close();
      await dispose();
    }
  });
});
