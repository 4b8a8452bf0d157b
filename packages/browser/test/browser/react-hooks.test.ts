/** The React hooks in real Chromium against a real client on an in-memory store (no server: local writes only). */
import {
  type Collection,
  createClient,
  createMemoryStore,
  type FerryClient,
  type Row,
} from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import { act, createElement, useMemo } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, expectTypeOf, it } from 'vitest';
import {
  typedFerryHooks,
  FerryProvider as UntypedProvider,
  useQuery,
  useRecord,
  useRejections,
  useSyncStatus,
} from '../../src/react/index.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Item = { text: string; done: boolean };
type Schema = { items: Item };
const {
  FerryProvider,
  useCollection,
  useFerry,
  useQuery: useItemsQuery,
} = typedFerryHooks<Schema>();

let client: FerryClient<Schema>;
let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  client = createClient<Schema>({
    url: 'http://127.0.0.1:9/',
    store: createMemoryStore(),
    defaultSpace: 'test',
    schedule: { triggers: [] },
    collections: { items: { indexes: { byDone: ['done', 'text'] } } },
  });
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(async () => {
  await act(async () => root.unmount());
  container.remove();
  await client.close();
});

/** Lets the client's asynchronous reads land inside `act` until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
  }
  expect(done()).toBe(true);
}

/** A collection whose live subscriptions are counted. */
function counted<T extends JsonObject>(collection: Collection<T>) {
  const counter = { active: 0 };
  const wrapped: Collection<T> = {
    ...collection,
    subscribe(...args: [never, never]) {
      counter.active++;
      const stop = collection.subscribe(...args);
      return () => {
        counter.active--;
        stop();
      };
    },
  };
  return { collection: wrapped, counter };
}

function List(props: { items: Collection<Item>; onRender: () => void }) {
  props.onRender();
  const { rows, loading } = useQuery(props.items);
  if (loading) return createElement('p', null, 'loading');
  return createElement(
    'ul',
    null,
    rows?.map((row) => createElement('li', { key: row.key }, row.value.text)),
  );
}

function Filtered(props: { items: Collection<Item>; done: boolean }) {
  const { rows } = useQuery(props.items, {
    where: (value) => value.done === props.done,
    deps: [props.done],
  });
  return createElement('p', null, rows?.map((row) => row.value.text).join(',') ?? 'loading');
}

function ItemA() {
  const items = useCollection('items');
  const item = useRecord(items, 'a');
  return createElement('p', null, item ? `${item.text}:${item.done}` : 'none');
}

function Status(props: { client: FerryClient }) {
  const status = useSyncStatus(props.client);
  const items = useMemo(() => props.client.collection('items'), [props.client]);
  return createElement(
    'button',
    { type: 'button', onClick: () => void items.put('a', { text: 'x' }) },
    `pending ${status.pendingCount}`,
  );
}

function Rejections(props: { client: FerryClient }) {
  const { rejections, dismiss } = useRejections(props.client);
  return createElement(
    'ul',
    null,
    rejections.map((event, index) =>
      createElement(
        'li',
        { key: event.mutation.id },
        createElement('button', { type: 'button', onClick: () => dismiss(index) }, event.message),
      ),
    ),
  );
}

/** A stand-in server that rejects every mutation and has nothing to pull. */
const rejectingFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const body = JSON.parse(await new Response(init?.body ?? '{}').text());
  const ids: number[] = (body.mutations ?? []).map((m: { id: number }) => m.id);
  const last = Math.max(0, ...ids);
  const json = url.endsWith('/v1/push')
    ? {
        results: ids.map((id) => ({
          id,
          status: 'rejected',
          error: { code: 'invalid', message: `refused ${id}` },
        })),
        lastMutationId: last,
      }
    : { changes: [], cursor: 'c1', hasMore: false, lastMutationId: last };
  return new Response(JSON.stringify(json), { headers: { 'content-type': 'application/json' } });
};

it('useRejections lists rejected writes and dismisses them', async () => {
  const rejecting = createClient({
    url: 'http://127.0.0.1:9/',
    store: createMemoryStore(),
    defaultSpace: 'test',
    fetch: rejectingFetch,
    schedule: { triggers: [] },
  });
  try {
    await act(async () => root.render(createElement(Rejections, { client: rejecting })));
    const items = rejecting.collection('items');
    await items.put('a', { text: 'one' });
    await items.put('b', { text: 'two' });
    await act(async () => {
      await rejecting.sync();
    });
    await until(() => container.querySelectorAll('li').length === 2);
    expect(container.textContent).toBe('refused 1refused 2');
    await act(async () => container.querySelector('button')!.click());
    expect(container.textContent).toBe('refused 2');
  } finally {
    await act(async () => root.render(null));
    await rejecting.close();
  }
});

