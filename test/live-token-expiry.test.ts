/**
 * A live client keeps syncing across its token's expiry. The server ends the event stream at
 * the token's `exp` with a `reauthenticate` event; the client asks getToken for a fresh
 * token (its own cache bypassed) and reconnects from its cursor: a write made elsewhere
 * after the expiry reaches it, with no snapshot from the beginning, no refused request on
 * the stream and no error in its status. Real server, real HTTP, tokens of a second or two.
 */
import { createClient, createMemoryStore, type RunRecord, type SyncStatus } from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

type Note = { text: string };

const expOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;

describe.each(DATABASE_KINDS)('a live client across token expiry on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('refreshes its token when the stream says so and receives a write made after the expiry', async () => {
    // Caches its token, as apps do, and mints a new one (two seconds) only when asked to.
    const issued: string[] = [];
    let cached: Promise<string> | undefined;
    const getToken = ({ refresh }: { refresh: boolean }) => {
      if (cached === undefined || refresh) {
        cached = server.token('alice', ['shared'], 2);
        cached.then((token) => issued.push(token));
      }
      return cached;
    };
    const refusedStreams: string[] = [];
    const pullCursors: unknown[] = [];
    const watchingFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/v1/pull') && init?.body instanceof Uint8Array) {
        pullCursors.push(JSON.parse(new TextDecoder().decode(init.body)).cursor);
      }
      const response = await fetch(input, init);
      if (url.includes('/v1/events') && response.status === 401) refusedStreams.push(url);
      return response;
    };
    const reader = createClient<{ notes: Note }>({
      url: server.url,
      store: createMemoryStore(),
      getToken,
      defaultSpace: 'shared',
      live: true,
      fetch: watchingFetch,
    });
    const writerToken = await server.token('bob', ['shared']);
    const writer = createClient<{ notes: Note }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => writerToken,
      defaultSpace: 'shared',
    });
    const runs: RunRecord[] = [];
    reader.on('run', (run) => runs.push(run));
    const statuses: SyncStatus[] = [];
    reader.subscribeStatus((status) => statuses.push(status));
    try {
      await expect.poll(() => reader.getStatus().live, { timeout: 10_000 }).toBe('open');
      await expect.poll(() => reader.getStatus().lastSuccessAt, { timeout: 10_000 }).not.toBeNull();
      const first = issued[0]!;

      // The stream ended at the first token's exp and the client fetched another.
      await expect.poll(() => issued.length, { timeout: 10_000 }).toBeGreaterThan(1);
      expect(Date.now()).toBeGreaterThanOrEqual(expOf(first) * 1000);

      await writer.collection('notes').put('after', { text: 'written after the expiry' });
      await writer.sync();
      await expect
        .poll(() => reader.collection('notes').get('after'), { timeout: 10_000 })
        .toEqual({ text: 'written after the expiry' });

      // Reconnected with the fresh token at once: the stream never sent an expired one.
      expect(refusedStreams).toEqual([]);
      expect(runs.some((run) => run.reset)).toBe(false);
      expect(pullCursors.slice(1)).not.toContain(null);
      expect(statuses.filter((s) => s.state === 'error' || s.lastError !== null)).toEqual([]);
    } finally {
      await Promise.all([reader.close(), writer.close()]);
    }
  });
});
