/**
 * One sync leader per store across tabs, workers and the service worker (invariant I6),
 * with the Web Locks API. A contender holds the lock `ferry:<name>` for as long as it leads;
 * the others wait in the lock's queue, so when the leader's page is closed, reloaded or
 * killed the browser releases the lock and the next contender leads at once.
 *
 * A frozen page keeps its locks. So a contender that sees the leader stop answering takes
 * the lock by force (`steal`); the old leader's lock request then rejects with an
 * AbortError when it runs again, and it steps down. Until it notices, the store's writer
 * epoch (`IndexedDbStore.claim`) keeps it from committing anything.
 */
import { channelName } from './channel.ts';

/** Called when leadership is gained; resolves to the function that ends it. */
export type Lead = () => Promise<() => Promise<void>>;

export interface Leadership {
  readonly leading: boolean;
  /** Takes the lock from a leader that does not answer. */
  steal(): void;
  /** Ends leadership (after its end function finished) or leaves the queue. */
  close(): Promise<void>;
}

export interface LeadershipOptions {
  name: string;
  lead: Lead;
  locks?: LockManager;
  /** Reports a failure to start leading; the contender queues again. */
  onError?: (error: unknown) => void;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function joinLeadership(options: LeadershipOptions): Leadership {
  const locks = options.locks ?? globalThis.navigator?.locks;
  if (locks === undefined) {
    throw new Error(
      'The Web Locks API (navigator.locks) is not available here; Ferry needs it to run one sync at a time across tabs. It exists in every current browser on https or localhost pages.',
    );
  }
  const lockName = channelName(options.name);
  let closed = false;
  let leading = false;
  let stealNext = false;
  let failures = 0;
  /** Cancels the queued (not yet granted) request. */
  let queued: AbortController | undefined;
  /** Ends the held lock's callback. */
  let releaseHeld: (() => void) | undefined;
  let endLeadership: (() => Promise<void>) | undefined;

  const stepDown = async () => {
    const end = endLeadership;
    endLeadership = undefined;
    leading = false;
    releaseHeld?.();
    releaseHeld = undefined;
    if (end) await end().catch((error) => options.onError?.(error));
  };

  const holdWhileLeading = async () => {
    queued = undefined;
    if (closed) return;
    const held = new Promise<void>((resolve) => {
      releaseHeld = resolve;
    });
    try {
      endLeadership = await options.lead();
      leading = true;
    } catch (error) {
      options.onError?.(error);
      releaseHeld = undefined;
      failures += 1;
      return;
    }
    failures = 0;
    await held;
    await stepDown();
  };

  const contendUntilClosed = async () => {
    while (!closed) {
      // A store that cannot be opened must not make the contenders spin on the lock.
      if (failures > 0) await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures));
      const steal = stealNext;
      stealNext = false;
      const controller = new AbortController();
      queued = controller;
      try {
        await locks.request(
          lockName,
          steal ? { steal: true } : { signal: controller.signal },
          holdWhileLeading,
        );
      } catch (error) {
        if (!isAbort(error)) options.onError?.(error);
        // Stolen from us while we led: the lock is already gone, only our side ends.
        await stepDown();
      }
    }
  };
  const loop = contendUntilClosed();

  return {
    get leading() {
      return leading;
    },
    steal() {
      if (closed || leading) return;
      stealNext = true;
      queued?.abort();
    },
    async close() {
      closed = true;
      queued?.abort();
      releaseHeld?.();
      await loop;
    },
  };
}
