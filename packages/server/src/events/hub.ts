/**
 * In-process fan-out of "something changed in these spaces" to the event streams of this
 * process. Subscribers are indexed by space, so a commit costs work proportional to the
 * streams that care, not to every open stream.
 */
export type PokeListener = (version: number) => void;

export class PokeHub {
  private readonly bySpace = new Map<string, Set<PokeListener>>();
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

  subscribe(spaces: Iterable<string>, listener: PokeListener): () => void {
    const joined = [...new Set(spaces)];
    for (const space of joined) {
      let set = this.bySpace.get(space);
      if (!set) {
        set = new Set();
        this.bySpace.set(space, set);
      }
      set.add(listener);
    }
    this.streamCount += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.streamCount -= 1;
      for (const space of joined) {
        const set = this.bySpace.get(space);
        set?.delete(listener);
        if (set?.size === 0) this.bySpace.delete(space);
      }
    };
  }

  /** Pokes every listener: after notifications may have been missed. */
  publishAll(version: number): number {
    this.noteVersion(version);
    const listeners = new Set<PokeListener>();
    for (const set of this.bySpace.values()) for (const listener of set) listeners.add(listener);
    for (const listener of listeners) listener(version);
    return listeners.size;
  }

  /** Pokes each listener of any of `spaces` once; returns how many were poked. */
  publish(spaces: Iterable<string>, version: number): number {
    this.noteVersion(version);
    const listeners = new Set<PokeListener>();
    for (const space of spaces) {
      for (const listener of this.bySpace.get(space) ?? []) listeners.add(listener);
    }
    for (const listener of listeners) listener(version);
    return listeners.size;
  }
}
