/**
 * "Details": opens Ferry's inspector under the sync bar, for the curious person or the
 * developer trying the demo. The inspector is its own chunk, loaded only when opened.
 */
import { useFerry } from '@ferry/browser/react';
import { lazy, Suspense, useState } from 'react';

const FerryInspector = lazy(() => import('@ferry/browser/inspector'));

/** The toggle button; the inspector itself is rendered by `SyncDetailsPanel`. */
export function useSyncDetails() {
  const [open, setOpen] = useState(false);
  return { open, toggle: () => setOpen((was) => !was), close: () => setOpen(false) };
}

export function SyncDetailsPanel(props: { onClose: () => void }) {
  const client = useFerry();
  return (
    <Suspense fallback={<p className="notice">Opening the details…</p>}>
      <FerryInspector client={client} onClose={props.onClose} />
    </Suspense>
  );
}
