/**
 * What the engine keeps between runs, loaded from the store once when a client opens and
 * then kept in memory, updated right after each commit that changes it (under the mutex).
 */

import { type ClientId, isPositiveSafeInteger, isValidClientId } from '@ferry/protocol';
import { FerryConfigError } from './errors.ts';
import type { Logger } from './logger.ts';
import { Outbox } from './outbox.ts';
import type { RejectionEvent } from './push.ts';
import type { Store } from './store.ts';

/** The store metadata keys the engine owns. */
export const META_KEYS = {
  clientId: 'clientId',
  /** The id the next local mutation gets; ids are never reused, even after a restart. */
  nextMutationId: 'nextMutationId',
  /** The server's lastMutationId from the last push: entries above it are still to send. */
  pushedThrough: 'pushedThrough',
  /** The server's opaque pull cursor. */
  cursor: 'cursor',
  /** The spaces the cursor was issued for (sorted), or null for every space of the token. */
  cursorSpaces: 'cursorSpaces',
  /** `now()` at the end of the last sync that pulled to the end. */
  lastSuccessAt: 'lastSuccessAt',
  /**
   * Rejections rolled back but not yet reported to the app: stored with the rollback, so a
   * crash before the report leads to reporting them at the next start instead of never.
   */
  unreportedRejections: 'unreportedRejections',
} as const;

export interface LocalState {
  clientId: ClientId;
  nextMutationId: number;
  pushedThrough: number;
  cursor: string | null;
  /**
   * The version the cursor stands at, when the server said (in memory only: until the first
   * pull of a session it is unknown, and a poke's changes are pulled instead of applied).
   */
  cursorVersion: number | null;
  /**
   * True when the stored cursor was issued for other spaces than the client now asks for:
   * the pull restarts from the beginning and its first page replaces every base record,
   * so records of spaces no longer followed do not linger.
   */
  replaceAllOnNextPull: boolean;
  /**
   * The changes left to pull as last estimated (in memory only), carried from page to page
   * and from run to run: see `estimateRemaining` in pull.ts.
   */
  pullRemaining?: number | undefined;
  lastSuccessAt: number | null;
  outbox: Outbox;
  unreportedRejections: RejectionEvent[];
}

/** The spaces option in the form stored next to the cursor. */
export function cursorSpacesOf(spaces: readonly string[] | undefined): string[] | null {
  return spaces === undefined ? null : [...spaces].sort();
}

function sameSpaces(stored: unknown, wanted: string[] | null): boolean {
  if (wanted === null) return stored === null;
  return (
    Array.isArray(stored) &&
    stored.length === wanted.length &&
    stored.every((space, i) => space === wanted[i])
  );
}

export async function openLocalState(
  store: Store,
  options: {
    generateClientId: () => string;
    spaces: readonly string[] | undefined;
    logger: Logger;
  },
): Promise<LocalState> {
  const [
    clientId,
    nextMutationId,
    pushedThrough,
    cursor,
    cursorSpaces,
    lastSuccessAt,
    entries,
    unreported,
  ] = await Promise.all([
    store.getMeta(META_KEYS.clientId),
    store.getMeta(META_KEYS.nextMutationId),
    store.getMeta(META_KEYS.pushedThrough),
    store.getMeta(META_KEYS.cursor),
    store.getMeta(META_KEYS.cursorSpaces),
    store.getMeta(META_KEYS.lastSuccessAt),
    store.listOutbox(),
    store.getMeta(META_KEYS.unreportedRejections),
  ]);
  const outbox = new Outbox(entries);

  let id: ClientId;
  if (clientId === undefined) {
    const generated = options.generateClientId();
    if (!isValidClientId(generated)) {
      throw new FerryConfigError(
        `generateClientId returned ${JSON.stringify(generated)}; a client id must be 1–64 characters of [A-Za-z0-9_-].`,
      );
    }
    await store.commit({ setMeta: { [META_KEYS.clientId]: generated } });
    options.logger.info({ clientId: generated }, 'generated a client id');
    id = generated;
  } else if (isValidClientId(clientId)) {
    id = clientId;
  } else {
    throw new FerryConfigError(
      `The store holds an invalid client id (${JSON.stringify(clientId)}); it was written by something other than this client. Give the client a store of its own.`,
    );
  }

  const storedCursor = typeof cursor === 'string' ? cursor : null;
  const spacesChanged =
    storedCursor !== null && !sameSpaces(cursorSpaces, cursorSpacesOf(options.spaces));
  if (spacesChanged) {
    options.logger.info(
      { before: cursorSpaces, now: options.spaces ?? 'all' },
      'the spaces option changed; pulling everything again',
    );
  }
  return {
    clientId: id,
    // Never below an id already used, even if the stored counter were older than the outbox.
    nextMutationId: Math.max(
      isPositiveSafeInteger(nextMutationId) ? nextMutationId : 1,
      outbox.lastId + 1,
    ),
    pushedThrough: typeof pushedThrough === 'number' ? pushedThrough : 0,
    cursor: spacesChanged ? null : storedCursor,
    cursorVersion: null,
    replaceAllOnNextPull: spacesChanged,
    lastSuccessAt: typeof lastSuccessAt === 'number' ? lastSuccessAt : null,
    outbox,
    unreportedRejections: Array.isArray(unreported)
      ? (unreported as unknown as RejectionEvent[])
      : [],
  };
}
