/**
 * A poke that carries a small commit's changes (see storage/commit-patch.ts), encoded once
 * per commit for each set of spaces the streams listen to.
 *
 * It says: "these are the commit's changes in your spaces; no other change in them has a
 * version in (`from`, `version`]; `cursor` stands at `version`". A stream over a space the
 * commit's bases do not cover gets a plain poke instead.
 */
import { EVENTS } from '@ferry/protocol';
import { changeJson } from '../storage/change-json.ts';
import type { CommitPatch } from '../storage/commit-patch.ts';
import { encodeCursor, hashSpaces } from '../storage/cursor.ts';

const encoder = new TextEncoder();

export function encodePatchPoke(
  patch: CommitPatch,
  version: number,
  spaces: readonly string[],
): Uint8Array | undefined {
  let from = 0;
  for (const space of spaces) {
    const base = patch.bases.get(space);
    if (base === undefined) return undefined;
    if (base > from) from = base;
  }
  const inSpaces = new Set(spaces);
  const changes = patch.changes.filter((c) => inSpaces.has(c.space));
  if (changes.length === 0) return undefined;
  const cursor = encodeCursor({
    serverId: patch.serverId,
    version,
    spacesHash: hashSpaces(spaces),
  });
  const data = `{"version":${version},"from":${from},"cursor":"${cursor}","changes":[${changes.map(changeJson).join(',')}]}`;
  return encoder.encode(`event: ${EVENTS.poke}\ndata: ${data}\n\n`);
}

/** Encodes a commit's patch pokes once per set of spaces, however many streams share it. */
export class PatchPokeCache {
  private patch: CommitPatch | undefined;
  private version = -1;
  private readonly bySpaces = new Map<string, Uint8Array | undefined>();

  chunk(patch: CommitPatch, version: number, spaces: readonly string[]): Uint8Array | undefined {
    if (patch !== this.patch || version !== this.version) {
      this.patch = patch;
      this.version = version;
      this.bySpaces.clear();
    }
    // Asked once per stream: a stream of one space (most of them) is keyed without a join.
    const key = spaces.length === 1 ? spaces[0]! : spaces.join('\n');
    if (this.bySpaces.has(key)) return this.bySpaces.get(key);
    const chunk = encodePatchPoke(patch, version, spaces);
    this.bySpaces.set(key, chunk);
    return chunk;
  }
}
