/**
 * Applies writes inside one transaction ("group commit": a batch may hold the pushes of
 * many clients and the app's own server writes). No lock orders all writers: the batch
 * reserves versions (storage/batch-inputs.ts), locks only the clients and records it names,
 * so batches that share neither run side by side, takes its versions from a sequence, and
 * readers stop below the oldest writer still holding versions (storage/watermark.ts), so a
 * change that commits late is never skipped (I2). Each client's `last_mutation_id` moves in
 * the same transaction as the effects of its mutations (I1). Reads and writes are a fixed
 * number of set-based statements per batch, whatever its size.
 */
import {
  FerryError,
  type Mutation,
  type MutationId,
  type MutationResult,
  type Version,
} from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';
import type { CommittedChange } from '../rules.ts';
import { type ClientClaims, readBatchInputs } from './batch-inputs.ts';
import { writeBatch } from './batch-writes.ts';
import { type CommitPatch, pokeChangesOf } from './commit-patch.ts';
import { decide, type WritePolicy, type Writer } from './decide.ts';
import { addressOf, type RecordAddress } from './records.ts';
import { loadRejections, type RejectionRow, rejectionKey } from './rejections.ts';

/** A client's push (with a client id: duplicates are detected) or a server write (without). */
export interface WriteJob extends Writer {
  mutations: readonly Mutation[];
}

export type WriteJobOutcome =
  | {
      ok: true;
      results: MutationResult[];
      lastMutationId: number;
      /** This job registered its client id: no one had used it before. */
      newClient?: true;
    }
  | { ok: false; error: FerryError };

export interface CommitBatchResult {
  outcomes: WriteJobOutcome[];
  /** What the batch changed; null if nothing. */
  committed: CommittedBatch | null;
}

export interface CommittedBatch {
  /** Spaces that received changes. */
  spaces: Set<string>;
  /** The batch's highest version. */
  version: number;
  /**
   * A version safe to read up to once the batch has committed (see storage/watermark.ts):
   * at or above `version` when no older writer was still running, below it otherwise, and
   * then the batch's pokes wait until a later watermark covers it (events/visibility.ts).
   */
  watermark: number;
  /** The batch's changes for pokes to carry, when it is small and someone listens. */
  patch?: CommitPatch | undefined;
}

export interface BatchOptions extends WritePolicy {
  /** Write the batch's changes to the afterCommit outbox. */
  recordCommits: boolean;
  /** Tell other replicas about the commit on this channel (delivered only if it commits). */
  notifyChannel?: string | undefined;
  /** This process's id in those notifications, so that it knows its own commits. */
  replicaId?: string | undefined;
  /**
   * The spaces whose event streams would hear of a commit to `touched` (all their spaces,
   * not only the touched ones), or undefined when none could take its changes in a poke.
   */
  listenedSpaces?: ((touched: ReadonlySet<string>) => string[] | undefined) | undefined;
}

interface PendingDuplicate {
  clientId: string;
  mutationId: number;
  result: Extract<MutationResult, { status: 'duplicate' }>;
}

/** A duplicate of a mutation that was rejected carries that rejection. */
async function attachRememberedRejections(
  db: Queryable,
  duplicates: readonly PendingDuplicate[],
  rejectedNow: readonly RejectionRow[],
): Promise<void> {
  if (duplicates.length === 0) return;
  const known = await loadRejections(db, duplicates);
  for (const r of rejectedNow) known.set(rejectionKey(r.clientId, r.mutationId), r);
  for (const d of duplicates) {
    const rejection = known.get(rejectionKey(d.clientId, d.mutationId));
    if (rejection) d.result.error = { code: rejection.code, message: rejection.message };
  }
}

/** NOTIFY carries at most 8000 bytes; a commit touching more spaces pokes every stream. */
const MAX_NOTIFY_BYTES = 7000;

/**
 * What other replicas hear of a commit, less the watermark (`v`, known only in the write
 * statement, which puts it first): the commit's highest version, its spaces and who wrote it.
 */
function notifyPayload(
  spaces: ReadonlySet<string>,
  version: number,
  replicaId: string | undefined,
): string {
  const payload = JSON.stringify({ m: version, s: [...spaces], r: replicaId });
  return Buffer.byteLength(payload) > MAX_NOTIFY_BYTES
    ? JSON.stringify({ m: version, r: replicaId })
    : payload;
}

/**
 * Whether every version below the batch's, other than its own, was settled before its write
 * statement began, so that the bases it reads (commit-patch.ts) miss no change: no other
 * writer held versions at or below the floor when the batch reserved, and the batch's
 * versions follow the floor with none drawn by another writer between them.
 */
function settledBelow(floor: number, watermark: number | undefined, versions: number[]): boolean {
  if (watermark === undefined || watermark < floor || versions.length === 0) return false;
  return versions[0] === floor + 1 && versions[versions.length - 1] === floor + versions.length;
}

/**
 * Another transaction created a record this batch found missing, after the batch read it:
 * the batch decided on a state that is gone. Thrown with PostgreSQL's code for a
 * serialization failure, so the transaction is rolled back and run again (commit-queue.ts),
 * and then finds the record and locks it.
 */
function createdMeanwhile(): Error {
  return Object.assign(new Error('a record this batch creates was created meanwhile'), {
    code: '40001',
  });
}

