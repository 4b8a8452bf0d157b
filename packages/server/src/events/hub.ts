/**
 * In-process fan-out of "something changed in these spaces" to the event streams of this
 * process. Subscribers are indexed by space, so a commit costs work proportional to the
 * streams that care, not to every open stream.
 *
 * A subscriber is an object with a `poke` method (an open event stream), not a closure:
 * with thousands of idle streams, every per-stream allocation counts.
 */
import type { CommitPatch } from '../storage/commit-patch.ts';

export interface PokeSubscriber {
  /** `patch`, when given, holds the commit's changes for the subscriber to pass on if it can. */
  poke(version: number, patch?: CommitPatch): void;
}

/**
 * Streams over more spaces than this are left out of `listenedSpaces`: their pokes never
 * carry changes, and the commit's bases query stays small.
 */
export const MAX_PATCH_STREAM_SPACES = 16;
/** A commit whose listeners span more spaces than this is announced with plain pokes. */
export const MAX_PATCH_SPACES = 64;

export class PokeHub {
  private readonly bySpace = new Map<string, Set<PokeSubscriber>>();
  /** For each space: the spaces of the streams on it (small ones only), with how many streams. */
  private readonly coSpaces = new Map<string, Map<string, number>>();
  private latestVersion = 0;
  private streamCount = 0;

  /** The highest version this process has heard of; a hint for freshly opened streams. */
  get headVersion(): number {
    return this.latestVersion;
  }

  get subscriberCount(): number {
    return this.streamCount;
  }

  noteVersion(version: number): void {
    if (version > this.latestVersion) this.latestVersion = version;
  }

  /** Subscribes to `spaces` until `remove` is called with the same spaces. */
  add(spaces: readonly string[], subscriber: PokeSubscriber): void {
    for (const space of spaces) {
      let set = this.bySpace.get(space);
      if (!set) {
        set = new Set();
        this.bySpace.set(space, set);
      }
      set.add(subscriber);
    }
    this.countCoSpaces(spaces, 1);
    this.streamCount += 1;
  }

  /** Undoes `add`; call it once per `add`. */
  remove(spaces: readonly string[], subscriber: PokeSubscriber): void {
    this.streamCount -= 1;
    this.countCoSpaces(spaces, -1);
    for (const space of spaces) {
      const set = this.bySpace.get(space);
      set?.delete(subscriber);
      if (set?.size === 0) this.bySpace.delete(space);
    }
  }

  /**
   * Every space of the streams that a commit to `touched` pokes (see storage/commit-patch.ts),
   * or undefined when no such stream could carry its changes or they span too many spaces.
   */
  listenedSpaces(touched: Iterable<string>): string[] | undefined {
    const spaces = new Set<string>();
    for (const space of touched) {
      for (const co of this.coSpaces.get(space)?.keys() ?? []) spaces.add(co);
      if (spaces.size > MAX_PATCH_SPACES) return undefined;
    }
    return spaces.size === 0 ? undefined : [...spaces];
  }

  private countCoSpaces(spaces: readonly string[], delta: 1 | -1): void {
    if (spaces.length > MAX_PATCH_STREAM_SPACES) return;
    for (const space of spaces) {
      let counts = this.coSpaces.get(space);
      if (!counts) {
        counts = new Map();
        this.coSpaces.set(space, counts);
      }
      for (const co of spaces) {
        const n = (counts.get(co) ?? 0) + delta;
        if (n > 0) counts.set(co, n);
        else counts.delete(co);
      }
      if (counts.size === 0) this.coSpaces.delete(space);
    }
  }

  /** Pokes every subscriber: after notifications may have been missed. */
  publishAll(version: number): number {
    this.noteVersion(version);
    const subscribers = new Set<PokeSubscriber>();
    for (const set of this.bySpace.values()) for (const s of set) subscribers.add(s);
    return pokeEach(subscribers, version, undefined);
  }

  /** Pokes each subscriber of any of `spaces` once; returns how many were poked. */
  publish(spaces: Iterable<string>, version: number, patch?: CommitPatch): number {
    this.noteVersion(version);
    const sets: Set<PokeSubscriber>[] = [];
    for (const space of spaces) {
      const set = this.bySpace.get(space);
      if (set) sets.push(set);
    }
    // Most commits touch one space: its subscribers are poked straight from its set, with
    // no set of 10,000 copied first. A stream that ends as it is poked leaves the set, which
    // iteration allows.
    if (sets.length === 1) return pokeEach(sets[0]!, version, patch);
    const subscribers = new Set<PokeSubscriber>();
    for (const set of sets) for (const subscriber of set) subscribers.add(subscriber);
    return pokeEach(subscribers, version, patch);
  }
}

function pokeEach(
  subscribers: Set<PokeSubscriber>,
  version: number,
  patch: CommitPatch | undefined,
): number {
  const count = subscribers.size;
  for (const subscriber of subscribers) subscriber.poke(version, patch);
  return count;
}
