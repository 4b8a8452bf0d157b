/**
 * Housekeeping. Remembered rejections past their retention are pruned on the back of
 * ordinary traffic (after a push, at most once per interval); tombstones are compacted on
 * a timer.
 */
import type { Database } from './db/driver.ts';
import type { Logger } from './logger.ts';
import type { CompactionResult } from './storage/compaction.ts';
import { pruneRejections } from './storage/rejections.ts';

export interface PrunerOptions {
  database: Database;
  retentionMs: number;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}

export function createRejectionPruner(options: PrunerOptions): () => void {
  const now = options.now ?? Date.now;
  let lastRunMs = Number.NEGATIVE_INFINITY;
  let running = false;
  return () => {
    if (running || now() - lastRunMs < options.intervalMs) return;
    running = true;
    lastRunMs = now();
    pruneRejections(options.database, options.retentionMs)
      .then((n) => {
        if (n > 0) options.logger.info({ pruned: n }, 'pruned remembered rejections');
      })
      .catch((error: unknown) =>
        options.logger.warn({ err: error }, 'pruning remembered rejections failed'),
      )
      .finally(() => {
        running = false;
      });
  };
}

export interface CompactionSchedule {
  run: () => Promise<CompactionResult>;
  intervalMs: number;
  logger: Logger;
}

/** Runs tombstone compaction on a timer that does not keep the process alive. */
export function scheduleCompaction(options: CompactionSchedule): { stop(): void } {
  const timer = setInterval(() => {
    options
      .run()
      .then((result) => {
        if (result.removed > 0) options.logger.info({ ...result }, 'compacted tombstones');
      })
      .catch((error: unknown) =>
        options.logger.warn({ err: error }, 'tombstone compaction failed'),
      );
  }, options.intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
