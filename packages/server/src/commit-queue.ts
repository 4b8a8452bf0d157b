/**
 * Group commit for every write: a push that finds the queue idle goes into a transaction in
 * the same turn of the event loop, with the pushes read in that turn, and clients' pushes
 * and the app's own server writes that arrive while one is running wait in a queue and go
 * into the next together, so a transaction's round trips and its commit's flush are paid
 * once per batch instead of once per request.
 *
 * The queue is bounded: a client push that would make more than `maxQueuedMutations` wait
 * is refused at once with 503 `unavailable` and a short Retry-After. Under more load than
 * the database can take, waits stay short and clients back off (their mutations stay in
 * their outboxes), instead of requests queueing until the HTTP server times them out.
 *
 * One user's load must not become everyone's. Each user's jobs wait in a lane of their own
 * (the app's server writes share one), and a batch takes one job from each lane in turn,
 * so a push from a user with nothing waiting goes into the next transaction however many
 * one flooding user has queued; within a lane jobs keep their order. A user whose lane
 * holds `maxQueuedMutationsPerUser` is refused with 429 `rate_limited`, so one user can
 * fill at most that share of the queue.
 *
 * On PostgreSQL several transactions may run at once (`maxConcurrentBatches`): a push that
 * arrives while one is running goes into another at once instead of waiting for it, so
 * where each transaction waits on the network a push waits for no transaction but its own. Batches share no lock that
 * orders them (storage/commit-batch.ts), and pokes of a batch that commits before an older
 * one wait for the watermark (events/visibility.ts). A lane has one job in flight at a time,
 * so one user's pushes still commit in the order they came. Embedded PGlite has one
 * connection in this thread: there, one transaction at a time.
 */
import { FerryError } from '@ferry/protocol';
import { type Database, isConnectionError } from './db/driver.ts';
import {
  type BatchOptions,
  type CommittedBatch,
  commitBatch,
  type WriteJob,
  type WriteJobOutcome,
} from './storage/commit-batch.ts';

interface Waiting {
  job: WriteJob;
  resolve: (outcome: WriteJobOutcome) => void;
  reject: (error: unknown) => void;
}

export interface CommitQueueOptions {
  database: Database;
  /** Limits, schemas and rules every batch is decided by. */
  batch: BatchOptions;
  /** Most mutations in one transaction; requests are never split. */
  maxBatchMutations: number;
  /** Most mutations waiting for a transaction before client pushes are refused. */
  maxQueuedMutations: number;
  /** Most mutations one user's pushes may have waiting; 0: no cap of its own. */
  maxQueuedMutationsPerUser: number;
  /** Most transactions running at once; default 1. */
  maxConcurrentBatches?: number;
  onCommit: (committed: CommittedBatch) => void;
  onBatch?: (outcomes: readonly WriteJobOutcome[]) => void;
}

/**
 * Lets the event loop read the sockets before a batch is taken: requests that have arrived
 * join it, and responses and timers are not held up. An embedded database (PGlite) runs
 * in this thread and can settle its queries without ever returning to the event loop, so
 * back-to-back transactions would otherwise starve it (connections idle past their
 * keep-alive timeout were closed with a request unread).
 */
const yieldToIo: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : // Runtimes without setImmediate (workers on the edge): a timer also ends the task.
      () => new Promise((resolve) => setTimeout(resolve, 0));

/** How long a client refused by a full queue is asked to wait. */
const BUSY_RETRY_AFTER_SECONDS = 1;

