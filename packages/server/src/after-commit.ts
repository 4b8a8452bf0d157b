/**
 * Delivers committed changes to the app's `afterCommit` hook from the transactional outbox
 * (storage/commit-events.ts): right after each commit in this process, and on a polling
 * interval for retries and for batches another replica left behind. Delivery is at least
 * once: a batch is deleted only after the hook returned.
 */
import type { Database } from './db/driver.ts';
import type { Logger } from './logger.ts';
import type { CommittedChange } from './rules.ts';
import { claimCommitEvent, completeCommitEvent, failCommitEvent } from './storage/commit-events.ts';

export interface AfterCommitOptions {
  database: Database;
  deliver: (changes: CommittedChange[]) => void | Promise<void>;
  logger: Logger;
  /** How often to look for batches to (re)deliver; default 1000. */
  pollMs?: number;
  /** How long a claimed batch is reserved for one delivery attempt; default 60 000. */
  leaseMs?: number;
  /** First retry delay after a failed delivery, doubling up to `maxRetryMs`; default 500. */
  retryMs?: number;
  maxRetryMs?: number;
}

export class AfterCommitDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(private readonly options: AfterCommitOptions) {}

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.options.pollMs ?? 1000);
    this.timer.unref?.();
    this.nudge();
  }

  /** Delivers whatever is waiting; calls made while delivering lead to one more pass. */
  nudge(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.nudge();
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    const { database, logger } = this.options;
    const leaseMs = this.options.leaseMs ?? 60_000;
    try {
      for (;;) {
        if (this.closed) return;
        const event = await claimCommitEvent(database, leaseMs);
        if (!event) return;
        try {
          await this.options.deliver(event.changes);
        } catch (error) {
          const base = this.options.retryMs ?? 500;
          const retryInMs = Math.min(
            this.options.maxRetryMs ?? 60_000,
            base * 2 ** Math.min(event.attempts - 1, 20),
          );
          logger.warn(
            { err: error, batch: event.id, attempts: event.attempts, retryInMs },
            'afterCommit failed; will retry',
          );
          await failCommitEvent(
            database,
            event.id,
            retryInMs,
            error instanceof Error ? error.message : String(error),
          );
          continue;
        }
        await completeCommitEvent(database, event.id);
      }
    } catch (error) {
      // The database is unreachable: the next poll tries again; nothing is lost.
      logger.warn({ err: error }, 'afterCommit delivery paused: the database did not answer');
    }
  }
}
