/**
 * The app's hooks into the write path. `beforeWrite` runs inside the transaction that
 * commits the write (so it can read the app's tables consistently and its decision is
 * atomic with the write); `afterCommit` runs after commit, for side effects, fed from a
 * transactional outbox so it sees every committed write at least once and never a write
 * that rolled back.
 */
import type { JsonObject, RejectionCode, StandardSchemaV1 } from '@ferry/protocol';
import type { Queryable } from './db/driver.ts';

/** Where a write came from: a client's push, or the app's own `ferry.write`. */
export type WriteOrigin = 'client' | 'server';

export interface WriteContext {
  origin: WriteOrigin;
  /** The pushing user; for server writes, the user named in `ferry.write`, if any. */
  userId: string | null;
  clientId: string | null;
  /** The transaction the write commits in: read (or write) the app's own tables here. */
  db: Queryable;
  /** The record as it stands before this write; null if it does not exist. */
  current: { value: JsonObject; version: number } | null;
}

export interface ProposedWrite {
  space: string;
  collection: string;
  key: string;
  op: 'put' | 'patch' | 'delete';
  /** The value the record would have after the write (patches already merged); null for a delete. */
  value: JsonObject | null;
}

/**
 * What `beforeWrite` decides: nothing (allow as is), `{ reject }` (refused with that reason,
 * code `invalid` unless another rejection code is given), or `{ value }` (store this value
 * instead; not for deletes).
 */
export type WriteDecision =
  | undefined
  | { reject: string; code?: Exclude<RejectionCode, 'too_large'> }
  | { value: JsonObject };

export interface CommittedChange {
  space: string;
  collection: string;
  key: string;
  version: number;
  op: 'put' | 'patch' | 'delete';
  /** The record after the write; null when deleted. */
  value: JsonObject | null;
  origin: WriteOrigin;
  userId: string | null;
  clientId: string | null;
}

export interface Rules {
  beforeWrite?(context: WriteContext, write: ProposedWrite): WriteDecision | Promise<WriteDecision>;
  /**
   * Called with the changes of each committed transaction, at least once, usually in
   * commit order (a delivery that threw is retried with backoff and may then arrive after
   * later ones; order by `version`). Must be idempotent.
   */
  afterCommit?(changes: CommittedChange[]): void | Promise<void>;
}

/** One Standard Schema (zod, valibot, …) per collection; when given, other collections are refused. */
export type CollectionSchemas = Record<string, StandardSchemaV1>;
