/** What every system's server side offers the workloads, whatever it runs on. */
import type { BenchRecord } from '../types.ts';

export interface ServerSystem {
  /** Base URL of the system's HTTP server. */
  readonly url: string;
  /** Stores records in `space` through the system's own server-side write path. */
  seed(space: string, records: Iterable<BenchRecord[]>): Promise<void>;
  /** Live records stored in these spaces. */
  count(spaces: readonly string[]): Promise<number>;
  /**
   * Where a client that has seen everything in `space` stands, for systems whose clients
   * can start from a given point (a sequence, a checkpoint); undefined for Ferry, whose
   * cursor is opaque and issued only by pulls.
   */
  head(space: string): Promise<unknown>;
  /**
   * Commits one record in `space` through the system's own write path, in this process,
   * and tells the space's open event streams as the system does after any write; resolves
   * once the write is committed (fan-out: the time the streams' pokes are measured from).
   */
  commitOne(space: string, record: BenchRecord): Promise<void>;
  /** The credential a client of `user` reading and writing `spaces` sends (a token for Ferry). */
  credential(user: string, spaces: readonly string[]): Promise<string>;
  /**
   * RECOVER: stops answering (the listener closed, every connection dropped) for `downMs`,
   * then listens again on the same port, over the same database; resolves once it answers.
   * The systems RECOVER compares have it; the floor has no client that reconnects.
   */
  outage?(downMs: number): Promise<void>;
  close(): Promise<void>;
}
