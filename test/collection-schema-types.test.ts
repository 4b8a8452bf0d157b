/**
 * A client typed by the server's zod schemas writes each schema's input type and reads its
 * output type: `put('k', { title })` type-checks when the schema fills `done` by default,
 * and the value read back after a sync has it. It used to be typed by the output type on
 * both sides, so that put did not type-check. Queries name fields of the value type in
 * `where`, with values of their types.
 */
import { type Collection, createClient, createMemoryStore, type FerryClient } from '@ferry/client';
import type { InferCollections, InputOf, OutputOf } from '@ferry/protocol';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

const collections = {
  todos: z.object({
    title: z.string().min(1),
    done: z.boolean().default(false),
    tags: z.array(z.string()).default([]),
  }),
  notes: z.object({ text: z.string() }),
};
type Schema = InferCollections<typeof collections>;
type TodoIn = { title: string; done?: boolean; tags?: string[] };
type TodoOut = { title: string; done: boolean; tags: string[] };
// Types only: nothing is created or called.
declare const typed: FerryClient<Schema>;
declare const plain: FerryClient<{ todos: { title: string } }>;

describe('collection types from schemas', () => {
  it('give writes the input type and reads the output type', () => {
    expectTypeOf<InputOf<Schema['todos']>>().toEqualTypeOf<TodoIn>();
    expectTypeOf<OutputOf<Schema['todos']>>().toEqualTypeOf<TodoOut>();
    type Todos = ReturnType<typeof typed.collection<'todos'>>;
    expectTypeOf<Todos>().toEqualTypeOf<Collection<TodoOut, TodoIn>>();
    expectTypeOf<Todos['put']>().parameter(1).toEqualTypeOf<TodoIn>();
    expectTypeOf<Todos['get']>().returns.resolves.toEqualTypeOf<TodoOut | undefined>();
    expectTypeOf<Todos['patch']>().parameter(1).toEqualTypeOf<{
      title?: string | null;
      done?: boolean | null;
      tags?: string[] | null;
    }>();
  });

  it('leave a plain value type one type both ways', () => {
    type Todos = ReturnType<typeof plain.collection<'todos'>>;
    expectTypeOf<Todos>().toEqualTypeOf<Collection<{ title: string }, { title: string }>>();
  });

  it("type a query's where by the value's field paths, and keep clients of two schemas apart", () => {
    // Types only: never called.
    const typesOnly = (todos: Collection<TodoOut & { meta?: { at: number } }>) => {
      void todos.find({ index: 'byTitle', where: { title: 'milk' } });
      void todos.count({ index: 'byAt', where: { 'meta.at': 1 } });
      void todos.find({ index: 'byAt', where: { 'meta.at': undefined } });
      // @ts-expect-error: title is a string.
      void todos.find({ index: 'byTitle', where: { title: 1 } });
      // @ts-expect-error: the value has no such field.
      void todos.subscribe({ index: 'byTitle', where: { titel: 'milk' } }, () => {});
      // @ts-expect-error: a client of one schema is not a client of another.
      const other: FerryClient<{ notes: { text: string } }> = plain;
      const untyped: FerryClient = plain;
      return [other, untyped];
    };
    expect(typesOnly).toBeTypeOf('function');
  });
});

const kind = DATABASE_KINDS[0]!;

describe(`a client typed by zod schemas, against a server checking them (${kind.name})`, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind, { collections });
  });
  afterAll(() => server.stop());

  it('puts a value without its defaulted fields and reads it back with them', async () => {
    const token = await server.token('ann');
    const client = createClient<Schema>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'ann',
      // Only sync() runs, so its result counts both writes.
      schedule: { triggers: [] },
    });
    const rejected: string[] = [];
    client.on('rejected', (event) => rejected.push(`${event.mutation.key}: ${event.code}`));
    const todos = client.collection('todos');
    await todos.put('t1', { title: 'milk' });
    // @ts-expect-error: title has no default, so a write must give it.
    await expect(todos.put('t2', { done: true })).resolves.toBeUndefined();
    expect(await client.sync()).toMatchObject({ pushed: 1, rejected: 1 });
    expect(rejected).toEqual(['t2: invalid']);
    const read: TodoOut | undefined = await todos.get('t1');
    expect(read).toEqual({ title: 'milk', done: false, tags: [] });
    expect(await todos.get('t2')).toBeUndefined();
    await client.close();
  });
});