function busy(): FerryError {
  return new FerryError(
    'unavailable',
    'the server has more writes waiting than it takes; retry after the Retry-After pause',
    { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
  );
}

function userBusy(waiting: number): FerryError {
  return new FerryError(
    'rate_limited',
    `this user already has ${waiting} mutations waiting to be written; retry after the Retry-After pause`,
    { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
  );
}

/**
 * Transactions of other replicas, or of the app's own hooks, can lock rows in another order
 * than Ferry's batches do; PostgreSQL then ends one of them with a deadlock (40P01) or
 * serialization failure (40001), which nothing in the batch is to blame for: it runs again.
 */
const CONFLICT_RETRIES = 3;

async function retryingConflicts<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (attempt > CONFLICT_RETRIES || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

/** The app's own server writes wait in one lane, whichever user they name. */
const SERVER_LANE = Symbol('server writes');

/** One user's jobs (or the server writes), in the order they came. */
interface Lane {
  jobs: Waiting[];
  mutations: number;
}

function laneOf(job: WriteJob): string | symbol {
  return job.origin === 'client' && job.userId !== null ? job.userId : SERVER_LANE;
}

export class CommitQueue {
  /** Lanes with jobs waiting, in turn order: the first lane gives the next job. */
  private readonly lanes = new Map<string | symbol, Lane>();
  /** Lanes with a job in a running transaction: none of their jobs is taken meanwhile. */
  private readonly busyLanes = new Set<string | symbol>();
  private waitingMutations = 0;
  /** Loops taking and running batches, at most `maxConcurrentBatches`. */
  private readonly drainers = new Set<Promise<void>>();
  /** Drainers inside a transaction; the others are about to take a batch. */
  private running = 0;

  constructor(private readonly options: CommitQueueOptions) {}

  /**
   * Queues a job for the next transaction. A client push that finds the queue, or its
   * user's lane, full is refused (an empty queue or lane takes any push, so no request is
   * refused for ever); the app's own server writes always queue.
   */
  submit(job: WriteJob): Promise<WriteJobOutcome> {
    const count = job.mutations.length;
    const key = laneOf(job);
    const lane = this.lanes.get(key);
    if (job.origin === 'client') {
      if (
        this.waitingMutations > 0 &&
        this.waitingMutations + count > this.options.maxQueuedMutations
      ) {
        return Promise.reject(busy());
      }
      const perUser = this.options.maxQueuedMutationsPerUser;
      if (lane && perUser > 0 && lane.mutations + count > perUser) {
        return Promise.reject(userBusy(lane.mutations));
      }
    }
    return new Promise((resolve, reject) => {
      const waiting = { job, resolve, reject };
      if (lane) {
        lane.jobs.push(waiting);
        lane.mutations += count;
      } else {
        this.lanes.set(key, { jobs: [waiting], mutations: count });
      }
      this.waitingMutations += count;
      this.startDraining();
    });
  }

  /** Mutations waiting for a transaction (not those of the ones running). */
  get queuedMutations(): number {
    return this.waitingMutations;
  }

  /** Whether a lane has a job that may be taken now (its lane has none in flight). */
  private hasTakeable(): boolean {
    if (this.busyLanes.size === 0) return this.lanes.size > 0;
    for (const key of this.lanes.keys()) if (!this.busyLanes.has(key)) return true;
    return false;
  }

  /** Starts another drainer when a job waits that none is about to take and one may run. */
  private startDraining(): void {
    const most = Math.max(1, this.options.maxConcurrentBatches ?? 1);
    if (this.drainers.size >= most || !this.hasTakeable()) return;
    // A drainer that has not taken its batch yet takes every job waiting by then.
    if (this.drainers.size > this.running) return;
    const drainer: Promise<void> = this.drain().finally(() => {
      this.drainers.delete(drainer);
      // A caller that resumed on its answer and submitted again at once did so before this
      // ran, while the finished drainer still looked busy: its request waits here.
      this.startDraining();
    });
    this.drainers.add(drainer);
  }

  /** Resolves once every submitted request has been answered. */
  async idle(): Promise<void> {
    while (this.drainers.size > 0) await Promise.all(this.drainers);
  }

  /**
   * Takes jobs one lane at a time, each lane going to the back of the turn order once it
   * has given one, until the next job would not fit. That job's lane stays first, so the
   * next batch starts with it: a large job is never passed over for ever. Lanes with a job
   * in flight are passed over and keep their place.
   */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const taken: (string | symbol)[] = [];
    let mutations = 0;
    for (const [key, lane] of this.lanes) {
      if (this.busyLanes.has(key)) continue;
      const next = lane.jobs[0]!;
      const count = next.job.mutations.length;
      if (batch.length > 0 && mutations + count > this.options.maxBatchMutations) break;
      batch.push(next);
      taken.push(key);
      mutations += count;
      lane.jobs.shift();
      lane.mutations -= count;
      // Deleted, and added again at the back while it has jobs left: a Map's iteration
      // visits entries added during it, so the loop comes back to this lane after the others
      // (and passes over it, busy from now on).
      this.lanes.delete(key);
      if (lane.jobs.length > 0) this.lanes.set(key, lane);
      this.busyLanes.add(key);
    }
    this.waitingMutations -= mutations;
    return batch;
  }

  private async drain(): Promise<void> {
    for (;;) {
      // Every batch lets the event loop run first, the first one too. A push reaches the
      // queue in the microtasks of its socket's callback, before the loop calls those of the
      // other sockets that were readable at the same time; with an embedded database the
      // transaction ran right there, so under load every push found the queue empty and
      // committed alone (about 400 transactions a second for 1,000 writes a second from 50
      // clients, the server's thread never idle). On an idle loop this costs one turn.
      await yieldToIo();
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      try {
        await this.runCatching(batch);
      } finally {
        for (const one of batch) this.busyLanes.delete(laneOf(one.job));
      }
      // Lanes freed, or jobs that came meanwhile, may keep another drainer busy too.
      this.startDraining();
    }
  }

  /** Runs a batch and answers each of its jobs, whatever happens. */
  private async runCatching(batch: Waiting[]): Promise<void> {
    this.running++;
    try {
      await this.run(batch);
    } catch (error) {
      if (batch.length > 1 && !isConnectionError(error)) {
        // One request must not fail its neighbours: retry each on its own.
        for (const one of batch) await this.run([one]).catch(one.reject);
      } else {
        for (const one of batch) one.reject(error);
      }
    } finally {
      this.running--;
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    const { database } = this.options;
    const jobs = batch.map((w) => w.job);
    const result = await retryingConflicts(() =>
      database.transaction((tx) => commitBatch(tx, jobs, this.options.batch)),
    );
    for (const [i, outcome] of result.outcomes.entries()) batch[i]!.resolve(outcome);
    this.options.onBatch?.(result.outcomes);
    if (result.committed) this.options.onCommit(result.committed);
  }
}
