/**
 * Writes by the app's own backend (webhooks, cron jobs): the same validation, versions,
 * rules and pokes as client writes, in one transaction per call, without a client id.
 */
import { type JsonObject, type MutationResult, parsePushRequest } from '@ferry/protocol';
import type { CommitQueue } from './commit-queue.ts';

export type ServerWrite =
  | {
      space: string;
      collection: string;
      key: string;
      op: 'put' | 'patch';
      value: JsonObject;
      ifVersion?: number;
    }
  | { space: string; collection: string; key: string; op: 'delete'; ifVersion?: number };

export type ServerWriteResult =
  | { status: 'applied'; version: number }
  | { status: 'rejected'; error: { code: string; message: string } };

export interface ServerWriteOptions {
  /** The user on whose behalf the app writes, passed to rules; default none. */
  userId?: string;
}

// A fixed, valid client id lets the protocol's own validator check the writes' shape.
const SHAPE_CHECK_CLIENT_ID = 'server';

export async function serverWrite(
  queue: CommitQueue,
  writes: readonly ServerWrite[],
  options: ServerWriteOptions = {},
): Promise<ServerWriteResult[]> {
  const { mutations } = parsePushRequest(
    { clientId: SHAPE_CHECK_CLIENT_ID, mutations: writes.map((w, i) => ({ ...w, id: i + 1 })) },
    { maxMutationsPerPush: Number.MAX_SAFE_INTEGER },
  );
  const outcome = await queue.submit({
    origin: 'server',
    userId: options.userId ?? null,
    clientId: null,
    spaces: 'all',
    mutations,
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.results.map((r: MutationResult): ServerWriteResult => {
    if (r.status === 'applied') return { status: 'applied', version: r.version };
    if (r.status === 'rejected') return { status: 'rejected', error: r.error };
    // Internal invariant, not a usage error: duplicates are client mutation ids seen before,
    // and a server write carries no client id.
    throw new Error('a server write cannot be a duplicate');
  });
}
