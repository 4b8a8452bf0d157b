/**
 * The only ways the engine's local state changes once it is loaded. Each transition turns
 * one event into the store batch that records it (metadata and outbox) and the update of
 * the in-memory `LocalState` that follows once that commit has succeeded, both computed
 * from the same values, so memory and disk cannot drift apart through a copy missed by hand.
 *
 *   event                      stored (setMeta, outbox)                 in memory after the commit
 *   mutationsRecorded          addOutbox, nextMutationId                outbox, nextMutationId
 *   pushAcknowledged           pushedThrough, removeOutbox (rejected),  the same fields
 *                              unreportedRejections, nextMutationId*
 *   rejectionsReported         unreportedRejections                     unreportedRejections
 *   pagePulled                 cursor, cursorSpaces (unless stale);     cursor, cursorVersion,
 *                              last page: lastSuccessAt,                replaceAllOnNextPull; last
 *                              removeOutboxThrough, nextMutationId*     page: the same fields
 *   pokeApplied                cursor, lastSuccessAt                    cursor, cursorVersion, lastSuccessAt
 *
 *   * only when the server has seen ids this client never handed out (`skipIdsSeenByServer`).
 *
 * Callers hold the mutex across the three steps: build the transition, commit its batch
 * (with the records the event brings), then `apply()`. A commit that throws leaves memory
 * as it was, matching the store. `reserveMutationIds` is the one change made ahead of the
 * disk, on purpose: see there.
 */
import type { JsonValue, MutationId, PokeWithChanges, PullResponse } from '@ferry/protocol';
import { cursorSpacesOf, type LocalState, META_KEYS } from './local-state.ts';
import type { Logger } from './logger.ts';
import type { RejectionEvent } from './push.ts';
import type { OutboxEntry, StoreBatch } from './store.ts';

export interface Transition<Result> {
  /** What the store commit records: metadata and outbox changes, never records. */
  readonly batch: StoreBatch;
  /** Brings memory to what the commit stored; call it only once the commit succeeded. */
  apply(): Result;
}

type Meta = Record<string, JsonValue | undefined>;

/**
 * Hands out `count` mutation ids and advances the counter in memory at once, before the
 * commit that records them: should that commit fail in a way that leaves doubt about
 * whether it landed, the ids are skipped rather than risked twice (gaps are allowed).
 * Returns the first id.
 */
export function reserveMutationIds(local: LocalState, count: number): MutationId {
  const first = local.nextMutationId;
  local.nextMutationId = first + count;
  return first as MutationId;
}

/** Local writes recorded in the outbox; `apply` returns the outbox's new size. */
export function mutationsRecorded(
  local: LocalState,
  entries: readonly OutboxEntry[],
): Transition<number> {
  const next = Math.max(local.nextMutationId, (entries.at(-1)?.id ?? 0) + 1);
  return {
    batch: { addOutbox: entries, setMeta: { [META_KEYS.nextMutationId]: next } },
    apply() {
      local.nextMutationId = next;
      for (const entry of entries) local.outbox.add(entry);
      return local.outbox.size;
    },
  };
}

/**
 * The id counter's new value when the server has processed ids this client has not handed
 * out (its store was restored from an older copy), or undefined: a new mutation must never
 * be taken for a duplicate and silently dropped.
 */
export function skipIdsSeenByServer(
  logger: Logger,
  local: LocalState,
  lastMutationId: number,
): number | undefined {
  if (lastMutationId < local.nextMutationId) return undefined;
  logger.warn(
    { lastMutationId, nextMutationId: local.nextMutationId },
    'the server has processed mutation ids this client never handed out',
  );
  return lastMutationId + 1;
}

/**
 * A push batch answered: the server has processed every id up to `lastMutationId`, and
 * refused `rejections`, which leave the outbox (rolling their effect back) and wait to be
 * reported. `apply` returns the entries removed.
 */
