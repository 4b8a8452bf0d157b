/** The Ferry options for a signed-in user, shared by the page, the sync worker and the service worker. */
import type { HostOptions } from '@ferry/browser';
import { type DemoUser, personalSpace, spacesOf, tokenProvider } from './session.ts';

/** One record of the `items` collection. */
export type Item = { text: string; done: boolean; createdAt: number; by: string };
export type DemoSchema = { items: Item };

export function hostOptions(user: DemoUser): HostOptions {
  return {
    // One store (IndexedDB database, Web Lock, channel) per user.
    name: `ferry-demo-${user}`,
    url: location.origin,
    getToken: tokenProvider(user),
    live: true,
    defaultSpace: personalSpace(user),
    spaces: spacesOf(user),
    // The lists read items oldest first through this index, not by sorting every record.
    // Declared for the worker, the page and the service worker alike: they share one store.
    collections: { items: { indexes: { byCreation: ['createdAt'] } } },
  };
}
