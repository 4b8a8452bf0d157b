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
 * stream asks for a run whatever the cursor says, as before: the stream and the cursor may
 * have been opened with different tokens, and so cover different spaces.
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

export function createPokeCoverage(): PokeCoverage {
  /** The highest version a poke announced. */
  let announced = 0;
  /** Pokes received so far; the marks below are counts of it. */
  let received = 0;
  /** The last poke that asks for a run whatever the cursor says (first of a connection, or unreadable). */
  let unconditionalAt = 0;
  /** Pokes received before the last successful run started. */
  let servedThrough = 0;
  let firstOfConnection = false;
  return {
    connected() {
      firstOfConnection = true;
    },
    received(data) {
      received += 1;
      const version = versionOf(data);
      if (version !== undefined) announced = Math.max(announced, version);
      if (firstOfConnection || version === undefined) unconditionalAt = received;
      firstOfConnection = false;
    },
    async run(work) {
      const before = received;
      const result = await work();
      servedThrough = Math.max(servedThrough, before);
      return result;
    },
    wanted(cursorVersion) {
      return unconditionalAt > servedThrough || cursorVersion === null || cursorVersion < announced;
    },
  };
}
