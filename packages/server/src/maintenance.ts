/**
 * Housekeeping that rides on ordinary traffic instead of timers of its own: after a push,
 * at most once per interval, remembered rejections past their retention are deleted.
 */
import type { Database } from './db/driver.ts';
import type { Logger } from './logger.ts';
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
