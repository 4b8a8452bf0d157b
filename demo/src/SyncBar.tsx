/** What sync is doing, on screen: status, last success, "Sync now", push and rejected writes. */
import { useFerry, useRejections, useSyncStatus } from '@ferry/browser/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { enablePush } from './push.ts';
import type { DemoUser } from './session.ts';
import { describeStatus, relativeTime } from './status-label.ts';

const REFRESH_MS = 5000;

function subscribeOnline(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine);
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The sync status bar of the provider's client. */
export function SyncBar(props: { user: DemoUser }) {
  const client = useFerry();
  const status = useSyncStatus();
  const online = useOnline();
  const now = useNow(REFRESH_MS);
  const { state, label } = describeStatus(status, online);
  const [syncMessage, setSyncMessage] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [push, setPush] = useState<{ message: string; failed: boolean } | null>(null);
  const { rejections, dismiss } = useRejections();

  const syncNow = () => {
    setSyncing(true);
    setSyncMessage(null);
    client.sync().then(
      () => setSyncing(false),
      (error: unknown) => {
        setSyncing(false);
        setSyncMessage(`Sync failed: ${message(error)}`);
      },
    );
  };
  const turnOnPush = () => {
    setPush({ message: 'Asking for permission…', failed: false });
    enablePush(props.user).then(
      (done) => setPush({ message: done, failed: false }),
      (error: unknown) =>
        setPush({ message: `Notifications are off: ${message(error)}`, failed: true }),
    );
  };

  return (
    <section className="sync" aria-label="Sync">
      <div className="sync-row">
        <span className="status" data-testid="sync-status" data-state={state} role="status">
          <span className="dot" aria-hidden="true" />
          {label}
        </span>
        <span className="last" data-testid="last-synced">
          {status.lastSuccessAt === null
            ? 'Not synced yet'
            : `Last synced ${relativeTime(status.lastSuccessAt, now)}`}
        </span>
      </div>
      <div className="sync-row">
        <button type="button" data-testid="sync-now" onClick={syncNow} disabled={syncing}>
          {syncing ? 'Syncing…' : 'Sync now'}
        </button>
        <button type="button" className="quiet" data-testid="enable-push" onClick={turnOnPush}>
          Enable notifications
        </button>
      </div>
      {syncMessage && (
        <p className="notice error" data-testid="sync-message" role="alert">
          {syncMessage}
        </p>
      )}
      {push && (
        <p className={push.failed ? 'notice error' : 'notice'} data-testid="push-message">
          {push.message}
        </p>
      )}
      {rejections.map((rejection, index) => (
        <p
          className="notice error"
          data-testid="rejection"
          role="alert"
          key={rejection.mutation.id}
        >
          The server refused a change to “{rejection.mutation.key}”: {rejection.message}
          <button
            type="button"
            className="quiet"
            aria-label="Dismiss"
            onClick={() => dismiss(index)}
          >
            ×
          </button>
        </p>
      ))}
    </section>
  );
}
