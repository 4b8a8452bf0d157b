/**
 * The invariants checked after a scenario, once the faults are healed and every device has
 * synced: exactly once (I1), no gaps (I2: every pull page in order, and each device's
 * stored records at the server's versions), convergence (I3, with the server's state equal
 * to the replay of what it applied, patches merged), local first and no silent drop (I4),
 * isolation (I5) and one runner at a time (I6). Each returns readable violations rather
 * than throwing, so a run reports everything it found with its seed.
 */
import type { JsonObject } from '@ferry/protocol';
import type { Device } from './devices.ts';
import { canonical, checkLedger, type LedgerEntry } from './ledger.ts';
import { checkOneRunner, checkPulls } from './observe.ts';

/** A put's value, or a patch's fields (null removes one). */
export type WrittenValue = { by: string; seq: number } & {
  [field: string]: string | number | null;
};

export interface WriteRecord {
  device: string;
  /**
   * unique: a key no one else writes, created only if absent;
   * contested: a team key several devices try to create, only one may win;
   * forbidden: a space the writer's token does not grant;
   * shared: a team key anyone puts or deletes unconditionally (the last write wins).
   */
  kind: 'unique' | 'contested' | 'forbidden' | 'shared';
  op: 'put' | 'patch' | 'delete';
  space: string;
  key: string;
  value: WrittenValue;
  /** pending: the process died before the write was stored; stored: `put` resolved. */
  state: 'pending' | 'stored' | 'refused';
  error?: string;
  visibleAtOnce?: boolean;
}

export interface InvariantInput {
  devices: readonly Device[];
  writes: readonly WriteRecord[];
  /** The spaces each user may read. */
  readable: Record<string, string[]>;
  spaces: readonly string[];
  tokens: Record<string, string>;
  /** Every mutation the server answered `applied`, with its version. */
  ledger: readonly LedgerEntry[];
  pull(init: RequestInit): Promise<Response>;
}

type State = Map<string, JsonObject>;
const id = (space: string, key: string) => `${space}/${key}`;
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

async function serverState(
  input: InvariantInput,
  user: string,
  versions: Map<string, number>,
): Promise<State> {
  const state: State = new Map();
  const token = input.tokens[user] ?? '';
  let cursor: string | null = null;
  for (;;) {
    const response = await input.pull({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: `observer-${user}`, cursor, spaces: input.readable[user] }),
    });
    if (!response.ok) throw new Error(`observer pull answered ${response.status}`);
    const page = (await response.json()) as {
      changes: Array<{ space: string; key: string; value: JsonObject | null; version: number }>;
      cursor: string;
      hasMore: boolean;
    };
    for (const change of page.changes) {
      versions.set(id(change.space, change.key), change.version);
      if (change.value === null) state.delete(id(change.space, change.key));
      else state.set(id(change.space, change.key), change.value);
    }
    cursor = page.cursor;
    if (!page.hasMore) return state;
  }
}

