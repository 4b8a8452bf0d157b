/**
 * A push that also pulls (a protocol addition): once the push's mutations are committed,
 * one page of changes is read exactly as `POST /v1/pull` reads it, from the cursor, limit
 * and spaces the push carried, and answered in the push response's `pull`. A client that
 * writes so pushes and pulls in one request, and the page it gets back already holds its
 * own commit, read after it: no change is skipped that a pull sent next would have brought.
 *
 * A commit that landed while an older writer still held lower versions is visible only
 * once that writer ends (events/visibility.ts): the page waits for it a little, and is
 * read without it if it takes longer, its lastMutationId then stopping short of the push
 * so the client keeps those writes until a later pull brings them.
 */
import { FerryError, type PushResponse } from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';
import type { VisibilityGate } from '../events/visibility.ts';
import { type PullQuery, readChanges } from '../storage/pull.ts';

/** How long a push's pull waits for its own commit to become visible. */
const OWN_COMMIT_WAIT_MS = 100;

/** The push's answer with the pulled page as `pull`, as JSON bytes. */
export async function pushAndPullBody(
  database: Queryable,
  visibility: VisibilityGate,
  pushed: Omit<PushResponse, 'pull'>,
  query: PullQuery,
): Promise<{ body: Uint8Array<ArrayBuffer>; changeCount: number }> {
  const own = pushed.results.reduce(
    (v, r) => (r.status === 'applied' ? Math.max(v, r.version) : v),
    0,
  );
  await visibility.covering(own, OWN_COMMIT_WAIT_MS);
  const watermark = await visibility.current();
  const outcome = await readChanges(database, { ...query, watermark });
  // The push has just claimed the client id for this user, so this cannot happen; said
  // as the pull route says it all the same.
  if (!outcome.ok) {
    throw new FerryError('forbidden', `clientId "${query.clientId}" belongs to another user`);
  }
  const head = JSON.stringify(pushed).slice(0, -1);
  const body = Buffer.concat([Buffer.from(`${head},"pull":`), outcome.body, Buffer.from('}')]);
  return { body, changeCount: outcome.changeCount };
}
