/**
 * Who is signed in, kept in a small IndexedDB database so that the page, the sync worker
 * and the service worker all read the same answer. Dev mode only: tokens are minted by the
 * server's `POST /v1/dev/token` for whoever asks.
 */
import type { TokenProvider } from '@ferry/client';

export const USERS = ['alice', 'bob'] as const;
export type DemoUser = (typeof USERS)[number];

export const TEAM_SPACE = 'team.demo';
export const personalSpace = (user: DemoUser) => `user.${user}`;
export const spacesOf = (user: DemoUser) => [personalSpace(user), TEAM_SPACE];

const DATABASE = 'ferry-demo-session';
const STORE = 'session';
const USER_KEY = 'user';
const tokenKey = (user: DemoUser) => `token.${user}`;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const read = (key: string) => transact<unknown>('readonly', (store) => store.get(key));
const write = (key: string, value: string) =>
  transact<unknown>('readwrite', (store) => store.put(value, key));

function isUser(value: unknown): value is DemoUser {
  return (USERS as readonly unknown[]).includes(value);
}

/** The signed-in user, or null. */
export async function currentUser(): Promise<DemoUser | null> {
  const user = await read(USER_KEY);
  return isUser(user) ? user : null;
}

/** Remembers `user`; the token is minted on first use, so signing in works offline. */
export async function signIn(user: DemoUser): Promise<void> {
  await write(USER_KEY, user);
}

export async function signOut(): Promise<void> {
  await transact<unknown>('readwrite', (store) => store.delete(USER_KEY));
}

/**
 * The token provider of `user`'s client: the stored token, or a fresh one when missing or
 * refused. Bound to one user, so a client keeps its identity when another tab signs in as
 * someone else.
 */
export function tokenProvider(user: DemoUser): TokenProvider {
  return async ({ refresh }) => {
    const stored = await read(tokenKey(user));
    if (typeof stored === 'string' && !refresh) return stored;
    const response = await fetch(new URL('/v1/dev/token', location.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, spaces: spacesOf(user) }),
    });
    if (!response.ok) {
      // A dev server says why it refused, e.g. a page opened by a name other than localhost.
      const reason = await response.json().then(
        (body: { error?: { message?: string } }) => body.error?.message,
        () => undefined,
      );
      throw new Error(
        `The server did not mint a token (HTTP ${response.status}): ${reason ?? 'is it running with --dev?'}`,
      );
    }
    const { token } = (await response.json()) as { token: string };
    await write(tokenKey(user), token);
    return token;
  };
}
