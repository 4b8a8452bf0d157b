/** Shared fixtures of the client acceptance suite. */
import type {
  ClientOptions,
  Collection,
  CollectionsOptions,
  FerryClient,
  Row,
} from '@ferry/client';
import { expect } from 'vitest';

/**
 * What the suite asks of a setup for each client it opens. Pass `spaces`, `defaultSpace`,
 * `collections`, `schedule` and `live` to the client as they are; give it a fresh store
 * and a token for `user` that grants `spaces`.
 */
export interface ClientSetupOptions
  extends Pick<ClientOptions, 'defaultSpace' | 'collections' | 'schedule' | 'live'> {
  /** Whom the token is for. Two clients of one user are two devices of that user. */
  user: string;
  /** The client's `spaces` option, and the spaces the token must grant. */
  spaces: readonly string[];
  /**
   * Set when the suite wants a server that does not answer: use it as the client's `url`
   * instead of the server's.
   */
  url?: string;
}

export interface ClientSetup {
  /** A client on an empty store; the suite closes it after the test. */
  client: FerryClient;
  /** Releases what the setup holds besides the client (a host, a database), after close. */
  dispose?: () => Promise<void> | void;
}

export type Todo = { title: string; list?: string; at?: number | null; done?: boolean };

/** The collections option every client of the suite gets, unless a test says otherwise. */
export const COLLECTIONS: CollectionsOptions = {
  todos: { indexes: { byList: ['list', 'at'], byTitle: ['title'] } },
};

/** A client the suite opened, with the names it was opened with. */
export interface OpenedClient {
  client: FerryClient;
  user: string;
  /** The default space (the first of `spaces`). */
  space: string;
  spaces: readonly string[];
  /** `collection('todos')` in the default space, typed. */
  todos: Collection<Todo>;
}

export interface OpenOptions {
  /** Default: a new user. */
  user?: string;
  /** Default: one new space. The first is the default space. */
  spaces?: readonly string[];
  /** False: no default space. */
  defaultSpace?: false;
  collections?: CollectionsOptions;
  url?: string;
  /** Default: `{ triggers: [] }`, so that only `sync()` starts runs. */
  schedule?: ClientOptions['schedule'];
  /** Default: false. */
  live?: boolean;
}

/** What each group of acceptance tests gets from the suite. */
export interface ClientTestContext {
  /** A client on an empty store, for a new user in a new space unless told otherwise. */
  open(options?: OpenOptions): Promise<OpenedClient>;
  /** A name no other test uses, for a user or a space. */
  fresh(prefix: string): string;
}

export const todosOf = (client: FerryClient, space?: string): Collection<Todo> =>
  client.collection(
    'todos',
    space === undefined ? undefined : { space },
  ) as unknown as Collection<Todo>;

export const keysOf = (rows: readonly Row[] | undefined) => rows?.map((row) => row.key) ?? [];

/** Waits (in real time) until `check` holds. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Lets whatever a change set going settle: a few round trips to the client and some real
 * time, after which a listener that was going to be called has been.
 */
export async function settle(client: FerryClient): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await client.getClientId();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The error `call` throws synchronously; fails if it returns (a promise included). */
export function thrown(call: () => unknown, what = 'the call'): unknown {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return error;
  }
  if (result instanceof Promise) result.catch(() => {});
  expect.fail(`${what}: expected a synchronous throw, but the call returned`);
}

/**
 * The error the promise `call` returns rejects with; fails if the call throws at once (a
 * method returning a promise reports every failure through it) or the promise resolves.
 */
export async function rejection(call: () => Promise<unknown>, what = 'the call'): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    expect.fail(
      `${what}: expected a rejected promise, but the call threw at once: ${String(error)}`,
    );
  }
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail(`${what}: expected a rejected promise, but it resolved`);
}
