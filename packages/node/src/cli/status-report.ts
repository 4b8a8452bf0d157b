/** `ferry-agent status` as text: the inspector's snapshot in a few plain tables. */
import type { InspectorSnapshot, RunRecord } from '@ferry/client';
import { formatBytes, formatDuration, formatTime } from './report.ts';

/** "3 min ago", rounded down to the largest whole unit. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

function runOutcome(run: RunRecord): string {
  if (run.outcome === 'aborted') return `aborted (${run.abortReason ?? '?'})`;
  if (run.outcome === 'failed') return `failed (${run.error?.code ?? 'error'})`;
  return run.outcome;
}

const shown = (count: number, total: number) => (count < total ? ` (showing ${count})` : '');

/** The snapshot as lines of text, for a person at a terminal. */
export function formatSnapshot(snapshot: InspectorSnapshot, db: string): string[] {
  const { pending, runs, rejections, cursor, store, takenAt } = snapshot;
  const lines = [`Ferry store ${db} (client ${snapshot.clientId ?? 'not yet created'})`];
  lines.push(`  read at ${formatTime(takenAt)}, from the file: a running agent is not disturbed`);

  const success =
    cursor.lastSuccessAt === null
      ? 'never synced'
      : `last success ${formatTime(cursor.lastSuccessAt)} (${formatAge(cursor.ageMs ?? 0)} ago)`;
  lines.push('', `Cursor: ${cursor.held ? 'held' : 'none yet'}, ${success}`);
  const next = runs.nextRunAt === null ? 'none planned' : formatTime(runs.nextRunAt);
  lines.push(`Next run: ${next}; failed runs in a row: ${runs.attempt}`);

  lines.push('', `Pending writes: ${pending.total}${shown(pending.entries.length, pending.total)}`);
  if (pending.entries.length > 0) {
    lines.push(
      ...formatTable(
        ['ID', 'SPACE', 'COLLECTION', 'KEY', 'OP', 'STATE'],
        pending.entries.map((e) => [
          String(e.id),
          e.space,
          e.collection,
          e.key,
          e.op,
          e.pushed ? 'sent, awaiting pull' : 'not sent',
        ]),
      ),
    );
  }

  lines.push('', `Recent runs: ${runs.total}${shown(runs.entries.length, runs.total)}`);
  if (runs.entries.length > 0) {
    lines.push(
      ...formatTable(
        [
          'RUN',
          'STARTED',
          'TRIGGERS',
          'OUTCOME',
          'TOOK',
          'PULLED',
          'PUSHED',
          'REJECTED',
          'BYTES',
          'ERROR',
        ],
        runs.entries.map((r) => [
          String(r.id),
          formatTime(r.startedAt),
          r.triggers.join(',') || '-',
          runOutcome(r),
          r.endedAt === null ? '-' : formatDuration(r.endedAt - r.startedAt),
          String(r.pulled),
          String(r.pushed),
          String(r.rejected),
          formatBytes(r.bytesSent + r.bytesReceived),
          r.error?.message ?? '',
        ]),
      ),
    );
  }

  lines.push(
    '',
    `Rejections not yet reported to the app: ${rejections.total}${shown(rejections.entries.length, rejections.total)}`,
  );
  if (rejections.entries.length > 0) {
    lines.push(
      ...formatTable(
        ['ID', 'SPACE', 'COLLECTION', 'KEY', 'OP', 'CODE', 'MESSAGE'],
        rejections.entries.map((r) => [
          String(r.id),
          r.space,
          r.collection,
          r.key,
          r.op,
          r.code,
          r.message,
        ]),
      ),
    );
  }

  lines.push('', `Store: ${store.outboxLength} outbox entries`);
  if (store.collections !== null && store.collections.length > 0) {
    lines.push(
      ...formatTable(
        ['SPACE', 'COLLECTION', 'RECORDS'],
        store.collections.map((c) => [c.space, c.collection, String(c.records)]),
      ),
    );
  }
  return lines;
}
