/**
 * The server as a library, with the app's schemas and rules: validation that names the
 * field, beforeWrite that rejects, transforms and reads the app's own tables in the same
 * transaction, afterCommit delivered at least once and never for rolled-back work, and
 * server-side writes that reach connected clients through a poke.
 */
import { createClient, createMemoryStore } from '@ferry/client';
import type { InferCollections, InputOf, OutputOf } from '@ferry/protocol';
import type { CommittedChange, FerryServerOptions } from '@ferry/server';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

const collections = {
  todos: z.object({ title: z.string().min(1), done: z.boolean().default(false) }),
  profiles: z.object({ name: z.string(), tags: z.array(z.string()).max(3) }),
};
type Schema = InferCollections<typeof collections>;

describe.each(DATABASE_KINDS)('schemas and rules on $name', (kind) => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  const start = async (options: Partial<FerryServerOptions>) => {
    server = await startServer(kind, { collections, ...options });
    return server;
  };
  const push = (s: RunningServer, token: string, clientId: string, mutations: object[]) =>
    s.post(
      '/v1/push',
      { clientId, mutations: mutations.map((m, i) => ({ id: i + 1, space: 'ann', ...m })) },
      token,
    );

  it('types values on the client from the schemas declared for the server', () => {
    expectTypeOf<OutputOf<Schema['todos']>>().toEqualTypeOf<{ title: string; done: boolean }>();
    expectTypeOf<InputOf<Schema['todos']>>().toEqualTypeOf<{ title: string; done?: boolean }>();
    expectTypeOf<OutputOf<Schema['profiles']>['tags']>().toEqualTypeOf<string[]>();
  });

  it('rejects invalid values per mutation with a message naming the field, and stores normalised ones', async () => {
    const s = await start({});
    const token = await s.token('ann');
    const r = await push(s, token, 'c-valid', [
      { collection: 'todos', key: 'bad', op: 'put', value: { title: 42 } },
      {
        collection: 'profiles',
        key: 'p',
        op: 'put',
        value: { name: 'Ann', tags: ['a', 'b', 'c', 'd'] },
      },
      { collection: 'unknown', key: 'x', op: 'put', value: {} },
      { collection: 'todos', key: 'good', op: 'put', value: { title: 'milk' } },
      { collection: 'todos', key: 'good', op: 'patch', value: { title: '' } },
    ]);
    const [badTitle, tooManyTags, unknown, good, emptyTitle] = r.body.results;
    expect(badTitle).toMatchObject({
      status: 'rejected',
      error: { code: 'invalid', message: expect.stringMatching(/^value\.title: /) },
    });
    expect(tooManyTags.error.message).toMatch(/^value\.tags: /);
    expect(unknown.error.message).toMatch(/collection "unknown" is not declared/);
    expect(good.status).toBe('applied');
    // A patch is validated as the merged value it produces.
    expect(emptyTitle).toMatchObject({ status: 'rejected', error: { code: 'invalid' } });
    const pulled = await s.post('/v1/pull', { clientId: 'c-valid', cursor: null }, token);
    expect(pulled.body.changes.map((c: { value: object }) => c.value)).toEqual([
      { title: 'milk', done: false },
    ]);
  });

  it('beforeWrite rejects, transforms, and reads the app’s tables in the same transaction', async () => {
    const s = await start({
      rules: {
        async beforeWrite(ctx, write) {
          if (
            write.collection === 'todos' &&
            write.op === 'delete' &&
            ctx.current?.value.done !== true
          ) {
            return { reject: 'only finished todos can be deleted', code: 'forbidden' };
          }
          if (write.collection === 'todos' && write.value) {
            const [row] = await ctx.db.query<{ n: string }>(
              'SELECT count(*) AS n FROM ferry_records WHERE space = $1',
              [write.space],
            );
            return {
              value: {
                ...write.value,
                title: `${String(write.value.title).trim()} (#${Number(row?.n) + 1})`,
              },
            };
          }
          return undefined;
        },
      },
    });
    const token = await s.token('ann');
    const r = await push(s, token, 'c-rules', [
      { collection: 'todos', key: 'a', op: 'put', value: { title: '  milk  ' } },
      { collection: 'todos', key: 'a', op: 'delete' },
      { collection: 'todos', key: 'a', op: 'patch', value: { done: true } },
      { collection: 'todos', key: 'a', op: 'delete' },
    ]);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual([
      'applied',
      'rejected',
      'applied',
      'applied',
    ]);
    expect(r.body.results[1].error).toEqual({
      code: 'forbidden',
      message: 'only finished todos can be deleted',
    });
    const other = await push(s, token, 'c-rules-2', [
      { collection: 'todos', key: 'b', op: 'put', value: { title: 'eggs' } },
    ]);
    expect(other.body.results[0].status).toBe('applied');
    const pulled = await s.post('/v1/pull', { clientId: 'c-rules', cursor: null }, token);
    // "a" was deleted; its tombstone still counts as a row of the space.
    expect(pulled.body.changes.map((c: { value: object }) => c.value)).toEqual([
      { title: 'eggs (#2)', done: false },
    ]);
  });

  it('afterCommit sees every committed change at least once, again after a crash, and never rolled-back work', async () => {
    const delivered: CommittedChange[][] = [];
    let failuresLeft = 2;
    const s = await start({
      rules: {
        beforeWrite(_ctx, write) {
          if (write.key === 'explode') throw new Error('rule bug');
          return undefined;
        },
        afterCommit(changes) {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('consumer crashed');
          }
          delivered.push(changes);
        },
      },
      afterCommitDelivery: { pollMs: 20, retryMs: 10, maxRetryMs: 20 },
    });
    const token = await s.token('ann');
    await push(s, token, 'c-after', [
      { collection: 'todos', key: 't1', op: 'put', value: { title: 'one' } },
    ]);
    // A batch whose rule throws rolls back: the server answers 500 and no change is delivered for it.
    const failed = await push(s, token, 'c-boom', [
      { collection: 'todos', key: 'ok', op: 'put', value: { title: 'never' } },
      { collection: 'todos', key: 'explode', op: 'put', value: { title: 'x' } },
    ]);
    expect(failed.status).toBe(500);
    await s.write(
      [{ space: 'ann', collection: 'todos', key: 't2', op: 'put', value: { title: 'two' } }],
      { userId: 'cron' },
    );
    await expect
      .poll(
        () =>
          delivered
            .flat()
            .map((c) => c.key)
            .sort(),
        { timeout: 10_000 },
      )
      .toEqual(['t1', 't2']);
    expect(failuresLeft).toBe(0);
    // Deliveries are in commit order here: once a later write is delivered, an earlier
    // rolled-back one would have been too.
    await push(s, token, 'c-after-2', [
      { collection: 'todos', key: 't3', op: 'put', value: { title: 'three' } },
    ]);
    await expect
      .poll(() => delivered.flat().some((c) => c.key === 't3'), { timeout: 10_000 })
      .toBe(true);
    expect(delivered.flat().some((c) => c.key === 'ok' || c.key === 'explode')).toBe(false);
    const t2 = delivered.flat().find((c) => c.key === 't2')!;
    expect(t2).toMatchObject({
      origin: 'server',
      userId: 'cron',
      clientId: null,
      op: 'put',
      value: { title: 'two', done: false },
    });
    const t1 = delivered.flat().find((c) => c.key === 't1')!;
    expect(t1).toMatchObject({
      origin: 'client',
      userId: 'ann',
      clientId: 'c-after',
      version: expect.any(Number),
    });
  });

  it('a server-side write reaches a connected client through a poke', async () => {
    const s = await start({});
    const token = await s.token('ann');
    const client = createClient<Schema>({
      url: s.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'ann',
      live: true,
    });
    try {
      await expect.poll(() => client.getStatus().live, { timeout: 10_000 }).toBe('open');
      const [result] = await s.write([
        {
          space: 'ann',
          collection: 'todos',
          key: 'from-server',
          op: 'put',
          value: { title: 'webhook' },
        },
      ]);
      expect(result).toMatchObject({ status: 'applied', version: expect.any(Number) });
      await expect
        .poll(() => client.collection('todos').get('from-server'), { timeout: 10_000 })
        .toEqual({ title: 'webhook', done: false });
      const invalid = await s.write([
        { space: 'ann', collection: 'todos', key: 'bad', op: 'put', value: { title: 7 } },
      ]);
      expect(invalid[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid' } });
      await expect(
        s.write([{ space: 'not a space', collection: 'todos', key: 'k', op: 'delete' }]),
      ).rejects.toThrow(/space/);
    } finally {
      await client.close();
    }
  });
});
