/**
 * Whether the pokes received so far still ask for a run. A poke says the server has
 * committed changes up to its version. A client whose cursor already stands at that
 * version or past it (its last pull page's `cursorVersion`, or the changes of a poke it
 * applied) holds every change in its spaces up to it, so a pull would bring nothing the
 * poke announced: the poke of the client's own push, whose commit came back with the push
 * (the pull it carried was read after it), is the everyday case. Such a poke starts no run.
 *
 * Only the cursor can say so, never the push's own versions: a commit at version v says
 * nothing of others' commits below v. And the first poke of each connection of the event
 * stream asks for a run whatever the cursor says when the client names no spaces: the
 * stream and the cursor may have been opened with different tokens, and so cover different
 * spaces. A client that names its spaces judges that poke by its version too.
 */

export interface PokeCoverage {
  /** The event stream opened a connection: its first poke asks for a run. */
  connected(): void;
  /** A poke arrived, with its data (JSON text). */
  received(data: string): void;
  /**
   * Runs one sync run. Once it succeeds, every poke received before it started is served:
   * its pull was read after them.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * True once the stream's current connection has sent a poke (it opens with one, at the
   * server's version then) and no poke asks for more than a cursor at `cursorVersion`
   * holds: the data is current, even after a run that started before the stream opened.
   */
  connectionServed(cursorVersion: number | null): boolean;
  /** True while some poke announced what a cursor at `cursorVersion` may not hold. */
  wanted(cursorVersion: number | null): boolean;
}

function versionOf(data: string): number | undefined {
  try {
    const version: unknown = (JSON.parse(data) as { version?: unknown }).version;
    return typeof version === 'number' && Number.isSafeInteger(version) && version > 0
      ? version
      : undefined;
  } catch {
    return undefined;
  }
}

export interface PokeCoverageOptions {
  /**
   * True when the stream and the pulls name the same spaces (the client's `spaces`
   * option): the server grants or refuses each named space, so the stream's first poke
   * speaks of the spaces the cursor covers and is judged by its version like any other.
   * A connection's opening poke carries the version the server stood at then, so a client
   * whose cursor reaches it missed nothing while disconnected; the start run's pull that
   * crossed the stream's opening no longer asks for a second pull.
   */
  sameSpaces: boolean;
}

export function createPokeCoverage(
  options: PokeCoverageOptions = { sameSpaces: false },
): PokeCoverage {
  /** The highest version a poke announced. */
  let announced = 0;
  /** Pokes received so far; the marks below are counts of it. */
  let received = 0;
  /** The last poke that asks for a run whatever the cursor says (first of a connection, or unreadable). */
  let unconditionalAt = 0;
  /** Pokes received before the last successful run started. */
  let servedThrough = 0;
  let firstOfConnection = false;
  /** Whether the current connection has sent a poke yet. */
  let heardOnConnection = false;
  return {
    connected() {
      firstOfConnection = !options.sameSpaces;
      heardOnConnection = false;
    },
    received(data) {
      received += 1;
      const version = versionOf(data);
      if (version !== undefined) announced = Math.max(announced, version);
      if (firstOfConnection || version === undefined) unconditionalAt = received;
      firstOfConnection = false;
      heardOnConnection = true;
    },
    async run(work) {
      const before = received;
      const result = await work();
      servedThrough = Math.max(servedThrough, before);
      return result;
    },
    connectionServed(cursorVersion) {
      return heardOnConnection && !this.wanted(cursorVersion);
    },
    wanted(cursorVersion) {
      return unconditionalAt > servedThrough || cursorVersion === null || cursorVersion < announced;
    },
  };
}
