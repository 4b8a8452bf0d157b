/**
 * In-process fan-out of "something changed in these spaces" to the event streams of this
 * process. Subscribers are indexed by space, so a commit costs work proportional to the
 * streams that care, not to every open stream.
 *
 * A subscriber is an object with a `poke` method (an open event stream), not a closure:
 * with thousands of idle streams, every per-stream allocation counts.
 */
export interface PokeSubscriber {
  poke(version: number): void;
}

export class PokeHub {
  private readonly bySpace = new Map<string, Set<PokeSubscriber>>();
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
    this.streamCount += 1;
  }

  /** Undoes `add`; call it once per `add`. */
  remove(spaces: readonly string[], subscriber: PokeSubscriber): void {
    this.streamCount -= 1;
    for (const space of spaces) {
      const set = this.bySpace.get(space);
      set?.delete(subscriber);
      if (set?.size === 0) this.bySpace.delete(space);
    }
  }

  /** Pokes every subscriber: after notifications may have been missed. */
  publishAll(version: number): number {
    this.noteVersion(version);
    const subscribers = new Set<PokeSubscriber>();
    for (const set of this.bySpace.values()) for (const s of set) subscribers.add(s);
    for (const subscriber of subscribers) subscriber.poke(version);
    return subscribers.size;
  }

  /** Pokes each subscriber of any of `spaces` once; returns how many were poked. */
  publish(spaces: Iterable<string>, version: number): number {
    this.noteVersion(version);
    const subscribers = new Set<PokeSubscriber>();
    for (const space of spaces) {
      const set = this.bySpace.get(space);
      if (set) for (const subscriber of set) subscribers.add(subscriber);
    }
    for (const subscriber of subscribers) subscriber.poke(version);
    return subscribers.size;
  }
}
