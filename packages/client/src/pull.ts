/**
 * PULL: follow the server's cursor until `hasMore` is false. Each page is one store commit
 * (records, cursor, and on the last page the outbox entries it confirms), so a crash
 * between pages resumes from the last committed cursor and never applies a page twice.
 */
import {
  type Change,
  type PullRequest,
  type PullResponse,
  type PushPull,
  ROUTES,
  type SpaceId,
} from '@ferry/protocol';
import { collectionsOf, namedRecords } from './changes.ts';
import type { SyncContext } from './engine-context.ts';
import { FerryProtocolError } from './errors.ts';
import type { LocalState } from './local-state.ts';
import { pagePulled } from './local-transitions.ts';
import { parsePullResponse } from './responses.ts';
import type { RecordAddress, StoreBatch, StoredRecord } from './store.ts';

export interface PullOutcome {
  /** Changes received and applied. */
  pulled: number;
  /** True when the server answered a cursor it could not serve with a fresh snapshot. */
  reset: boolean;
}

function addressKey(change: RecordAddress): string {
  return `${change.space}\u0000${change.collection}\u0000${change.key}`;
}

/** Puts and deletions for a page; if a record appears twice, its last change wins. */
export function recordWrites(changes: readonly Change[]) {
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(addressKey(change), change);
  const putRecords: StoredRecord[] = [];
  const deleteRecords: RecordAddress[] = [];
  for (const { space, collection, key, version, value } of latest.values()) {
    if (value === null) deleteRecords.push({ space, collection, key });
    else putRecords.push({ space, collection, key, version, value });
  }
  return { putRecords, deleteRecords };
}

/**
 * What is left to pull after `page`. The server counts far only on the first page of a
 * snapshot and a few pages ahead on later ones, so an earlier, larger count less what has
 * been pulled since is kept while it is the larger; a snapshot starts the count afresh.
 */
export function estimateRemaining(
  previous: number | undefined,
  page: Pick<PullResponse, 'hasMore' | 'remaining' | 'changes'>,
  startsSnapshot: boolean,
): number | undefined {
  if (!page.hasMore) return 0;
  const carried =
    previous === undefined || startsSnapshot
      ? undefined
      : Math.max(0, previous - page.changes.length);
  if (page.remaining === undefined) return carried;
  return carried === undefined ? page.remaining : Math.max(page.remaining, carried);
}

/** What a pull from `cursor` asks for, in a pull request or in a push (`PushRequest['pull']`). */
export function pullFields(
  ctx: Pick<SyncContext, 'pullLimit' | 'spaces'>,
  cursor: string | null,
): PushPull {
  return {
    cursor,
    limit: ctx.pullLimit,
    ...(ctx.spaces === undefined ? {} : { spaces: ctx.spaces as SpaceId[] }),
  };
}

/**
 * Pulls to the end. `first`, when given, is the first page, already answered (with the
 * push's last batch) for the client's current cursor: it is committed like any page.
 */
export async function pullChanges(
  ctx: SyncContext,
  local: LocalState,
  first?: PullResponse,
): Promise<PullOutcome> {
  const outcome: PullOutcome = { pulled: 0, reset: false };
  const url = ctx.urlFor(ROUTES.pull);
  const fetchPage = (cursor: string | null) => {
    const request: PullRequest = { clientId: local.clientId, ...pullFields(ctx, cursor) };
    return ctx.post(ROUTES.pull, request).then((body) => parsePullResponse(body, url));
  };
  let next = first === undefined ? fetchPage(local.cursor) : Promise.resolve(first);
  for (;;) {
    const page = await next;
    if (page.hasMore && page.changes.length === 0 && page.cursor === local.cursor) {
      throw new FerryProtocolError(url, 'hasMore is true but neither changes nor cursor moved');
    }
    // The next page is asked for before this one is stored, so the server reads it while
    // the client writes: still one request at a time, and the pages are stored in order.
    // Should the commit fail, the run ends once that request is over, its page unread.
    if (page.hasMore) {
      next = fetchPage(page.cursor);
      // Marked as handled: it may fail while this page is being stored, before it is awaited.
      next.catch(() => {});
    }
    // A page answering "from the beginning" is a full snapshot of the requested spaces,
    // whether the server said reset or the client had no cursor yet.
    const replaces = page.reset || local.cursor === null;
    try {
      await commitPage(ctx, local, page, replaces);
    } catch (error) {
      if (page.hasMore) await next.catch(() => {});
      throw error;
    }
    outcome.pulled += page.changes.length;
    outcome.reset ||= page.reset === true;
    ctx.counters.pulled += page.changes.length;
    ctx.counters.reset ||= page.reset === true;
    local.pullRemaining = estimateRemaining(local.pullRemaining, page, replaces);
    ctx.progress('pull', local.pullRemaining);
    if (!page.hasMore) return outcome;
  }
}

async function commitPage(
  ctx: SyncContext,
  local: LocalState,
  page: PullResponse,
  replaces: boolean,
): Promise<void> {
  const replacedSpaces: readonly string[] | 'all' = !replaces
    ? []
    : local.replaceAllOnNextPull || ctx.spaces === undefined
      ? 'all'
      : ctx.spaces;
  let stale = false;
  const confirmed = await ctx.mutex.run(async () => {
    ctx.assertOpen();
    // Changes from a poke (poked-changes.ts) may have moved the client past this page while
    // it was on its way: its records would be older states, so only its confirmation counts.
    stale =
      !replaces &&
      page.cursorVersion !== undefined &&
      local.cursorVersion !== null &&
      page.cursorVersion <= local.cursorVersion;
    const pulled = pagePulled(local, page, {
      spaces: ctx.spaces,
      stale,
      finishedAt: page.hasMore ? undefined : ctx.now(),
      logger: ctx.logger,
    });
    const records: StoreBatch = stale
      ? {}
      : {
          ...(replacedSpaces === 'all' ? { clearAll: true } : { clearSpaces: replacedSpaces }),
          ...recordWrites(page.changes),
        };
    await ctx.store.commit({ ...records, ...pulled.batch });
    const confirmed = pulled.apply();
    if (confirmed.length > 0) ctx.outboxChanged(local.outbox.size);
    return confirmed;
  });
  const touched = [...(stale ? [] : page.changes), ...confirmed];
  const collections = collectionsOf(touched);
  if (collections.length > 0 || replacedSpaces === 'all' || replacedSpaces.length > 0) {
    // Whole spaces replaced: naming records would say less than what changed.
    const records =
      replacedSpaces === 'all' || replacedSpaces.length > 0 ? undefined : namedRecords(touched);
    ctx.changed({
      cause: page.reset ? 'reset' : 'pull',
      collections,
      spaces: replacedSpaces,
      ...(records === undefined ? {} : { records }),
    });
  }
}
