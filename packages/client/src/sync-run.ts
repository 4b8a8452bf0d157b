/**
 * One sync run of the engine, as the scheduler starts it: push the outbox, then pull to
 * the end. The last push batch carries the pull's first request, so a run that pushes
 * makes one request where the server answers both; an older server answers the push alone
 * and the pull is sent after it. Every request carries the run's abort signal (budget,
 * lost conditions, close), and the run's counters fill in as each batch and page is
 * committed, so a run cut short still reports what it did.
 */
import type { EngineContext, SyncContext } from './engine-context.ts';
import { joinUrl, postJson } from './fetch.ts';
import { pullChanges, pullFields } from './pull.ts';
import { pushOutbox, type RejectionEvent } from './push.ts';
import type { RunCounters, RunFn } from './scheduler/active-run.ts';

/** Reported after each push batch and pull page of a run. */
export interface SyncProgress extends RunCounters {
  runId: number;
  phase: 'push' | 'pull';
  /**
   * After a pull page: about how many changes are still to pull, as the server estimated
   * when it read the page (capped, and blind to commits made since); 0 after the last page.
   * Undefined after a push batch, or when the server does not say (an older server).
   */
  remaining: number | undefined;
  /**
   * `pulled + remaining`: about how many changes this run will have pulled at the end, so
   * `pulled / total` is how far it has got. Undefined when `remaining` is.
   */
  total: number | undefined;
}

export interface SyncRunOptions {
  /** A fetch that authenticates and throws typed errors. */
  fetch: typeof fetch;
  url: string;
  spaces: readonly string[] | undefined;
  pullLimit: number;
  pushBatchSize: number;
  rejected(event: RejectionEvent): void;
  progress(event: SyncProgress): void;
}

export function createSyncRun(ctx: EngineContext, options: SyncRunOptions): RunFn {
  const urlFor = (route: string) => joinUrl(options.url, route);
  return async (run) => {
    const local = await ctx.ready;
    const { counters } = run;
    const syncCtx: SyncContext = {
      ...ctx,
      post: (route, body) =>
        postJson(options.fetch, urlFor(route), body, {
          signal: run.signal,
          now: ctx.now,
          onBytes(sent, received) {
            counters.bytesSent += sent;
            counters.bytesReceived += received;
          },
        }),
      urlFor,
      spaces: options.spaces,
      pullLimit: options.pullLimit,
      pushBatchSize: options.pushBatchSize,
      rejected: options.rejected,
      counters,
      progress: (phase, remaining) =>
        options.progress({
          runId: run.id,
          phase,
          ...counters,
          remaining,
          total: remaining === undefined ? undefined : counters.pulled + remaining,
        }),
    };
    const pushed = await pushOutbox(syncCtx, local, () => pullFields(syncCtx, local.cursor));
    await pullChanges(syncCtx, local, pushed.pulled);
    return { lastSuccessAt: local.lastSuccessAt ?? ctx.now() };
  };
}
