/**
 * Commits gathered for one wake-up send (Web Push, native push): the commits that follow
 * within `gatherMs` of the first share one database claim and one message per device, so a
 * burst of commits costs one statement rather than one each, even where nobody has
 * subscribed, and a message that takes a push service seconds to deliver loses nothing by
 * waiting a fraction of one. Sends run in the background; `idle()` waits for them.
 */
import type { Logger } from './logger.ts';

export interface CommitGatherer {
  /** Called after a commit: its spaces join the gathered send, started `gatherMs` after the first. */
  notify(spaces: ReadonlySet<string>, version: number): void;
  /** Starts what is gathered now and waits for every send in flight. */
  idle(): Promise<void>;
}

export function createCommitGatherer(options: {
  gatherMs: number;
  /** Sends for the gathered spaces, up to the newest version among them; may reject. */
  send: (spaces: ReadonlySet<string>, version: number) => Promise<void>;
  logger: Logger;
  /** Logged when a send rejects, e.g. 'web push after commit failed'. */
  failureMessage: string;
}): CommitGatherer {
  const { gatherMs, send, logger, failureMessage } = options;
  const inFlight = new Set<Promise<void>>();
  let gathered:
    | { spaces: Set<string>; version: number; timer: ReturnType<typeof setTimeout> }
    | undefined;

  function sendGathered(): void {
    const batch = gathered;
    if (!batch) return;
    gathered = undefined;
    clearTimeout(batch.timer);
    const task = send(batch.spaces, batch.version)
      .catch((error: unknown) => logger.warn({ err: error }, failureMessage))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  return {
    notify(spaces, version) {
      gathered ??= { spaces: new Set(), version, timer: setTimeout(sendGathered, gatherMs) };
      for (const space of spaces) gathered.spaces.add(space);
      gathered.version = Math.max(gathered.version, version);
    },
    async idle() {
      sendGathered();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/**
 * Runs `send` for every item with at most `concurrency` in flight. Each worker takes the next
 * item as soon as its last one settles, so one slow recipient (a push service that answers
 * only at the timeout) holds one worker, never a whole batch. `send` must not throw.
 */
export async function sendEach<T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await send(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
