/**
 * Changes that arrive in a poke are applied without a pull when they follow on from the
 * client's cursor, and pulled as usual whenever that is not certain.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../src/index.ts';
import { createServer, recorder, settle, setup, type Todo } from './support/harness.ts';

/** A live client that has pulled once, so it knows where its cursor stands. */
async function pulledLiveClient() {
  const server = createServer();
  const harness = setup({ live: true }, server);
  const rows = recorder<Row<Todo>[]>();
  harness.client.collection('todos').subscribe(rows.listener);
  await settle();
  expect(server.countRequests('pull')).toBe(1);
  return { ...harness, rows };
}

describe('changes carried by pokes', () => {
  it('are applied at once, with no pull, when they follow on from the cursor', async () => {
    const { client, server, rows, store } = await pulledLiveClient();
    server.commitInPoke('alice', 'todos', 't1', { title: 'from the poke' });
    await settle();
    expect(rows.last()?.map((r) => r.value)).toEqual([{ title: 'from the poke' }]);
    server.commitInPoke('alice', 'todos', 't1', null);
    await settle();
    expect(rows.last()).toEqual([]);
    expect(server.countRequests('pull')).toBe(1);
    // The cursor moved with them: the next pull asks from after the last poke.
    expect(await store.getMeta('cursor')).toBe(String(server.version));
    await client.sync();
    expect(server.requests.at(-1)?.body).toMatchObject({ cursor: String(server.version) });
    await client.close();
  });

  it('are logged at debug level when applied, so a verbose log shows live changes', async () => {
    const debug: unknown[][] = [];
    const ignore = () => {};
    const server = createServer();
    const logger = {
      debug: (...args: unknown[]) => debug.push(args),
      info: ignore,
      warn: ignore,
      error: ignore,
    };
    const { client } = setup({ live: true, logger }, server);
    await settle();
    server.commitInPoke('alice', 'todos', 't1', { title: 'from the poke' });
    await settle();
    expect(debug).toContainEqual([
      `applied 1 change(s) a poke carried, up to version ${server.version}`,
    ]);
    await client.close();
  });

  it('are pulled instead when the client may have missed a change before them', async () => {
    const { client, server, rows } = await pulledLiveClient();
    // Committed while the client was not told (a plain poke lost, say)…
    server.records.set('alice\u0000todos\u0000missed', {
      space: 'alice',
      collection: 'todos',
      key: 'missed',
      value: { title: 'missed' },
      version: ++server.version,
    });
    // …so the next poke's changes start after a version the client's cursor has not reached.
    server.commitInPoke('alice', 'todos', 't2', { title: 'poked' });
    await settle();
    expect(server.countRequests('pull')).toBe(2);
    expect(rows.last()?.map((r) => r.key)).toEqual(['missed', 't2']);
    await client.close();
  });

  it('are pulled when the client has not pulled yet, or a sync is running', async () => {
    const server = createServer();
    const pull = server.holdAnswer('pull');
    const { client } = setup({ live: true }, server);
    await pull.arrived;
    server.commitInPoke('alice', 'todos', 't3', { title: 'during the pull' });
    await settle();
    pull.release();
    await settle();
    // The poke came while the first pull ran, after it was read: a follow-up pull brings its changes.
    expect(server.countRequests('pull')).toBe(2);
    expect(await client.collection('todos').get('t3')).toEqual({ title: 'during the pull' });
    await client.close();
  });

  it('that do not hold up are pulled instead, and nothing of them is stored', async () => {
    const { client, server, rows } = await pulledLiveClient();
    server.sendRaw(
      'event: poke\ndata: {"version": 99, "from": 0, "cursor": "99", "changes": [{"space": "alice"}]}\n\n',
    );
    await settle();
    expect(server.countRequests('pull')).toBe(2);
    expect(rows.last()).toEqual([]);
    expect(client.getStatus().state).not.toBe('error');
    await client.close();
  });

  it('already covered by the cursor are skipped, with no pull', async () => {
    const { client, server, store } = await pulledLiveClient();
    const version = server.commitInPoke('alice', 'todos', 't4', { title: 'once' });
    await settle();
    // The same poke again (as after a reconnect): the cursor is past it already.
    server.sendRaw(
      `event: poke\ndata: ${JSON.stringify({ version, from: 0, cursor: 'stale', changes: [] })}\n\n`,
    );
    await settle();
    expect(server.countRequests('pull')).toBe(1);
    expect(await store.getMeta('cursor')).toBe(String(version));
    await client.close();
  });
});
