/**
 * Who is signed in, kept in a small IndexedDB database so that the page, the sync worker
 * and the service worker all read the same answer. Dev mode only: tokens are minted by the
 * server's `POST /v1/dev/token` for whoever asks.
 */

export const USERS = ['alice', 'bob'] as const;
export type DemoUser = (typeof USERS)[number];

export const TEAM_SPACE = 'team.demo';
export const personalSpace = (user: DemoUser) => `user.${user}`;
export const spacesOf = (user: DemoUser) => [personalSpace(user), TEAM_SPACE];

interface StoredSession {
  user: DemoUser;
  token?: string;
}

const DATABASE = 'ferry-demo-session';
const STORE = 'session';
const KEY = 'current';

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

const read = () => transact<StoredSession | undefined>('readonly', (store) => store.get(KEY));
const write = (session: StoredSession) =>
  transact<unknown>('readwrite', (store) => store.put(session, KEY));

function isUser(value: unknown): value is DemoUser {
  return (USERS as readonly unknown[]).includes(value);
}

/** The signed-in user, or null. */
export async function currentUser(): Promise<DemoUser | null> {
  const session = await read();
  return session && isUser(session.user) ? session.user : null;
}

/** Remembers `user`; the token is minted on first use, so signing in works offline. */
export async function signIn(user: DemoUser): Promise<void> {
  await write({ user });
}

export async function signOut(): Promise<void> {
  await transact<unknown>('readwrite', (store) => store.delete(KEY));
}

/** The client's token provider: the stored token, or a fresh one when missing or refused. */
export async function getToken({ refresh }: { refresh: boolean }): Promise<string> {
  const session = await read();
  if (!session || !isUser(session.user)) throw new Error('Nobody is signed in.');
  if (session.token !== undefined && !refresh) return session.token;
  const response = await fetch(new URL('/v1/dev/token', location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: session.user, spaces: spacesOf(session.user) }),
  });
  if (!response.ok) {
    throw new Error(
      `The server did not mint a token (HTTP ${response.status}); is it running with --dev?`,
    );
  }
  const { token } = (await response.json()) as { token: string };
  // Keep it only if the same user is still signed in.
  const now = await read();
  if (now?.user === session.user) await write({ user: session.user, token });
  return token;
}
