/** What every example returns when started, and how an example runs from the command line. */
import { pathToFileURL } from 'node:url';

export interface RunningExample {
  /** Base URL of the app. */
  url: string;
  /** The URL a Ferry client uses: the app's URL plus the path Ferry is mounted under. */
  syncUrl: string;
  close(): Promise<void>;
}

/** Starts the example when its file is run directly (`npx tsx examples/…/server.ts`). */
export function runIfMain(moduleUrl: string, start: () => Promise<RunningExample>): void {
  if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href) {
    start().then(
      (app) => {
        console.log(`Listening on ${app.url}; Ferry clients use url: '${app.syncUrl}'`);
        const stop = () => void app.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
}

export function addressOf(server: { address(): unknown }): string {
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}
