/**
 * Who is signed in, and their token. Kept in a small key-value store (expo-sqlite's
 * `kv-store` in the app, a Map in tests) so that a background wake-up, which starts the
 * app's JavaScript with no screen, knows whose data to sync. Dev mode only: tokens come
 * from the server's `POST /v1/dev/token`, as in the web demo.
 */
import type { TokenProvider } from '@ferry/client';
import { personalSpace, USERS, type User } from './lists.ts';

/** The part of expo-sqlite's `Storage` (kv-store) the session uses. */
export interface KeyValueLike {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<unknown>;
}

const USER_KEY = 'user';
const tokenKey = (user: string) => `token.${user}`;

function isUser(value: unknown): value is User {
  return (USERS as readonly unknown[]).includes(value);
}

export function createSession(storage: KeyValueLike, serverUrl: string, fetchFn = fetch) {
  return {
    async user(): Promise<User | null> {
      const user = await storage.getItem(USER_KEY);
      return isUser(user) ? user : null;
    },
    signIn: (user: User) => storage.setItem(USER_KEY, user),
    async signOut(user: User) {
      await storage.removeItem(USER_KEY);
      await storage.removeItem(tokenKey(user));
    },
    /** The stored token, or a fresh one when missing or refused. */
    tokenProvider(user: User): TokenProvider {
      return async ({ refresh }) => {
        const stored = await storage.getItem(tokenKey(user));
        if (stored !== null && !refresh) return stored;
        const response = await fetchFn(new URL('/v1/dev/token', serverUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user, spaces: [personalSpace(user)] }),
        });
        if (!response.ok) {
          throw new Error(
            `The server did not mint a token (HTTP ${response.status}): is it running with --dev?`,
          );
        }
        const { token } = (await response.json()) as { token: string };
        await storage.setItem(tokenKey(user), token);
        return token;
      };
    },
  };
}

export type Session = ReturnType<typeof createSession>;
