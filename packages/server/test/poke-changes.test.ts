/**
 * Pokes that carry a small commit's changes. What a client may rely on: if its cursor
 * stands at a version in [from, version), applying the poke's changes and taking its cursor
 * leaves it exactly where pulling from its cursor would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PATCH_CHANGES } from '../src/storage/commit-patch.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { SseReader } from './support/sse.ts';

interface PokeData {
  version: number;
  from?: number;
  cursor?: string;
  changes?: { space: string; key: string; version: number; value: unknown }[];
}

describe.each(DATABASE_KINDS)('pokes with changes on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind, { tombstoneRetentionMs: 60_000 });
  });
  afterAll(() => server.stop());

  let nextId = 1;
  const put = (token: string, clientId: string, space: string, keys: string[]) =>
    server.post(
      '/v1/push',
      {
        clientId,
        mutations: keys.map((key) => ({
          id: nextId++,
          space,
          collection: 'c',
          key,
          op: 'put',
          value: { key, at: nextId },
        })),
      },
      token,
    );
  // A client id is owned by the first user to use it: one reader per token.
  const readers = new Map<string, string>();
  const pull = async (token: string, cursor: string | null, spaces?: string[]) => {
    if (!readers.has(token)) readers.set(token, `reader-${readers.size}`);
    const { status, body } = await server.post(
      '/v1/pull',
      { clientId: readers.get(token), cursor, ...(spaces ? { spaces } : {}) },
      token,
    );
    expect(status).toBe(200);
    return body as {
      changes: { key: string; version: number; value: unknown }[];
      cursor: string;
      cursorVersion: number;
    };
  };
  const openStream = async (token: string, query = '') => {
    const response = await fetch(`${server.url}/v1/events${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const stream = new SseReader(response);
    await stream.until(() => stream.pokes.length === 1);
    return stream;
  };
  const pokesOf = (stream: SseReader): PokeData[] =>
    stream.records.filter((r) => r.event === 'poke').map((r) => JSON.parse(r.data!));
  const nextPoke = async (stream: SseReader, seen: number) => {
    await stream.until(() => stream.pokes.length > seen);
    return pokesOf(stream)[seen]!;
  };

  /** The poke's changes stand in for the pull from `cursor`; its cursor has nothing after. */
  const expectSameAsPull = async (
    token: string,
    poke: PokeData,
    position: { cursor: string; cursorVersion: number },
    spaces?: string[],
  ) => {
    expect(poke.from).toBeLessThanOrEqual(position.cursorVersion);
    expect(position.cursorVersion).toBeLessThan(poke.version);
    const pulled = await pull(token, position.cursor, spaces);
    expect(poke.changes).toEqual(pulled.changes);
    expect(pulled.cursorVersion).toBe(poke.version);
    const after = await pull(token, poke.cursor!, spaces);
    expect(after.changes).toEqual([]);
    return pulled;
  };

  it('a small commit’s poke carries its changes, and follows on from an up-to-date cursor', async () => {
    const alice = await server.token('alice', ['notes-a']);
    const stream = await openStream(alice);
    let position = await pull(alice, null);

    for (const keys of [['k1'], ['k2', 'k3'], ['k1']]) {
      const seen = stream.pokes.length;
      const pushed = await put(alice, 'writer-a', 'notes-a', keys);
      expect(pushed.status).toBe(200);
      const poke = await nextPoke(stream, seen);
      expect(poke.version).toBe(pushed.body.results.at(-1).version);
      expect(poke.changes?.map((c) => c.key)).toEqual(keys);
      position = await expectSameAsPull(alice, poke, position);
    }
    await stream.close();
  });

  it('an overwritten record does not count towards `from`; a deletion travels as null', async () => {
    const bob = await server.token('bob', ['notes-b']);
    await put(bob, 'writer-b', 'notes-b', ['old']);
    const first = await put(bob, 'writer-b', 'notes-b', ['hot']);
    const stream = await openStream(bob);
    const position = await pull(bob, null);
    const seen = stream.pokes.length;
    await server.post(
      '/v1/push',
      {
        clientId: 'writer-b',
        mutations: [{ id: nextId++, space: 'notes-b', collection: 'c', key: 'hot', op: 'delete' }],
      },
      bob,
    );
    const poke = await nextPoke(stream, seen);
    // The only record before the commit that it left alone is 'old'.
    expect(poke.from).toBeLessThan(first.body.results[0].version);
    expect(poke.changes).toEqual([expect.objectContaining({ key: 'hot', value: null })]);
    await expectSameAsPull(bob, poke, position);
    await stream.close();
  });

  it('a commit overwriting the space’s newest records follows on from the newest it left alone', async () => {
    const cy = await server.token('cy', ['notes-cy']);
    const old = await put(cy, 'writer-cy', 'notes-cy', ['old']);
    for (const key of ['a', 'b', 'c']) await put(cy, 'writer-cy', 'notes-cy', [key]);
    const stream = await openStream(cy);
    const position = await pull(cy, null);
    const seen = stream.pokes.length;
    await put(cy, 'writer-cy', 'notes-cy', ['c', 'a', 'b']);
    const poke = await nextPoke(stream, seen);
    // 'a', 'b' and 'c' were the space's three newest records and are all rewritten: what
    // the commit follows on from is 'old', the newest one it left alone.
    expect(poke.from).toBe(old.body.results[0].version);
    await expectSameAsPull(cy, poke, position);
    await stream.close();
  });

  it('a stream over several spaces gets only its spaces’ changes, after commits elsewhere', async () => {
    const carol = await server.token('carol', ['carol', 'team']);
    const dave = await server.token('dave', ['dave', 'team']);
    const stream = await openStream(carol);
    await put(carol, 'writer-c', 'carol', ['mine']);
    let position = await pull(carol, null);
    // Commits Carol cannot see move the head without changing her spaces.
    await put(dave, 'writer-d', 'dave', ['elsewhere']);
    const seen = stream.pokes.length;
    await server.post(
      '/v1/push',
      {
        clientId: 'writer-d',
        mutations: [
          { id: nextId++, space: 'dave', collection: 'c', key: 'd2', op: 'put', value: {} },
          { id: nextId++, space: 'team', collection: 'c', key: 't1', op: 'put', value: {} },
        ],
      },
      dave,
    );
    const poke = await nextPoke(stream, seen);
    expect(poke.changes?.map((c) => [c.space, c.key])).toEqual([['team', 't1']]);
    position = await expectSameAsPull(carol, poke, position);
    expect(position.changes.map((c) => c.key)).toEqual(['t1']);
    await stream.close();
  });

  it('a stream narrowed to some spaces gets a cursor for those spaces', async () => {
    const erin = await server.token('erin', ['erin', 'erin-2']);
    const stream = await openStream(erin, '?spaces=erin');
    const position = await pull(erin, null, ['erin']);
    const seen = stream.pokes.length;
    await put(erin, 'writer-e', 'erin', ['e1']);
    const poke = await nextPoke(stream, seen);
    await expectSameAsPull(erin, poke, position, ['erin']);
    await stream.close();
  });

  it('`from` is never below the compaction floor, so a cursor under it pulls and is reset', async () => {
    const ivan = await server.token('ivan', ['floor']);
    await put(ivan, 'writer-i', 'floor', ['x']);
    const deleted = await server.post(
      '/v1/push',
      {
        clientId: 'writer-i',
        mutations: [{ id: nextId++, space: 'floor', collection: 'c', key: 'x', op: 'delete' }],
      },
      ivan,
    );
    await server.database.query(
      `UPDATE ferry_records SET committed_at = now() - interval '2 minutes' WHERE space = 'floor'`,
    );
    // Earlier tests' tombstones, older versions, go too.
    expect((await server.compact()).removed).toBeGreaterThanOrEqual(1);
    const stream = await openStream(ivan);
    const seen = stream.pokes.length;
    await put(ivan, 'writer-i', 'floor', ['y']);
    const poke = await nextPoke(stream, seen);
    // The space holds no record from before, but the deletion's tombstone is gone.
    expect(poke.from).toBeGreaterThanOrEqual(deleted.body.results[0].version);
    await stream.close();
  });

  it('a large commit gets a plain poke: the client pulls it', async () => {
    const frank = await server.token('frank', ['frank']);
    const stream = await openStream(frank);
    const seen = stream.pokes.length;
    const keys = Array.from({ length: MAX_PATCH_CHANGES + 1 }, (_, i) => `big-${i}`);
    const pushed = await put(frank, 'writer-f', 'frank', keys);
    const poke = await nextPoke(stream, seen);
    expect(poke).toEqual({ version: pushed.body.results.at(-1).version });
    await stream.close();
  });

  it('a pull’s cursor stands at the head of its snapshot, even in a space with no records', async () => {
    const gina = await server.token('gina', ['gina-empty']);
    const other = await server.token('hal', ['hal']);
    const pushed = await put(other, 'writer-h', 'hal', ['h1']);
    const empty = await pull(gina, null);
    expect(empty.changes).toEqual([]);
    expect(empty.cursorVersion).toBeGreaterThanOrEqual(pushed.body.results[0].version);
  });
});
