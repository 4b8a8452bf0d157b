/**
 * The shared-lists demo's data, as the web demo has it (demo/src/ferry-options.ts): one
 * `items` collection, read oldest first through an index, in the user's own space.
 */
import type { FerryClient } from '@ferry/client';

/** One record of the `items` collection. */
export type Item = { text: string; done: boolean; createdAt: number; by: string };
export type ListsSchema = { items: Item };

export const USERS = ['alice', 'bob'] as const;
export type User = (typeof USERS)[number];

export const personalSpace = (user: string) => `user.${user}`;

/** Declared for every client of the app (the screens' and a background wake-up's alike). */
export const COLLECTIONS = { items: { indexes: { byCreation: ['createdAt'] } } } as const;

export type ListsClient = FerryClient<ListsSchema>;

let counter = 0;
/** A key that sorts by creation and does not collide between devices. */
function newKey(now: number): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function addItem(client: ListsClient, user: string, text: string, now = Date.now()) {
  const key = newKey(now);
  await client.collection('items').put(key, { text, done: false, createdAt: now, by: user });
  return key;
}

export async function toggleItem(client: ListsClient, key: string) {
  const items = client.collection('items');
  const item = await items.get(key);
  if (item !== undefined) await items.put(key, { ...item, done: !item.done });
}

export function deleteItem(client: ListsClient, key: string) {
  return client.collection('items').delete(key);
}