export async function checkInvariants(input: InvariantInput): Promise<string[]> {
  const violations: string[] = [];
  const server: State = new Map();
  const perUser = new Map<string, State>();
  const versions = new Map<string, number>();
  for (const user of Object.keys(input.readable)) {
    const state = await serverState(input, user, versions);
    perUser.set(user, state);
    for (const [k, v] of state) server.set(k, v);
  }

  const rejected = new Map<string, { device: string; code: string }[]>();
  for (const d of input.devices) {
    for (const r of d.rejections) {
      const k = `${d.name}:${id(r.mutation.space, r.mutation.key)}`;
      rejected.set(k, [...(rejected.get(k) ?? []), { device: d.name, code: r.code }]);
    }
  }

  // Exactly once and nothing silently dropped, write by write.
  for (const w of input.writes) {
    const where = `${w.device} ${w.kind} ${id(w.space, w.key)} seq ${w.value.seq}`;
    const onServer = server.get(id(w.space, w.key));
    const applied = same(onServer, w.value);
    const rejections = rejected.get(`${w.device}:${id(w.space, w.key)}`) ?? [];
    if (w.state === 'stored' && w.visibleAtOnce === false) {
      violations.push(`${where}: not visible locally right after put resolved`);
    }
    if (w.state === 'refused') continue;
    if (w.kind === 'unique') {
      if (rejections.length > 0) {
        violations.push(
          `${where}: rejected (${rejections.map((r) => r.code).join(', ')}) — a fresh key created once cannot conflict: applied twice?`,
        );
      }
      if (w.state === 'stored' && !applied) {
        violations.push(
          `${where}: stored locally but ${onServer ? `server holds ${JSON.stringify(onServer)}` : 'absent on the server'}`,
        );
      }
    } else if (w.kind === 'forbidden') {
      if (onServer !== undefined) violations.push(`${where}: present on the server`);
      if (w.state === 'stored' && !rejections.some((r) => r.code === 'forbidden')) {
        violations.push(`${where}: never reported as forbidden`);
      }
    } else if (w.kind === 'shared') {
      if (rejections.length > 0) violations.push(`${where}: an unconditional write was rejected`);
    } else {
      const reported = rejections.length > 0;
      if (applied && reported)
        violations.push(`${where}: applied on the server yet reported rejected`);
      if (w.state === 'stored' && !applied && !reported) {
        violations.push(`${where}: neither applied nor reported rejected (silently dropped)`);
      }
    }
  }
  // Every rejection corresponds to a write of ours that is absent on the server, and one
  // process reports it once (a process killed after reporting it may report it again).
  for (const d of input.devices) {
    const reported = new Set<string>();
    for (const r of d.rejections) {
      const once = `${r.process}:${r.mutation.id}`;
      if (reported.has(once)) {
        violations.push(
          `${d.name}: mutation ${r.mutation.id} (${r.mutation.key}) reported rejected twice by one process`,
        );
      }
      reported.add(once);
      const w = input.writes.find(
        (x) => x.device === d.name && x.space === r.mutation.space && x.key === r.mutation.key,
      );
      if (w === undefined)
        violations.push(`${d.name}: rejection of an unknown write ${r.mutation.key}`);
    }
  }
  // Every record on the server was written by exactly one of our writes (a patched record
  // is a merge of several: the ledger check below covers it).
  const patched = new Set(
    input.writes.filter((w) => w.op === 'patch').map((w) => id(w.space, w.key)),
  );
  for (const [k, value] of server) {
    if (patched.has(k)) continue;
    const authors = input.writes.filter((w) => id(w.space, w.key) === k && same(w.value, value));
    if (authors.length !== 1) violations.push(`server ${k}: ${authors.length} writes match it`);
  }
  // The server holds exactly what replaying the mutations it applied, in version order, gives.
  violations.push(...checkLedger(input.ledger, server, () => true));
  // One runner at a time, and no pull page out of order, all through the run.
  for (const d of input.devices) {
    violations.push(...checkOneRunner(d.name, d.spans), ...checkPulls(d.name, d.pulls));
  }

  // Convergence and isolation: each device equals its user's server view, and nothing else.
  for (const d of input.devices) {
    const client = d.client;
    if (client === undefined) {
      violations.push(`${d.name}: down after healing`);
      continue;
    }
    const expected = perUser.get(d.user) ?? new Map();
    const own = input.readable[d.user] ?? [];
    if (client.getStatus().pendingCount !== 0) {
      violations.push(`${d.name}: ${client.getStatus().pendingCount} mutations still pending`);
    }
    for (const space of input.spaces) {
      const rows = await client.collection('items', { space }).query();
      const local: State = new Map(rows.map((row) => [id(space, row.key), row.value]));
      const stored = await d.store.listRecords(space, 'items');
      if (!own.includes(space)) {
        if (rows.length > 0 || stored.length > 0) {
          violations.push(`${d.name}: holds ${rows.length} records of ${space}, not granted to it`);
        }
        continue;
      }
      const wanted = [...expected].filter(([k]) => k.startsWith(`${space}/`));
      if (!same([...local].sort(), wanted.sort())) {
        violations.push(
          `${d.name}: ${space} differs from the server: local ${JSON.stringify([...local])} server ${JSON.stringify(wanted)}`,
        );
      }
      // No gaps: the records it stored from pulls are the server's, at the server's versions.
      const base = stored.map((r) => [id(space, r.key), r.version, canonical(r.value)]).sort();
      const atServer = wanted.map(([k, v]) => [k, versions.get(k), canonical(v)]).sort();
      if (!same(base, atServer)) {
        violations.push(
          `${d.name}: stored ${space} records ${JSON.stringify(base)} differ from the server's ${JSON.stringify(atServer)}`,
        );
      }
    }
  }
  return violations;
}
