/**
 * PUSH: send every outbox entry the server has not processed yet, in batches. Applied and
 * duplicate entries stay in the outbox (and in the view) until a pull confirms them;
 * rejected ones leave it at once, which rolls their local effect back. The last batch
 * carries the pull that follows (a protocol addition), so that a server which knows it
 * answers the first pull page in the same response, read after the batch was committed.
 */
import {
  type PullResponse,
  type PushPull,
  type PushRequest,
  type RejectionCode,
  ROUTES,
} from '@ferry/protocol';
import { collectionsOf, namedRecords } from './changes.ts';
import type { SyncContext } from './engine-context.ts';
import { FerryProtocolError } from './errors.ts';
import type { LocalState } from './local-state.ts';
import { pushAcknowledged, rejectionsReported } from './local-transitions.ts';
import { parsePushResponse } from './responses.ts';
import type { OutboxEntry } from './store.ts';

/** A local mutation the server refused; it has been dropped and its effect rolled back. */
export interface RejectionEvent {
  mutation: OutboxEntry;
  code: RejectionCode | (string & {});
  message: string;
}

export interface PushOutcome {
  /** Mutations the server reported as applied or as duplicates of earlier sends. */
  pushed: number;
  rejected: number;
  /**
   * The first pull page, answered with the last batch, not yet committed; undefined when
   * nothing was pushed or the server does not answer a push's pull (an older server).
   */
  pulled: PullResponse | undefined;
}

/**
 * Pushes the outbox, up to mutation `through`, in batches. Writes made after the run took
 * its batch wait for the next run, so a steady stream of writes cannot keep one run
 * pushing forever. `pull` gives the pull to send with the last batch, asked for as that
 * batch goes, so that it starts from the cursor the client holds then.
 */
export async function pushOutbox(
  ctx: SyncContext,
  local: LocalState,
  through: number,
  pull: () => PushPull,
): Promise<PushOutcome> {
  const outcome: PushOutcome = { pushed: 0, rejected: 0, pulled: undefined };
  const url = ctx.urlFor(ROUTES.push);
  for (;;) {
    const unsent = local.outbox.after(local.pushedThrough).filter((m) => m.id <= through);
    const batch = unsent.slice(0, ctx.pushBatchSize);
    const lastSent = batch.at(-1)?.id;
    if (lastSent === undefined) return outcome;
    const last = batch.length === unsent.length;
    const request: PushRequest = {
      clientId: local.clientId,
      mutations: batch,
      ...(last ? { pull: pull() } : {}),
    };
    const response = parsePushResponse(await ctx.post(ROUTES.push, request), url);
    if (last) outcome.pulled = response.pull;
    if (response.lastMutationId < lastSent) {
      // Resending would get the same answer forever; stop and say so.
      throw new FerryProtocolError(
        url,
        `lastMutationId ${response.lastMutationId} is below the last mutation id sent (${lastSent})`,
      );
    }

    const sent = new Set(batch.map((m) => m.id));
    const rejections = new Map<number, { code: string; message: string }>();
    let confirmed = 0;
    for (const result of response.results) {
      if (!sent.has(result.id)) continue;
      if (result.status === 'rejected') rejections.set(result.id, result.error);
      else if (result.status === 'duplicate' && result.error)
        rejections.set(result.id, result.error);
      else confirmed += 1;
    }
    outcome.pushed += confirmed;

    const removed = await ctx.mutex.run(async () => {
      ctx.assertOpen();
      const acknowledged = pushAcknowledged(
        local,
        { lastMutationId: response.lastMutationId, rejections },
        ctx.logger,
      );
      await ctx.store.commit(acknowledged.batch);
      const removed = acknowledged.apply();
      if (removed.length > 0) ctx.outboxChanged(local.outbox.size);
      return removed;
    });

    ctx.counters.pushed += confirmed;
    ctx.counters.rejected += removed.length;
    ctx.progress('push');
    if (removed.length === 0) continue;
    outcome.rejected += removed.length;
    const records = namedRecords(removed);
    ctx.changed({
      cause: 'rejection',
      collections: collectionsOf(removed),
      spaces: [],
      ...(records === undefined ? {} : { records }),
    });
    await reportRejections(ctx, local);
  }
}

/**
 * Tells the app about rejections already rolled back, then forgets them. Called after each
 * push and when the client starts (for rejections a crash kept from being reported): a
 * rejection is reported at least once, never lost.
 */
export async function reportRejections(
  ctx: Pick<SyncContext, 'store' | 'mutex' | 'logger' | 'rejected'>,
  local: LocalState,
): Promise<void> {
  const pending = local.unreportedRejections;
  if (pending.length === 0) return;
  for (const event of pending) {
    ctx.logger.warn({ id: event.mutation.id, code: event.code }, 'the server rejected a mutation');
    ctx.rejected(event);
  }
  await ctx.mutex.run(async () => {
    // Only what was reported: a push may have added more meanwhile.
    const reported = rejectionsReported(local, pending);
    await ctx.store.commit(reported.batch);
    reported.apply();
  });
}
