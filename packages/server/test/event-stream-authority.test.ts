/**
 * Isolation (I5) over time: an event stream is authorised when it opens, and must not go
 * on delivering pokes — which carry values — once that authority has ended. At its token's
 * `exp` the server sends `reauthenticate` (`token_expired`) and ends it; when
 * `resolveSpaces` stops granting a space the stream serves, it does the same
 * (`spaces_changed`). Real tokens and a real socket; the tokens live a second or two, and
 * the tests wait on what the streams receive, never on how fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';
import { SseReader } from './support/sse.ts';

async function openStream(url: string, token: string, query = '') {
  const response = await fetch(`${url}/v1/events${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const stream = new SseReader(response);
  await stream.until(() => stream.pokes.length === 1);
  return stream;
}

/** The `reauthenticate` events a stream received, by reason. */
const reauthentications = (stream: SseReader) =>
  stream.records
    .filter((r) => r.event === 'reauthenticate')
    .map((r) => JSON.parse(r.data!).reason as string);

/** Payload of a token, read without verifying it (the test signed it). */
const expOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;

describe.each(DATABASE_KINDS)('event streams end with their authority on $name', (kind) => {
  describe('at the token’s exp', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(kind);
    });
    afterAll(() => server.stop());

    let written = 0;
    const write = async (space: string, secret: string) => {
      const [result] = await server.write([
        { space, collection: 'notes', key: `n${++written}`, op: 'put', value: { secret } },
      ]);
      if (result?.status !== 'applied') throw new Error('the write was not applied');
      return result.version;
    };

    it('sends reauthenticate and ends the stream, and a record written after exp is not delivered on it', async () => {
      const shortLived = await server.token('alice', ['alice'], 2);
      const longLived = await server.token('alice', ['alice']);
      const expiring = await openStream(server.url, shortLived);
      const control = await openStream(server.url, longLived);

      const before = await write('alice', 'before exp');
      await expiring.until(() => expiring.pokes.includes(before));

      await expiring.closed;
      // The server ended it at exp, not earlier.
      expect(Date.now()).toBeGreaterThanOrEqual(expOf(shortLived) * 1000);
      expect(reauthentications(expiring)).toEqual(['token_expired']);
      expect(expiring.records.at(-1)?.event).toBe('reauthenticate');

      const after = await write('alice', 'after exp');
      await control.until(() => control.pokes.includes(after));
      expect(expiring.pokes).not.toContain(after);
      expect(JSON.stringify(expiring.records)).not.toContain('after exp');
      await control.close();

      // The same token is refused everywhere else too.
      const pull = await server.post('/v1/pull', { clientId: 'alice-expired' }, shortLived);
      expect(pull.status).toBe(401);
      const again = await fetch(`${server.url}/v1/events?access_token=${shortLived}`);
      expect(again.status).toBe(401);
    });
  });

  describe('when resolveSpaces stops granting a space', () => {
    const granted = new Map<string, string[]>();
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(kind, {
        jwtSecret: undefined,
        auth: {
          secret: TEST_SECRET,
          resolveSpaces: async ({ userId }) => granted.get(userId) ?? [],
          // Looked up again on every re-check, which runs often here.
          spacesCache: { ttlMs: 1 },
        },
        spacesRecheckMs: 50,
      });
    });
    afterAll(() => server.stop());

    let written = 0;
    const write = async (space: string) => {
      const [result] = await server.write([
        { space, collection: 'notes', key: `n${++written}`, op: 'put', value: { space } },
      ]);
      if (result?.status !== 'applied') throw new Error('the write was not applied');
      return result.version;
    };

    it('ends the streams over that space with reauthenticate, and no later poke for it reaches the user', async () => {
      granted.set('alice', ['alice', 'team']);
      const token = await server.token('alice');
      const everything = await openStream(server.url, token);
      const ownOnly = await openStream(server.url, token, '?spaces=alice');
      const shared = await write('team');
      await everything.until(() => everything.pokes.includes(shared));

      granted.set('alice', ['alice']);
      await everything.closed;
      expect(reauthentications(everything)).toEqual(['spaces_changed']);
      expect(everything.records.at(-1)?.event).toBe('reauthenticate');

      // Reconnecting with the same token gives a stream over what is granted now.
      const reconnected = await openStream(server.url, token);
      const forbidden = await fetch(`${server.url}/v1/events?access_token=${token}&spaces=team`);
      expect(forbidden.status).toBe(403);

      const revoked = await write('team');
      const own = await write('alice');
      // Pokes go out in commit order: once the later one is in, the earlier would be too.
      await reconnected.until(() => reconnected.pokes.includes(own));
      await ownOnly.until(() => ownOnly.pokes.includes(own));
      for (const stream of [everything, reconnected, ownOnly]) {
        expect(stream.pokes).not.toContain(revoked);
      }
      // A stream over spaces still granted was never ended.
      expect(reauthentications(ownOnly)).toEqual([]);
      await Promise.all([reconnected.close(), ownOnly.close()]);
    });
  });
});
