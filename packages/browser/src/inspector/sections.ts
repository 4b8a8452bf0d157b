/** The inspector's parts: the status as a list, then one table per kind of thing. */
import type { InspectorSnapshot, RunRecord, SyncStatus } from '@ferry/client';
import { createElement as h, type ReactNode } from 'react';
import { formatAge, formatBytes, formatClock, formatDuration, formatRelative } from './format.ts';

interface Column<Row> {
  label: string;
  numeric?: boolean;
  cell(row: Row): ReactNode;
}

/** A table with a caption and column headers, or a line saying it is empty. */
function table<Row>(
  caption: string,
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  rowKey: (row: Row) => string | number,
  empty: string,
): ReactNode {
  if (rows.length === 0) return h('p', { className: 'empty' }, empty);
  const numeric = (c: Column<Row>) => (c.numeric ? 'num' : undefined);
  return h(
    'table',
    null,
    h('caption', null, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => h('th', { key: c.label, scope: 'col', className: numeric(c) }, c.label)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((row) =>
        h(
          'tr',
          { key: rowKey(row) },
          columns.map((c) => h('td', { key: c.label, className: numeric(c) }, c.cell(row))),
        ),
      ),
    ),
  );
}

const shown = (count: number, total: number) =>
  count < total ? `${total}, the first ${count} shown` : String(total);

function item(term: string, value: ReactNode): ReactNode[] {
  return [h('dt', { key: `${term}:t` }, term), h('dd', { key: `${term}:d` }, value)];
}

export function statusSection(
  status: SyncStatus,
  snapshot: InspectorSnapshot | undefined,
  now: number,
): ReactNode {
  const live =
    status.live === 'reconnecting' && status.liveRetryAt !== null
      ? `reconnecting, next attempt ${formatRelative(status.liveRetryAt, now)}`
      : status.live;
  const cursor = snapshot?.cursor;
  const lastSuccess =
    status.lastSuccessAt === null
      ? 'never: this device has not synced yet'
      : `${formatClock(status.lastSuccessAt)} (${formatAge(now - status.lastSuccessAt)} ago)`;
  return h(
    'dl',
    { 'aria-label': 'Sync status' },
    item('Phase', h('span', { className: `phase phase-${status.phase}` }, status.phase)),
    item('Pending writes', String(status.pendingCount)),
    item(
      'Scheduler',
      status.waitingFor ? `${status.state} (for ${status.waitingFor})` : status.state,
    ),
    item('Live connection', live),
    item(
      'Next run',
      status.nextRunAt === null ? 'none planned' : formatRelative(status.nextRunAt, now),
    ),
    item('Failed runs in a row', String(status.attempt)),
    item('Last success', lastSuccess),
    item(
      'Cursor',
      cursor === undefined
        ? '…'
        : !cursor.held
          ? 'none yet'
          : cursor.version === null
            ? 'held (version known after this session pulls)'
            : `at version ${cursor.version}`,
    ),
    status.lastError === null
      ? null
      : item(
          'Last error',
          h(
            'span',
            { className: 'problem' },
            `${status.lastError.code}: ${status.lastError.message}`,
          ),
        ),
  );
}

export function pendingTable(pending: InspectorSnapshot['pending']): ReactNode {
  type Entry = InspectorSnapshot['pending']['entries'][number];
  const columns: Column<Entry>[] = [
    { label: 'ID', numeric: true, cell: (e) => e.id },
    { label: 'Space', cell: (e) => e.space },
    { label: 'Collection', cell: (e) => e.collection },
    { label: 'Key', cell: (e) => h('code', null, e.key) },
    { label: 'Op', cell: (e) => e.op },
    { label: 'State', cell: (e) => (e.pushed ? 'sent, awaiting pull' : 'not sent') },
    {
      label: 'Age',
      numeric: true,
      cell: (e) => (e.ageMs === null ? 'before open' : formatAge(e.ageMs)),
    },
  ];
  return table(
    `Pending writes: ${shown(pending.entries.length, pending.total)}`,
    columns,
    pending.entries,
    (e) => e.id,
    'No pending writes: everything written here has been confirmed by the server.',
  );
}

function outcomeOf(run: RunRecord): ReactNode {
  if (run.outcome === 'failed')
    return h('span', { className: 'failed' }, `failed (${run.error?.code ?? 'error'})`);
  if (run.outcome === 'aborted') return `aborted (${run.abortReason ?? '?'})`;
  return run.outcome;
}

export function runsTable(runs: InspectorSnapshot['runs']): ReactNode {
  const columns: Column<RunRecord>[] = [
    { label: 'Run', numeric: true, cell: (r) => r.id },
    { label: 'Started', cell: (r) => formatClock(r.startedAt) },
    { label: 'Triggers', cell: (r) => r.triggers.join(', ') || '—' },
    { label: 'Outcome', cell: outcomeOf },
    {
      label: 'Took',
      numeric: true,
      cell: (r) => (r.endedAt === null ? '—' : formatDuration(r.endedAt - r.startedAt)),
    },
    { label: 'Pulled', numeric: true, cell: (r) => r.pulled },
    { label: 'Pushed', numeric: true, cell: (r) => r.pushed },
    { label: 'Rejected', numeric: true, cell: (r) => r.rejected },
    { label: 'Bytes', numeric: true, cell: (r) => formatBytes(r.bytesSent + r.bytesReceived) },
    { label: 'Error', cell: (r) => r.error?.message ?? '' },
  ];
  return table(
    `Recent runs, newest first: ${shown(runs.entries.length, runs.total)}`,
    columns,
    runs.entries,
    (r) => r.id,
    'No runs yet.',
  );
}

export function rejectionsTable(
  rejections: InspectorSnapshot['rejections'],
  now: number,
): ReactNode {
  type Entry = InspectorSnapshot['rejections']['entries'][number];
  const columns: Column<Entry>[] = [
    { label: 'ID', numeric: true, cell: (r) => r.id },
    { label: 'Collection', cell: (r) => `${r.space}/${r.collection}` },
    { label: 'Key', cell: (r) => h('code', null, r.key) },
    { label: 'Op', cell: (r) => r.op },
    { label: 'Code', cell: (r) => r.code },
    { label: 'Message', cell: (r) => r.message },
    { label: 'When', cell: (r) => (r.at === null ? '—' : `${formatAge(now - r.at)} ago`) },
  ];
  return table(
    `Rejected writes, newest first: ${shown(rejections.entries.length, rejections.total)}`,
    columns,
    rejections.entries,
    (r) => `${r.id}`,
    'No rejected writes.',
  );
}

export function storeTable(store: InspectorSnapshot['store']): ReactNode {
  const columns: Column<NonNullable<InspectorSnapshot['store']['collections']>[number]>[] = [
    { label: 'Space', cell: (c) => c.space },
    { label: 'Collection', cell: (c) => c.collection },
    { label: 'Records', numeric: true, cell: (c) => c.records },
  ];
  return [
    h('p', { key: 'outbox' }, `Outbox: ${store.outboxLength} entries.`),
    store.collections === null
      ? h('p', { key: 'counting', className: 'empty' }, 'Counting records…')
      : h(
          'div',
          { key: 'collections' },
          table(
            'Records per collection',
            columns,
            store.collections,
            (c) => `${c.space}/${c.collection}`,
            'No collections opened yet.',
          ),
        ),
  ];
}
