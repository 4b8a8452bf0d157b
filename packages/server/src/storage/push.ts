/**
 * Applies push requests inside one transaction ("group commit": a batch may hold requests
 * from many clients). The transaction first locks the single `ferry_server` row, so writers
 * take versions one transaction at a time and commits become visible in version order
 * (I2); each client's `last_mutation_id` moves in the same transaction as the effects of
 * its mutations (I1). Reads and writes are a fixed number of set-based statements per
 * batch, whatever its size.
 */
import {
  applyPatch,
  FerryError,
  type JsonObject,
  jsonDepthExceeds,
  type Mutation,
  type MutationId,
  type MutationResult,
  type RejectionCode,
  type Version,
} from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';
import { claimClients } from './clients.ts';
import { loadRejections, type RejectionRow, rejectionKey, saveRejections } from './rejections.ts';

export interface PushJob {
  userId: string;
  /** Spaces the user may write. */
  spaces: ReadonlySet<string>;
  clientId: string;
  mutations: readonly Mutation[];
}

export type PushOutcome =
  | { ok: true; results: MutationResult[]; lastMutationId: number }
  | { ok: false; error: FerryError };

export interface ValueLimits {
  maxValueBytes: number;
  maxValueDepth: number;
}

export interface PushBatchResult {
  outcomes: PushOutcome[];
  /** Spaces that received changes, and the head version after the batch; null if nothing changed. */
  committed: { spaces: Set<string>; headVersion: number } | null;
}

interface RecordState {
  /** JSON text, null for a tombstone. */
  text: string | null;
  /** Parsed value, filled lazily when a patch needs it. */
  parsed?: JsonObject | null;
  version: number;
}

const addressOf = (m: { space: string; collection: string; key: string }) =>
  JSON.stringify([m.space, m.collection, m.key]);

async function loadRecords(
  db: Queryable,
  mutations: readonly Mutation[],
): Promise<Map<string, RecordState>> {
  const unique = new Map<string, Mutation>();
  for (const m of mutations) unique.set(addressOf(m), m);
  const records = new Map<string, RecordState>();
  if (unique.size === 0) return records;
  const list = [...unique.values()];
  const rows = await db.query<{
    space: string;
    collection: string;
    key: string;
    value: string | null;
    version: string | number;
  }>(
    `SELECT r.space, r.collection, r.key, r.value, r.version
     FROM unnest($1::text[], $2::text[], $3::text[]) AS a(space, collection, key)
     JOIN ferry_records r ON r.space = a.space AND r.collection = a.collection AND r.key = a.key`,
    [list.map((m) => m.space), list.map((m) => m.collection), list.map((m) => m.key)],
  );
  for (const r of rows) records.set(addressOf(r), { text: r.value, version: Number(r.version) });
  return records;
}

function currentValue(state: RecordState | undefined): JsonObject | null {
  if (!state || state.text === null) return null;
  state.parsed ??= JSON.parse(state.text) as JsonObject;
  return state.parsed;
}

type Decision =
  | { kind: 'reject'; code: RejectionCode; message: string }
  | { kind: 'apply'; text: string | null; parsed: JsonObject | null };

function decide(
  m: Mutation,
  state: RecordState | undefined,
  job: PushJob,
  limits: ValueLimits,
): Decision {
  if (!job.spaces.has(m.space)) {
    return {
      kind: 'reject',
      code: 'forbidden',
      message: `space "${m.space}" is not granted to this user`,
    };
  }
  if (m.ifVersion !== undefined) {
    const exists = state !== undefined && state.text !== null;
    const matches = m.ifVersion === 0 ? !exists : exists && state.version === m.ifVersion;
    if (!matches) {
      const actual = exists ? `version ${state.version}` : 'no record';
      return {
        kind: 'reject',
        code: 'conflict',
        message: `ifVersion ${m.ifVersion} does not match: found ${actual}`,
      };
    }
  }
  if (m.op === 'delete') return { kind: 'apply', text: null, parsed: null };
  if (jsonDepthExceeds(m.value, limits.maxValueDepth)) {
    return {
      kind: 'reject',
      code: 'too_large',
      message: `value is nested deeper than ${limits.maxValueDepth} levels`,
    };
  }
  const next = m.op === 'put' ? m.value : applyPatch(currentValue(state), m.value);
  const text = JSON.stringify(next);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxValueBytes) {
    return {
      kind: 'reject',
      code: 'too_large',
      message: `value is ${bytes} bytes; the limit is ${limits.maxValueBytes}`,
    };
  }
  return { kind: 'apply', text, parsed: next };
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