export function pushAcknowledged(
  local: LocalState,
  answer: {
    lastMutationId: number;
    rejections: ReadonlyMap<number, { code: string; message: string }>;
  },
  logger: Logger,
): Transition<OutboxEntry[]> {
  const { rejections } = answer;
  const pushedThrough = Math.max(local.pushedThrough, answer.lastMutationId);
  const nextMutationId = skipIdsSeenByServer(logger, local, answer.lastMutationId);
  const rejectedNow = local.outbox
    .after(0)
    .filter((m) => rejections.has(m.id))
    .map((mutation) => ({ mutation, ...rejections.get(mutation.id)! }));
  const unreported = [...local.unreportedRejections, ...rejectedNow];
  const setMeta: Meta = { [META_KEYS.pushedThrough]: pushedThrough };
  if (rejectedNow.length > 0) setMeta[META_KEYS.unreportedRejections] = rejectionsJson(unreported);
  if (nextMutationId !== undefined) setMeta[META_KEYS.nextMutationId] = nextMutationId;
  return {
    batch: { removeOutbox: [...rejections.keys()], setMeta },
    apply() {
      local.pushedThrough = pushedThrough;
      local.unreportedRejections = unreported;
      if (nextMutationId !== undefined) local.nextMutationId = nextMutationId;
      return local.outbox.remove(new Set(rejections.keys()));
    },
  };
}

/** The app was told of these rejections: they are forgotten (others may have come since). */
export function rejectionsReported(
  local: LocalState,
  reported: readonly RejectionEvent[],
): Transition<void> {
  const left = local.unreportedRejections.filter((event) => !reported.includes(event));
  return {
    batch: {
      setMeta: {
        [META_KEYS.unreportedRejections]: left.length > 0 ? rejectionsJson(left) : undefined,
      },
    },
    apply() {
      local.unreportedRejections = left;
    },
  };
}

/**
 * A pull page committed. A stale page (a poke moved the client past it while it was on
 * its way) moves no cursor. The last page (`finishedAt` given) also records the success
 * and confirms the outbox entries up to the page's `lastMutationId`: the changes pulled so
 * far include them, so they are now part of the base. `apply` returns the confirmed entries.
 */
export function pagePulled(
  local: LocalState,
  page: Pick<PullResponse, 'cursor' | 'cursorVersion' | 'lastMutationId'>,
  options: {
    spaces: readonly string[] | undefined;
    stale: boolean;
    finishedAt: number | undefined;
    logger: Logger;
  },
): Transition<OutboxEntry[]> {
  const { stale, finishedAt } = options;
  const setMeta: Meta = {};
  if (!stale) {
    setMeta[META_KEYS.cursor] = page.cursor;
    setMeta[META_KEYS.cursorSpaces] = cursorSpacesOf(options.spaces);
  }
  const batch: StoreBatch = { setMeta };
  let nextMutationId: number | undefined;
  if (finishedAt !== undefined) {
    nextMutationId = skipIdsSeenByServer(options.logger, local, page.lastMutationId);
    setMeta[META_KEYS.lastSuccessAt] = finishedAt;
    if (nextMutationId !== undefined) setMeta[META_KEYS.nextMutationId] = nextMutationId;
    batch.removeOutboxThrough = page.lastMutationId;
  }
  return {
    batch,
    apply() {
      if (!stale) {
        local.cursor = page.cursor;
        local.cursorVersion = page.cursorVersion ?? null;
        local.replaceAllOnNextPull = false;
      }
      if (finishedAt === undefined) return [];
      local.lastSuccessAt = finishedAt;
      if (nextMutationId !== undefined) local.nextMutationId = nextMutationId;
      return local.outbox.removeThrough(page.lastMutationId);
    },
  };
}

/**
 * A poke's changes applied on top of the cursor: the client holds every change up to the
 * server's latest commit, so it is current as of `syncedAt` (never moved back).
 */
export function pokeApplied(
  local: LocalState,
  poke: Pick<PokeWithChanges, 'cursor' | 'version'>,
  syncedAt: number,
): Transition<void> {
  const lastSuccessAt = Math.max(local.lastSuccessAt ?? 0, syncedAt);
  return {
    batch: {
      setMeta: { [META_KEYS.cursor]: poke.cursor, [META_KEYS.lastSuccessAt]: lastSuccessAt },
    },
    apply() {
      local.cursor = poke.cursor;
      local.cursorVersion = poke.version;
      local.lastSuccessAt = lastSuccessAt;
    },
  };
}

/** Rejections in the form stored under `unreportedRejections` and read back by `openLocalState`. */
function rejectionsJson(events: readonly RejectionEvent[]): JsonValue {
  return events.map((e) => ({
    mutation: e.mutation,
    code: e.code,
    message: e.message,
  })) as unknown as JsonValue;
}
