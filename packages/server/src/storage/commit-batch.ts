/**
 * Applies writes inside one transaction ("group commit": a batch may hold the pushes of
 * many clients and the app's own server writes). The transaction first locks the single
 * `ferry_server` row, so writers take versions one transaction at a time and commits become
 * visible in version order (I2); each client's `last_mutation_id` moves in the same
 * transaction as the effects of its mutations (I1). Reads and writes are a fixed number of
 * set-based statements per batch, whatever its size.
 */
import {
  FerryError,
  type Mutation,
  type MutationId,
  type MutationResult,
  type Version,
} from '@ferry/protocol';
import { prepared, type Queryable } from '../db/driver.ts';
import { notMigrated } from '../errors.ts';
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
  /** The head version after the batch. */
  headVersion: number;
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

const LOCK_HEAD_SQL = prepared(
  'SELECT head_version, server_id FROM ferry_server WHERE id = 1 FOR UPDATE',
);

/** NOTIFY carries at most 8000 bytes; a commit touching more spaces pokes every stream. */
const MAX_NOTIFY_BYTES = 7000;

function notifyPayload(
  spaces: ReadonlySet<string>,
  version: number,
  replicaId: string | undefined,
): string {
  const payload = JSON.stringify({ v: version, s: [...spaces], r: replicaId });
  return Buffer.byteLength(payload) > MAX_NOTIFY_BYTES
    ? JSON.stringify({ v: version, r: replicaId })
    : payload;
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
  const [server] = await db.query<{ head_version: string | number; server_id: string }>(
    LOCK_HEAD_SQL,
  );
  if (!server) throw notMigrated('ferry_server');
  let head = Number(server.head_version);
  const startHead = head;

  // Records are read for every job: which jobs may write is known only once the clients are.
  const { clients, newClients, records } = await readBatchInputs(
    db,
    clientClaims(jobs),
    jobs.flatMap((j) => j.mutations),
  );
  const clientOf = (job: WriteJob) =>
    job.clientId === null ? undefined : clients.get(job.clientId);
  const allowed = (job: WriteJob) => job.clientId === null || clientOf(job)?.userId === job.userId;
  const dirty = new Map<string, RecordAddress>();
  const touchedSpaces = new Set<string>();
  const movedClients = new Map<string, number>();
  const newRejections: RejectionRow[] = [];
  const duplicates: PendingDuplicate[] = [];
  const committed: CommittedChange[] = [];

  const outcomes: WriteJobOutcome[] = [];
  for (const job of jobs) {
    if (!allowed(job)) {
      outcomes.push({
        ok: false,
        error: new FerryError('forbidden', `clientId "${job.clientId}" belongs to another user`),
      });
      continue;
    }
    const client = clientOf(job);
    const results: MutationResult[] = [];
    for (const m of job.mutations) {
      const id = m.id as MutationId;
      if (client && m.id <= client.lastMutationId) {
        const result = { id, status: 'duplicate' as const };
        duplicates.push({ clientId: client.clientId, mutationId: m.id, result });
        results.push(result);
        continue;
      }
      if (client) {
        client.lastMutationId = m.id;
        movedClients.set(client.clientId, m.id);
      }
      const address = addressOf(m);
      const decision = await decide(m, records.get(address), job, options, db);
      if (decision.kind === 'reject') {
        const error = { code: decision.code, message: decision.message };
        results.push({ id, status: 'rejected', error });
        if (client) newRejections.push({ clientId: client.clientId, mutationId: m.id, ...error });
        continue;
      }
      head += 1;
      records.set(address, { text: decision.text, parsed: decision.parsed, version: head });
      dirty.set(address, m);
      touchedSpaces.add(m.space);
      results.push({ id, status: 'applied', version: head as Version });
      if (options.recordCommits) {
        const { space, collection, key, op } = m;
        const { origin, userId, clientId } = job;
        committed.push({
          space,
          collection,
          key,
          op,
          version: head,
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
  const moved = head !== startHead;
  const pokeChanges = moved && options.listenedSpaces ? pokeChangesOf(dirty, records) : undefined;
  const listened = pokeChanges && options.listenedSpaces?.(touchedSpaces);
  const bases = await writeBatch(db, {
    records: [...dirty.entries()].map(([address, a]) => ({ ...a, state: records.get(address)! })),
    clients: movedClients,
    headVersion: moved ? head : undefined,
    rejections: newRejections,
    commitEvent: committed.length > 0 ? JSON.stringify(committed) : undefined,
    notify:
      moved && options.notifyChannel
        ? {
            channel: options.notifyChannel,
            payload: notifyPayload(touchedSpaces, head, options.replicaId),
          }
        : undefined,
    basesOf: listened,
  });
  if (!moved) return { outcomes, committed: null };
  const patch: CommitPatch | undefined =
    pokeChanges && bases ? { serverId: server.server_id, changes: pokeChanges, bases } : undefined;
  return { outcomes, committed: { spaces: touchedSpaces, headVersion: head, patch } };
}
