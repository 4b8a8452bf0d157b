/**
 * `@ferry/browser/inspector`: `FerryInspector`, a developer's view of what the sync engine
 * is doing: status, pending writes, recent runs, rejections, cursor age and store sizes.
 * An entry of its own, so it costs an app nothing until it is opened:
 *
 *   const FerryInspector = lazy(() => import('@ferry/browser/inspector'));
 *   {open && <Suspense fallback={null}><FerryInspector client={client} onClose={close} /></Suspense>}
 *
 * It works with any client: `openFerry`'s (the snapshot comes from the tab or worker that
 * leads the sync) or `createClient`'s.
 */
import { createElement as h, type ReactElement, useEffect, useId, useState } from 'react';
import { useSyncStatus } from '../react/index.ts';
import { pendingTable, rejectionsTable, runsTable, statusSection, storeTable } from './sections.ts';
import { INSPECTOR_CSS, ROOT_CLASS } from './styles.ts';
import { type InspectorSource, useInspectorSnapshot } from './use-inspector.ts';

export type { InspectorSource } from './use-inspector.ts';

export interface FerryInspectorProps {
  /** The client to inspect (`openFerry`'s, `connectFerry`'s or `createClient`'s). */
  client: InspectorSource;
  /** Shows a Close button that calls this. */
  onClose?: () => void;
  /** How often the snapshot is taken again while open, in ms; default 2000. */
  refreshMs?: number;
}

/** Ages tick on their own between snapshots. */
const CLOCK_TICK_MS = 1000;

export function FerryInspector(props: FerryInspectorProps): ReactElement {
  const { client, onClose, refreshMs = 2000 } = props;
  const status = useSyncStatus(client);
  const { snapshot, error } = useInspectorSnapshot(client, refreshMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  const headingId = useId();
  const section = (title: string, body: unknown) =>
    h('section', { key: title, 'aria-label': title }, h('h3', null, title), body as ReactElement);
  return h(
    'section',
    { className: ROOT_CLASS, 'aria-labelledby': headingId, 'data-testid': 'ferry-inspector' },
    h('style', null, INSPECTOR_CSS),
    h(
      'header',
      null,
      h('h2', { id: headingId }, 'Ferry inspector'),
      onClose === undefined
        ? null
        : h(
            'button',
            { type: 'button', onClick: onClose, 'aria-label': 'Close the inspector' },
            'Close',
          ),
    ),
    error === undefined
      ? null
      : h('p', { className: 'problem', role: 'alert' }, `Could not read the engine: ${error}`),
    section('Status', statusSection(status, snapshot, now)),
    snapshot === undefined
      ? h('p', { className: 'empty' }, 'Reading the engine…')
      : [
          section('Pending writes', pendingTable(snapshot.pending)),
          section('Recent runs', runsTable(snapshot.runs)),
          section('Rejections', rejectionsTable(snapshot.rejections, now)),
          section('Store', storeTable(snapshot.store)),
        ],
  );
}

/** The default export, for `React.lazy(() => import('@ferry/browser/inspector'))`. */
export default FerryInspector;
