/**
 * Group commit. Push requests that arrive while a transaction is running wait in a queue
 * and go into the next transaction together, so the serialised section (see
 * storage/push.ts) is paid once per batch instead of once per request.
 */
import { type Database, isConnectionError } from './db/driver.ts';
import {
  type BatchOptions,
  commitPushBatch,
  type PushJob,
  type PushOutcome,
} from './storage/push.ts';

export interface CommittedChanges {
  spaces: Set<string>;
  headVersion: number;
}

interface Waiting {
  job: PushJob;
  resolve: (outcome: PushOutcome) => void;
  reject: (error: unknown) => void;
}

export interface PushQueueOptions {
  database: Database;
  /** Limits, schemas and rules every batch is decided by. */
  batch: BatchOptions;
  /** Most mutations in one transaction; requests are never split. */
  maxBatchMutations: number;
  onCommit: (changes: CommittedChanges) => void;
  onBatch?: (outcomes: readonly PushOutcome[]) => void;
}

export class PushQueue {
  private readonly waiting: Waiting[] = [];
  private draining: Promise<void> | undefined;

  constructor(private readonly options: PushQueueOptions) {}

  submit(job: PushJob): Promise<PushOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.startDraining();
    });
  }

  private startDraining(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // A caller that resumed on its answer and submitted again at once did so before this
      // ran, while the finished drain still looked busy: its request waits here.
      if (this.waiting.length > 0) this.startDraining();
    });
  }

  /** Resolves once every submitted request has been answered. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let mutations = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (
        batch.length > 0 &&
        mutations + next.job.mutations.length > this.options.maxBatchMutations
      )
        break;
      batch.push(this.waiting.shift()!);
      mutations += next.job.mutations.length;
    }
    return batch;
  }

  private async drain(): Promise<void> {
    // Yield once so that requests arriving in the same tick share the first transaction.
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.run(batch);
      } catch (error) {
        if (batch.length > 1 && !isConnectionError(error)) {
          // One request must not fail its neighbours: retry each on its own.
          for (const one of batch) await this.run([one]).catch(one.reject);
        } else {
          for (const one of batch) one.reject(error);
        }
      }
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    const { database } = this.options;
    const jobs = batch.map((w) => w.job);
    const result = await database.transaction((tx) =>
      commitPushBatch(tx, jobs, this.options.batch),
    );
    for (const [i, outcome] of result.outcomes.entries()) batch[i]!.resolve(outcome);
    this.options.onBatch?.(result.outcomes);
    if (result.committed) this.options.onCommit(result.committed);
  }
}
