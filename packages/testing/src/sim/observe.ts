/**
 * Watching a simulated device from outside its engine, for the checks that must hold while
 * it runs: one sync run at a time (I6) and no gaps in what it pulls (I2).
 *
 * Runs are seen through the client's public events: `progress` events name the run they
 * belong to and the `run` event reports its end, so progress of a second run while the
 * first is still unreported shows an overlap. Requests are seen
 * through the device's fetch: a run sends one request at a time, so two in flight at once
 * are two runs at once. Every pull answer the device receives is kept (space, key, version)
 * and checked afterwards.
 *
 *   const spans: Span[] = []; const pulls: PulledPage[] = [];
 *   watchRuns(client, { process: 1, tick, spans });
 *   const fetch = observeFetch(inner, { process: 1, tick, spans, pulls });
 *   checkOneRunner('phone', spans); checkPulls('phone', pulls);
 */
import type { FerryClient } from '@ferry/client';

/** A run or a request of one process; start and end are ticks of the device's event counter. */
export interface Span {
  kind: 'run' | 'request';
  process: number;
  start: number;
  /** Null while open; a crash closes its process's open spans. */
  end: number | null;
  runId?: number;
}

export interface PulledPage {
  process: number;
  changes: Array<{ space: string; key: string; version: number }>;
}

export interface Observation {
  process: number;
  /** The device's event counter: each call returns the next tick. */
  tick(): number;
  spans: Span[];
  /** Told when a run starts and ends, for the trace. */
  log?: (line: string) => void;
  /**
   * Whether the process still runs. Code of a killed process that is still on the stack
   * (its JavaScript goes on here, as a real process's would not) may call fetch; that call
   * never reaches the network and is not one of the device's requests.
   */
  alive?: () => boolean;
}

/**
 * A run's span opens at its first `progress` event and closes with its `run` event. (The
 * status is no guide: the scheduler starts the next run before it reports the last one, so
 * back-to-back runs show as one long `syncing`.) The next run cannot make progress before
 * the scheduler reported the previous one, so progress inside another run's span is two
 * runners at once.
 */
// biome-ignore lint/suspicious/noExplicitAny: any client shape will do; only events are read.
export function watchRuns(client: FerryClient<any>, watch: Observation): void {
  const spans = new Map<number, Span>();
  const open = (runId: number) => {
    let span = spans.get(runId);
    if (span === undefined) {
      span = { kind: 'run', process: watch.process, start: watch.tick(), end: null, runId };
      spans.set(runId, span);
      watch.spans.push(span);
    }
    return span;
  };
  client.on('progress', (event) => {
    if (!spans.has(event.runId)) watch.log?.(`run ${event.runId} makes progress`);
    open(event.runId);
  });
  client.on('run', (record) => {
    open(record.id).end = watch.tick();
    watch.log?.(`run ${record.id} (${record.triggers.join(', ')}) ends, ${record.outcome}`);
  });
}

/** Records each request as a span, and each pull page the process receives. */
export function observeFetch(
  inner: typeof fetch,
  watch: Observation & { pulls: PulledPage[] },
): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    // The live event stream is not part of a run; it stays open beside them.
    if (url.includes('/v1/events')) return inner(input, init);
    if (watch.alive?.() === false) return inner(input, init);
    const span: Span = { kind: 'request', process: watch.process, start: watch.tick(), end: null };
    watch.spans.push(span);
    try {
      const response = await inner(input, init);
      if (url.endsWith('/v1/pull') && response.ok) {
        const page = (await response.clone().json()) as PulledPage;
        watch.pulls.push({
          process: watch.process,
          changes: page.changes.map(({ space, key, version }) => ({ space, key, version })),
        });
      }
      return response;
    } finally {
      span.end = watch.tick();
    }
  };
}

/** Closes the spans a dead process left open. */
export function closeSpans(spans: Span[], process: number, at: number): void {
  for (const span of spans) if (span.process === process && span.end === null) span.end = at;
}

/** I6: no two runs, and no two requests, of one device at once. */
export function checkOneRunner(device: string, spans: readonly Span[]): string[] {
  const violations: string[] = [];
  for (const kind of ['run', 'request'] as const) {
    const ordered = spans.filter((s) => s.kind === kind).sort((a, b) => a.start - b.start);
    let latest: Span | undefined;
    for (const span of ordered) {
      const latestEnd = latest === undefined ? -1 : (latest.end ?? Number.POSITIVE_INFINITY);
      if (latest !== undefined && span.start < latestEnd) {
        const name = (s: Span) => `${s.kind} ${s.runId ?? '?'} of process ${s.process}`;
        violations.push(`${device}: ${name(span)} began while ${name(latest)} was still running`);
      }
      if (latest === undefined || (span.end ?? Number.POSITIVE_INFINITY) > latestEnd) {
        latest = span;
      }
    }
  }
  return violations;
}

/**
 * I2 while running: within a page, each space's versions strictly increase; across pages,
 * the device never receives a key at a version below one it already received.
 */
export function checkPulls(device: string, pages: readonly PulledPage[]): string[] {
  const violations: string[] = [];
  const held = new Map<string, number>();
  pages.forEach((page, n) => {
    const last = new Map<string, number>();
    for (const { space, key, version } of page.changes) {
      const before = last.get(space);
      if (before !== undefined && version <= before) {
        violations.push(
          `${device}: pull ${n + 1} lists ${space} version ${version} after ${before} (not increasing)`,
        );
      }
      last.set(space, version);
      const id = `${space}/${key}`;
      const had = held.get(id);
      if (had !== undefined && version < had) {
        violations.push(
          `${device}: pull ${n + 1} sent ${id} at version ${version}, older than ${had} it already had`,
        );
      }
      held.set(id, Math.max(had ?? version, version));
    }
  });
  return violations;
}
