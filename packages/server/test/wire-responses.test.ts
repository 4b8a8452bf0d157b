/**
 * The server's answers, as bytes on a socket, pass the protocol's own response checks
 * (the ones every client runs): push results of each status, pull pages, and pokes with and
 * without changes. A field the server spells differently from the protocol's types (a
 * version sent as a string by the database driver, a missing cursor) fails here.
 */
import {
  type PullResponse,
  parsePokeChanges,
  parsePullResponse,
  parsePushResponse,
} from '@ferry/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { SseReader } from './support/sse.ts';

/** POSTs a JSON body and decodes the response's bytes, as a client does. */
async function postBytes(server: RunningServer, path: string, body: unknown, token: string) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return JSON.parse(new TextDecoder().decode(await response.arrayBuffer())) as unknown;
}

describe.each(DATABASE_KINDS)('server responses decoded by the protocol on $name', (kind) => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer(kind);
    token = await server.token('wire-user', ['wire']);
  });
  afterAll(() => server.stop());

  const mutation = (id: number, key: string, extra: object = {}) => ({
    id,
    space: 'wire',
    collection: 'notes',
    key,
    op: 'put',
    value: { key },
    ...extra,
  });

  it('push results: applied, rejected, and duplicates that keep their rejection', async () => {
    const push = (mutations: object[]) =>
      postBytes(server, '/v1/push', { clientId: 'wire-push', mutations }, token);
    const first = parsePushResponse(
      await push([mutation(1, 'a'), mutation(2, 'b', { ifVersion: 99 })]),
    );
    expect(first.lastMutationId).toBe(2);
    const [applied, rejected] = first.results;
    expect(applied).toEqual({ id: 1, status: 'applied', version: expect.any(Number) });
    expect(rejected).toEqual({
      id: 2,
      status: 'rejected',
      error: { code: 'conflict', message: expect.any(String) },
    });

    const again = parsePushResponse(await push([mutation(1, 'a'), mutation(2, 'b')]));
    expect(again.results).toEqual([
      { id: 1, status: 'duplicate' },
      { id: 2, status: 'duplicate', error: rejected?.status === 'rejected' && rejected.error },
    ]);
  });

  it('pull pages: changes, cursor, hasMore and the cursor’s version', async () => {
    const pushed = parsePushResponse(
      await postBytes(
        server,
        '/v1/push',
        { clientId: 'wire-pages', mutations: [mutation(1, 'p1'), mutation(2, 'p2')] },
        token,
      ),
    );
    const pull = async (cursor: string | null): Promise<PullResponse> =>
      parsePullResponse(
        await postBytes(server, '/v1/pull', { clientId: 'wire-pages', cursor, limit: 1 }, token),
      );
    const pages: PullResponse[] = [await pull(null)];
    while (pages.at(-1)?.hasMore) pages.push(await pull(pages.at(-1)!.cursor));

    expect(pages.length).toBeGreaterThan(1);
    const changes = pages.flatMap((page) => page.changes);
    const versions = pushed.results.map((r) => (r.status === 'applied' ? r.version : 0));
    expect(changes.filter((c) => c.key.startsWith('p'))).toEqual([
      { space: 'wire', collection: 'notes', key: 'p1', version: versions[0], value: { key: 'p1' } },
      { space: 'wire', collection: 'notes', key: 'p2', version: versions[1], value: { key: 'p2' } },
    ]);
    expect(pages.at(-1)?.lastMutationId).toBe(2);
    expect(pages.at(-1)?.cursorVersion).toBe(Math.max(...changes.map((c) => c.version)));
  });

  it('pokes: a plain poke has no changes, a small commit’s poke carries them', async () => {
    const response = await fetch(`${server.url}/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const stream = new SseReader(response);
    const pokeData = () =>
      stream.records.filter((r) => r.event === 'poke').map((r) => r.data ?? '');
    await stream.until(() => pokeData().length === 1);
    expect(parsePokeChanges(pokeData()[0]!)).toBeUndefined();

    const pushed = parsePushResponse(
      await postBytes(
        server,
        '/v1/push',
        { clientId: 'wire-poke', mutations: [mutation(1, 'k')] },
        token,
      ),
    );
    await stream.until(() => pokeData().length === 2);
    const poke = parsePokeChanges(pokeData()[1]!);
    await stream.close();

    const version = pushed.results[0]?.status === 'applied' ? pushed.results[0].version : 0;
    expect(poke).toEqual({
      version,
      from: expect.any(Number),
      cursor: expect.any(String),
      changes: [{ space: 'wire', collection: 'notes', key: 'k', version, value: { key: 'k' } }],
    });
  });
});