export async function commitPushBatch(
  db: Queryable,
  jobs: readonly PushJob[],
  limits: ValueLimits,
): Promise<PushBatchResult> {
  const [server] = await db.query<{ head_version: string | number }>(
    'SELECT head_version FROM ferry_server WHERE id = 1 FOR UPDATE',
  );
  if (!server) throw new Error('ferry_server row is missing: the database was not migrated');
  let head = Number(server.head_version);
  const startHead = head;

  const clientIds = [...new Set(jobs.map((j) => j.clientId))];
  const firstUser = new Map<string, string>();
  for (const j of jobs) if (!firstUser.has(j.clientId)) firstUser.set(j.clientId, j.userId);
  const clients = await claimClients(
    db,
    clientIds,
    clientIds.map((id) => firstUser.get(id)!),
  );

  const owned = (j: PushJob) => clients.get(j.clientId)?.userId === j.userId;
  const records = await loadRecords(
    db,
    jobs.filter(owned).flatMap((j) => j.mutations),
  );
  const dirty = new Map<string, { space: string; collection: string; key: string }>();
  const touchedSpaces = new Set<string>();
  const movedClients = new Map<string, number>();
  const newRejections: RejectionRow[] = [];
  const duplicates: PendingDuplicate[] = [];

  const outcomes = jobs.map((job): PushOutcome => {
    const client = clients.get(job.clientId);
    if (!client || client.userId !== job.userId) {
      return {
        ok: false,
        error: new FerryError('forbidden', `clientId "${job.clientId}" belongs to another user`),
      };
    }
    const results: MutationResult[] = [];
    for (const m of job.mutations) {
      const id = m.id as MutationId;
      if (m.id <= client.lastMutationId) {
        const result = { id, status: 'duplicate' as const };
        duplicates.push({ clientId: client.clientId, mutationId: m.id, result });
        results.push(result);
        continue;
      }
      client.lastMutationId = m.id;
      movedClients.set(client.clientId, m.id);
      const address = addressOf(m);
      const decision = decide(m, records.get(address), job, limits);
      if (decision.kind === 'reject') {
        const error = { code: decision.code, message: decision.message };
        results.push({ id, status: 'rejected', error });
        newRejections.push({ clientId: client.clientId, mutationId: m.id, ...error });
        continue;
      }
      head += 1;
      records.set(address, { text: decision.text, parsed: decision.parsed, version: head });
      dirty.set(address, m);
      touchedSpaces.add(m.space);
      results.push({ id, status: 'applied', version: head as Version });
    }
    return { ok: true, results, lastMutationId: client.lastMutationId };
  });

  await attachRememberedRejections(db, duplicates, newRejections);
  await saveRejections(db, newRejections);
  if (dirty.size > 0) {
    const addresses = [...dirty.entries()];
    await db.query(
      `INSERT INTO ferry_records (space, collection, key, value, version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (space, collection, key) DO UPDATE SET value = excluded.value, version = excluded.version`,
      [
        addresses.map(([, a]) => a.space),
        addresses.map(([, a]) => a.collection),
        addresses.map(([, a]) => a.key),
        addresses.map(([address]) => records.get(address)!.text),
        addresses.map(([address]) => records.get(address)!.version),
      ],
    );
  }
  if (movedClients.size > 0) {
    await db.query(
      `UPDATE ferry_clients c SET last_mutation_id = m.id, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS m(client_id, id)
       WHERE c.client_id = m.client_id`,
      [[...movedClients.keys()], [...movedClients.values()]],
    );
  }
  if (head !== startHead) {
    await db.query('UPDATE ferry_server SET head_version = $1 WHERE id = 1', [head]);
  }
  return {
    outcomes,
    committed: head === startHead ? null : { spaces: touchedSpaces, headVersion: head },
  };
}
