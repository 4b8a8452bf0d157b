/**
 * The server's own account of what it applied: every push answer that reaches the network
 * (delivered to the client or lost on the way back) lists, per mutation, `applied` with the
 * version it committed at. Replaying the applied mutations in version order — puts replace,
 * patches merge (a field set to null is removed), deletes remove — gives the state the
 * server must hold. That checks last-writer-wins and patch merging exactly, and a mutation
 * applied twice shows up as a second entry.
 *
 *   const ledger: LedgerEntry[] = [];
 *   const handler = recordingLedger(server.fetch, ledger);
 *   checkLedger(ledger, serverState, (space, key) => key.startsWith('shared-'));
 */
import { applyPatch, type JsonObject } from '@ferry/protocol';

export interface LedgerEntry {
  clientId: string;
  mutationId: number;
  space: string;
  key: string;
  op: 'put' | 'patch' | 'delete';
  value: JsonObject | undefined;
  version: number;
}

type ServerHandler = (request: Request) => Promise<Response>;

interface PushBody {
  clientId: string;
  mutations: Array<{
    id: number;
    space: string;
    key: string;
    op: LedgerEntry['op'];
    value?: JsonObject;
  }>;
}

/** A handler that notes every mutation the server answers `applied`. */
export function recordingLedger(handler: ServerHandler, ledger: LedgerEntry[]): ServerHandler {
  return async (request) => {
    if (!request.url.endsWith('/v1/push')) return handler(request);
    const body = (await request
      .clone()
      .json()
      .catch(() => undefined)) as PushBody | undefined;
    const response = await handler(request);
    if (body === undefined || !response.ok) return response;
    const answer = (await response.clone().json()) as {
      results: Array<{ id: number; status: string; version?: number }>;
    };
    for (const result of answer.results) {
      if (result.status !== 'applied' || result.version === undefined) continue;
      const m = body.mutations.find((x) => x.id === result.id);
      if (m === undefined) continue;
      ledger.push({
        clientId: body.clientId,
        mutationId: m.id,
        space: m.space,
        key: m.key,
        op: m.op,
        value: m.value,
        version: result.version,
      });
    }
    return response;
  };
}

/** Field order does not matter: a merged value keeps its keys in the order they arrived. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The state the ledger implies for each `space/key`. */
export function replayLedger(ledger: readonly LedgerEntry[]): Map<string, JsonObject> {
  const state = new Map<string, JsonObject>();
  for (const e of [...ledger].sort((a, b) => a.version - b.version)) {
    const id = `${e.space}/${e.key}`;
    if (e.op === 'delete') state.delete(id);
    else if (e.op === 'put') state.set(id, e.value ?? {});
    else state.set(id, applyPatch(state.get(id), e.value ?? {}));
  }
  return state;
}

/**
 * Compares the server's state with the replayed ledger for the records `covered` selects;
 * also flags a mutation applied twice and two mutations applied at one version.
 */
export function checkLedger(
  ledger: readonly LedgerEntry[],
  server: ReadonlyMap<string, JsonObject>,
  covered: (id: string) => boolean,
): string[] {
  const violations: string[] = [];
  const seen = new Map<string, LedgerEntry>();
  for (const e of ledger) {
    const once = `${e.clientId}#${e.mutationId}`;
    const first = seen.get(once);
    if (first === undefined) seen.set(once, e);
    else if (first.version !== e.version) {
      violations.push(
        `mutation ${once} applied twice, at versions ${first.version} and ${e.version}`,
      );
    }
  }
  const expected = replayLedger([...seen.values()]);
  const ids = new Set([...expected.keys(), ...server.keys()].filter(covered));
  for (const id of [...ids].sort()) {
    const want = expected.get(id);
    const have = server.get(id);
    if (canonical(want) !== canonical(have)) {
      violations.push(
        `server ${id}: holds ${JSON.stringify(have)}, but replaying what it applied gives ${JSON.stringify(want)}`,
      );
    }
  }
  return violations;
}