/** The batch's client ids, each with the first user that names it (its owner if it is new). */
function clientClaims(jobs: readonly WriteJob[]): ClientClaims {
  const firstUser = new Map<string, string>();
  for (const j of jobs) {
    if (j.clientId !== null && j.userId !== null && !firstUser.has(j.clientId))
      firstUser.set(j.clientId, j.userId);
  }
  return { clientIds: [...firstUser.keys()], userIds: [...firstUser.values()] };
}

export async function commitBatch(
  db: Queryable,
  jobs: readonly WriteJob[],
  options: BatchOptions,
): Promise<CommitBatchResult> {
  const mutations = jobs.flatMap((j) => j.mutations);
  // Whether a poke could carry the batch's changes: only then is the watermark read first.
  const mayPatch = options.listenedSpaces?.(new Set(mutations.map((m) => m.space))) !== undefined;
  // Records are read for every job: which jobs may write is known only once the clients are.
  const inputs = await readBatchInputs(db, clientClaims(jobs), mutations, {
    draws: mutations.length,
    wantWatermark: mayPatch,
  });
  const { clients, newClients, records, versions } = inputs;
  // Records that exist are locked; the others are created only if they still do not exist.
  const existed = new Set(records.keys());
  const clientOf = (job: WriteJob) =>
    job.clientId === null ? undefined : clients.get(job.clientId);
  const allowed = (job: WriteJob) => job.clientId === null || clientOf(job)?.userId === job.userId;
  const dirty = new Map<string, RecordAddress>();
  const touchedSpaces = new Set<string>();
  const movedClients = new Map<string, { id: number; version: number }>();
  const newRejections: RejectionRow[] = [];
  const duplicates: PendingDuplicate[] = [];
  const committed: CommittedChange[] = [];
  let highest = 0;
  let next = 0;

  const outcomes: WriteJobOutcome[] = [];
  for (const job of jobs) {
    if (!allowed(job)) {
      next += job.mutations.length;
      outcomes.push({
        ok: false,
        error: new FerryError('forbidden', `clientId "${job.clientId}" belongs to another user`),
      });
      continue;
    }
    const client = clientOf(job);
    const results: MutationResult[] = [];
    for (const m of job.mutations) {
      const version = versions[next++]!;
      const id = m.id as MutationId;
      if (client && m.id <= client.lastMutationId) {
        const result = { id, status: 'duplicate' as const };
        duplicates.push({ clientId: client.clientId, mutationId: m.id, result });
        results.push(result);
        continue;
      }
      const moved = client && (movedClients.get(client.clientId) ?? { id: 0, version: 0 });
      if (client && moved) {
        client.lastMutationId = m.id;
        moved.id = m.id;
        movedClients.set(client.clientId, moved);
      }
      const address = addressOf(m);
      const decision = await decide(m, records.get(address), job, options, db);
      if (decision.kind === 'reject') {
        const error = { code: decision.code, message: decision.message };
        results.push({ id, status: 'rejected', error });
        if (client) newRejections.push({ clientId: client.clientId, mutationId: m.id, ...error });
        continue;
      }
      highest = version;
      if (moved) moved.version = version;
      records.set(address, { text: decision.text, parsed: decision.parsed, version });
      dirty.set(address, m);
      touchedSpaces.add(m.space);
      results.push({ id, status: 'applied', version: version as Version });
      if (options.recordCommits) {
        const { space, collection, key, op } = m;
        const { origin, userId, clientId } = job;
        committed.push({
          space,
          collection,
          key,
          op,
          version,
          value: decision.parsed,
          origin,
          userId,
          clientId,
        });
      }
    }
    const lastMutationId = client?.lastMutationId ?? 0;
    // Several jobs may name one new client id: the first of its owner's registered it.
    outcomes.push(
      client && newClients.delete(client.clientId)
        ? { ok: true, results, lastMutationId, newClient: true }
        : { ok: true, results, lastMutationId },
    );
  }

  await attachRememberedRejections(db, duplicates, newRejections);
  const changed = highest > 0;
  const settled = settledBelow(inputs.floor, inputs.watermark, versions);
  const pokeChanges =
    changed && settled && options.listenedSpaces ? pokeChangesOf(dirty, records) : undefined;
  const listened = pokeChanges && options.listenedSpaces?.(touchedSpaces);
  const writtenRecords = [...dirty.entries()].map(([address, a]) => ({
    ...a,
    state: records.get(address)!,
    created: !existed.has(address),
  }));
  const written = await writeBatch(db, {
    records: writtenRecords,
    clients: movedClients,
    rejections: newRejections,
    commitEvent: committed.length > 0 ? JSON.stringify(committed) : undefined,
    notify:
      changed && options.notifyChannel
        ? {
            channel: options.notifyChannel,
            payload: notifyPayload(touchedSpaces, highest, options.replicaId),
          }
        : undefined,
    watermark: changed,
    basesOf: listened,
  });
  if (written.created < writtenRecords.filter((r) => r.created).length) throw createdMeanwhile();
  if (!changed) return { outcomes, committed: null };
  const bases = written.bases;
  // A base above the batch's own versions is a change committed after them: the poke could
  // not say that nothing else happened in between.
  const patch: CommitPatch | undefined =
    pokeChanges && bases && [...bases.values()].every((base) => base < highest)
      ? { serverId: inputs.serverId, changes: pokeChanges, bases }
      : undefined;
  const watermark = Math.max(written.watermark ?? 0, settled ? highest : 0);
  return {
    outcomes,
    committed: { spaces: touchedSpaces, version: highest, watermark, patch },
  };
}
