/** The app: the sign-in screen, or the signed-in user's lists with their sync controls. */
import { openFerry, registerBackgroundSync } from '@ferry/browser';
import { FerryProvider } from '@ferry/browser/react';
import type { FerryClient } from '@ferry/client';
import { useCallback, useEffect, useState } from 'react';
import { type DemoSchema, hostOptions } from './ferry-options.ts';
import { Lists } from './Lists.tsx';
import { SyncBar } from './SyncBar.tsx';
import { currentUser, type DemoUser, signIn, signOut, USERS } from './session.ts';

/** Opens the user's Ferry client, with its engine in a dedicated worker, and closes it when done. */
function useFerryClient(user: DemoUser | null): FerryClient<DemoSchema> | null {
  const [client, setClient] = useState<FerryClient<DemoSchema> | null>(null);
  useEffect(() => {
    if (user === null) return;
    const worker = new Worker(new URL('./ferry.worker.ts', import.meta.url), {
      type: 'module',
      name: `ferry-${user}`,
    });
    const opened = openFerry<DemoSchema>({ ...hostOptions(user), worker });
    setClient(opened);
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.ready
        .then((registration) =>
          registerBackgroundSync(registration, { periodicMinIntervalMs: 15 * 60_000 }),
        )
        .catch((error) => console.warn('Background Sync is not available here.', error));
    }
    return () => {
      setClient(null);
      opened.close().catch((error) => console.warn('Closing the Ferry client failed.', error));
    };
  }, [user]);
  return client;
}

export function App() {
  const [user, setUser] = useState<DemoUser | null | undefined>(undefined);
  useEffect(() => {
    currentUser().then(setUser, () => setUser(null));
  }, []);
  const client = useFerryClient(user ?? null);

  const choose = useCallback((name: DemoUser) => {
    signIn(name).then(
      () => setUser(name),
      (error) => console.error('Could not keep the session.', error),
    );
  }, []);
  const leave = useCallback(() => {
    setUser(null);
    signOut().catch((error) => console.error('Could not clear the session.', error));
  }, []);

  if (user === undefined) return <main className="app loading">Loading…</main>;
  if (user === null) return <SignIn onChoose={choose} />;
  return (
    <main className="app">
      <header className="top">
        <h1>Shared lists</h1>
        <span className="who">
          Signed in as <strong>{user}</strong>
        </span>
        <button type="button" className="quiet" data-testid="sign-out" onClick={leave}>
          Sign out
        </button>
      </header>
      {client === null ? (
        <p className="loading">Opening your lists…</p>
      ) : (
        <FerryProvider client={client}>
          <SyncBar user={user} />
          <Lists user={user} />
        </FerryProvider>
      )}
    </main>
  );
}

function SignIn(props: { onChoose: (user: DemoUser) => void }) {
  return (
    <main className="app sign-in">
      <h1>Shared lists</h1>
      <p>
        A personal list and a team list that sync in the background, offline too. Pick a user (dev
        mode: no password); open the other one in a second browser profile or a private window to
        see changes travel.
      </p>
      <div className="users">
        {USERS.map((name) => (
          <button
            key={name}
            type="button"
            data-testid={`sign-in-${name}`}
            onClick={() => props.onChoose(name)}
          >
            Sign in as {name}
          </button>
        ))}
      </div>
    </main>
  );
}
