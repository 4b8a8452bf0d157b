/**
 * What sync is doing, on screen: the client's phase in a word, what waits to be sent (also
 * offline), when the data was last known current, "Sync now", one dismissible banner for
 * the problem at hand in words for people (gone by itself once sync recovers), push,
 * rejected writes, and "Details", which opens Ferry's inspector.
 */
import { useFerry, useRejections, useSyncStatus } from '@ferry/browser/react';
import { useEffect, useState } from 'react';
import { enablePush } from './push.ts';
import { SyncDetailsPanel, useSyncDetails } from './SyncDetails.tsx';
import type { DemoUser } from './session.ts';
import {
  currentProblem,
  describeStatus,
  failureOf,
  pendingLabel,
  relativeTime,
  type SyncFailure,
} from './status-label.ts';

const REFRESH_MS = 5000;

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
  const now = useNow(REFRESH_MS);
  const { phase, state, label } = describeStatus(status);
  const pending = pendingLabel(status);
  const [syncing, setSyncing] = useState(false);
  const [failure, setFailure] = useState<SyncFailure | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [push, setPush] = useState<{ message: string; failed: boolean } | null>(null);
  const { rejections, dismiss } = useRejections();
  const problem = currentProblem(status, failure);
  const details = useSyncDetails();

  const syncNow = () => {
    setSyncing(true);
    setFailure(null);
    client.sync().then(
      () => setSyncing(false),
      (error: unknown) => {
        setSyncing(false);
        // For developers; the person reads the phrase in the banner.
        console.warn('Sync now failed:', error);
        setFailure(failureOf(error, Date.now()));
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
        <span
          className="status"
          data-testid="sync-status"
          data-state={state}
          data-phase={phase}
          role="status"
        >
          <span className="dot" aria-hidden="true" />
          {label}
        </span>
        {pending && (
          <span className="pending" data-testid="pending-count">
            {pending}
          </span>
        )}
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
        <button
          type="button"
          className="quiet"
          data-testid="sync-details"
          aria-expanded={details.open}
          onClick={details.toggle}
        >
          Details
        </button>
      </div>
      {problem && problem.key !== dismissed && (
        <p className="notice error" data-testid="sync-banner" data-code={problem.code} role="alert">
          {problem.message}
          <button
            type="button"
            className="quiet"
            aria-label="Dismiss"
            data-testid="dismiss-banner"
            onClick={() => setDismissed(problem.key)}
          >
            ×
          </button>
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
      {details.open && <SyncDetailsPanel onClose={details.close} />}
    </section>
  );
}