it('useQuery shows a put and a delete at once, and stops listening on unmount', async () => {
  const { collection: items, counter } = counted(client.collection('items') as Collection<Item>);
  let renders = 0;
  await act(async () => root.render(createElement(List, { items, onRender: () => renders++ })));
  await until(() => container.querySelector('ul') !== null);
  expect(container.querySelectorAll('li')).toHaveLength(0);
  expect(counter.active).toBe(1);

  await act(async () => items.put('a', { text: 'milk', done: false }));
  await until(() => container.textContent === 'milk');
  await act(async () => items.put('b', { text: 'eggs', done: false }));
  await until(() => container.querySelectorAll('li').length === 2);

  await act(async () => items.delete('a'));
  await until(() => container.textContent === 'eggs');

  await act(async () => root.render(createElement('p', null, 'gone')));
  expect(counter.active).toBe(0);
  const before = renders;
  await act(async () => items.put('c', { text: 'late', done: false }));
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  expect(renders).toBe(before);
  expect(container.textContent).toBe('gone');
});

it('useQuery filters with the latest where and reads again when deps change', async () => {
  const items = client.collection('items') as Collection<Item>;
  await items.put('a', { text: 'milk', done: true });
  await items.put('b', { text: 'eggs', done: false });
  await act(async () => root.render(createElement(Filtered, { items, done: true })));
  await until(() => container.textContent === 'milk');
  await act(async () => root.render(createElement(Filtered, { items, done: false })));
  await until(() => container.textContent === 'eggs');
});

function ProvidedStatus() {
  const status = useSyncStatus();
  const { rejections } = useRejections();
  const items = useCollection('items');
  return createElement(
    'button',
    { type: 'button', onClick: () => void items.put('a', { text: 'x', done: false }) },
    `pending ${status.pendingCount}, rejected ${rejections.length}`,
  );
}

it("useSyncStatus and useRejections read the provider's client when given none", async () => {
  await act(async () =>
    root.render(createElement(FerryProvider, { client }, createElement(ProvidedStatus))),
  );
  expect(container.textContent).toBe('pending 0, rejected 0');
  await act(async () => container.querySelector('button')!.click());
  await until(() => container.textContent === 'pending 1, rejected 0');
});

function BareStatus() {
  return createElement('p', null, useSyncStatus().state);
}

it('useSyncStatus without a client or a provider says what it needs', async () => {
  const bare = createRoot(document.createElement('div'));
  await expect(act(async () => bare.render(createElement(BareStatus)))).rejects.toThrow(
    /useSyncStatus needs a client: pass one, or render it below a <FerryProvider>/,
  );
  await act(async () => bare.unmount());
});

it('types the provider and the hooks by the schema', () => {
  // Types only: these hooks are never called outside a component.
  const typesOnly = () => {
    expectTypeOf(useCollection('items')).toEqualTypeOf<Collection<Item, Item>>();
    expectTypeOf(useFerry()).toEqualTypeOf<FerryClient<Schema>>();
    // @ts-expect-error: 'todos' is not a collection of the schema.
    useCollection('todos');
    expectTypeOf(useItemsQuery('items', { index: 'byDone', limit: 2 }).rows).toEqualTypeOf<
      Row<Item>[] | undefined
    >();
    // @ts-expect-error: 'todos' is not a collection of the schema.
    useItemsQuery('todos', { limit: 2 });
    // @ts-expect-error: a filter takes the collection's values.
    useItemsQuery('items', { filter: (value: { title: string }) => value.title !== '' });
    // @ts-expect-error: the provider takes only a client of the schema.
    createElement(FerryProvider, { client: {} as FerryClient<{ notes: { text: string } }> });
    // Without a declared client, the module's own provider takes any.
    createElement(UntypedProvider, { client: {} as FerryClient<{ notes: { text: string } }> });
  };
  expect(typesOnly).toBeTypeOf('function');
});

