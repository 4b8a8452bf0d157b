/**
 * Changes that come with a poke: after a small commit the server sends its changes in the
 * poke itself. They are applied straight away, with no pull, when the client's cursor is
 * known to stand where they follow on from, so a live client sees another's write one
 * round trip sooner and the server is spared a pull per listening client. Otherwise (the
 * cursor's version unknown or outside the range, a sync running) the poke asks for a sync
 * like any poke, and nothing is lost: the pull brings the same changes.
 *
 * Applying them is a commit like a pull page's, minus what only a pull can tell (which
 * outbox entries the server has seen): records and cursor together, under the mutex.
 */
import type { PokeWithChanges } from '@ferry/protocol';
import { collectionsOf, namedRecords } from './changes.ts';
import type { EngineContext } from './engine-context.ts';
import type { LocalState } from './local-state.ts';
import { pokeApplied } from './local-transitions.ts';
import { recordWrites } from './pull.ts';

/**
 * Applies the poke's changes if they follow on from the client's cursor. Returns false
 * when they do not, and the client should pull instead.
 */
export async function applyPokedChanges(
  ctx: EngineContext,
  local: LocalState,
  poke: PokeWithChanges,
): Promise<boolean> {
  const applied = await ctx.mutex.run(async () => {
    ctx.assertOpen();
    const at = local.cursorVersion;
    if (at === null || local.cursor === null || at < poke.from) return false;
    // Already pulled past this commit: nothing to do, and nothing to pull.
    if (at >= poke.version) return 'already';
    // The client now holds every change up to the server's latest commit: it is current.
    const applied = pokeApplied(local, poke, ctx.now());
    await ctx.store.commit({ ...recordWrites(poke.changes), ...applied.batch });
    applied.apply();
    return true;
  });
  if (applied === true) {
    // A plain string, so the line reads the same under any logger, with fields or without.
    ctx.logger.debug(
      `applied ${poke.changes.length} change(s) a poke carried, up to version ${poke.version}`,
    );
    const records = namedRecords(poke.changes);
    ctx.changed({
      cause: 'pull',
      collections: collectionsOf(poke.changes),
      spaces: [],
      ...(records === undefined ? {} : { records }),
    });
  }
  return applied !== false;
}
