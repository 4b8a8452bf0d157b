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
import type { LocalState } from './local-state.ts';
import { pullChanges, pullFields } from './pull.ts';
import { pushOutbox, type RejectionEvent } from './push.ts';
import type { RunContext, RunCounters, RunFn } from './scheduler/active-run.ts';

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
  let loaded: LocalState | undefined;
  void ctx.ready.then(
    (local) => {
      loaded = local;
    },
    () => {},
  );
  return async (run) => {
    // The push range is taken in the same tick the scheduler stops treating the run as not
    // started, so a sync() made in between is never left out of both this run and the range.
    if (loaded !== undefined) takePushRange(run, loaded);
    const local = await ctx.ready;
    if (run.pushRange === null) takePushRange(run, local);
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
    const through = run.pushRange?.through ?? local.outbox.lastId;
    const pushed = await pushOutbox(syncCtx, local, through, () =>
      pullFields(syncCtx, local.cursor),
    );
    await pullChanges(syncCtx, local, pushed.pulled);
    return { lastSuccessAt: local.lastSuccessAt ?? ctx.now() };
  };
}

/**
 * What the run will push: every write the server has not acknowledged, up to the last one
 * recorded now. Writes made later wait for the next run; a sync() asking only for these
 * joins this one.
 */
function takePushRange(run: RunContext, local: LocalState): void {
  run.pushRange = { after: local.pushedThrough, through: local.outbox.lastId };
}