it('useRecord follows one key through the provider', async () => {
  await act(async () =>
    root.render(createElement(FerryProvider, { client }, createElement(ItemA))),
  );
  await until(() => container.textContent === 'none');
  const items = client.collection('items') as Collection<Item>;
  await act(async () => items.put('a', { text: 'milk', done: false }));
  await until(() => container.textContent === 'milk:false');
  await act(async () => items.patch('a', { done: true }));
  await until(() => container.textContent === 'milk:true');
  await act(async () => items.put('b', { text: 'other', done: false }));
  await act(async () => items.delete('a'));
  await until(() => container.textContent === 'none');
});

it('useSyncStatus reflects pendingCount after a write', async () => {
  await act(async () => root.render(createElement(Status, { client })));
  expect(container.textContent).toBe('pending 0');
  await act(async () => container.querySelector('button')!.click());
  await until(() => container.textContent === 'pending 1');
});

function Window(props: { done: boolean; limit: number; onRender: () => void }) {
  props.onRender();
  // A new query object on every render: compared by value, it does not resubscribe.
  const { rows, loading } = useItemsQuery('items', {
    index: 'byDone',
    where: { done: props.done },
    order: 'desc',
    limit: props.limit,
  });
  return createElement('p', null, loading ? 'loading' : rows?.map((row) => row.key).join(','));
}

it('useQuery takes a find query by collection name: a live, ordered, limited window', async () => {
  const items = client.collection('items');
  await items.bulkPut({
    a: { text: 'a', done: false },
    b: { text: 'b', done: true },
    c: { text: 'c', done: false },
    d: { text: 'd', done: false },
  });
  let subscriptions = 0;
  // The provider's client hands out new handles; count subscriptions on all of them.
  const watched = {
    ...client,
    collection: ((...args: Parameters<typeof client.collection>) => {
      const handle = client.collection(...args);
      return {
        ...handle,
        subscribe(...inner: [never, never]) {
          subscriptions++;
          return handle.subscribe(...inner);
        },
      };
    }) as typeof client.collection,
  };
  let renders = 0;
  const render = (done: boolean, limit: number) =>
    act(async () =>
      root.render(
        createElement(
          FerryProvider,
          { client: watched },
          createElement(Window, { done, limit, onRender: () => renders++ }),
        ),
      ),
    );
  await render(false, 2);
  await until(() => container.textContent === 'd,c');
  expect(subscriptions).toBe(1);

  // Writes that enter and leave the window show; one outside it changes nothing shown.
  await act(async () => items.put('e', { text: 'e', done: false }));
  await until(() => container.textContent === 'e,d');
  await act(async () => items.bulkDelete(['e', 'd']));
  await until(() => container.textContent === 'c,a');
  await act(async () => items.put('f', { text: 'f', done: true }));
  await until(() => container.textContent === 'c,a');

  // The same query again: no new subscription; another window: one.
  const before = renders;
  await render(false, 2);
  expect(renders).toBeGreaterThan(before);
  expect(subscriptions).toBe(1);
  await render(true, 5);
  await until(() => container.textContent === 'f,b');
  expect(subscriptions).toBe(2);
});

function Undone(props: { items: Collection<Item>; startsWith: string }) {
  const { rows } = useQuery(
    props.items,
    { index: 'byDone', where: { done: false }, filter: (v) => v.text.startsWith(props.startsWith) },
    { deps: [props.startsWith] },
  );
  return createElement('p', null, rows?.map((row) => row.value.text).join(',') ?? 'loading');
}

it('useQuery takes a find query on a collection handle, its filter read again when deps change', async () => {
  const items = client.collection('items') as Collection<Item>;
  await items.bulkPut([
    ['1', { text: 'milk', done: false }],
    ['2', { text: 'mint', done: false }],
    ['3', { text: 'eggs', done: false }],
    ['4', { text: 'mold', done: true }],
  ]);
  await act(async () => root.render(createElement(Undone, { items, startsWith: 'mi' })));
  await until(() => container.textContent === 'milk,mint');
  await act(async () => root.render(createElement(Undone, { items, startsWith: 'e' })));
  await until(() => container.textContent === 'eggs');
});

function BareWindow() {
  useQuery('items', { limit: 1 });
  return null;
}

it('useQuery by name without a provider says what it needs', async () => {
  const bare = createRoot(document.createElement('div'));
  await expect(act(async () => bare.render(createElement(BareWindow)))).rejects.toThrow(
    /useQuery\('items'\) needs a <FerryProvider client=\{…\}> above it/,
  );
  await act(async () => bare.unmount());
});
