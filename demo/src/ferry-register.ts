/**
 * The demo's client type, declared once for the React hooks: `<FerryProvider>` takes only
 * this client, `useFerry()` returns it, and `useCollection('items')` checks the name and
 * gives `Item` rows.
 */
import type { FerryClient } from '@ferry/client';
import type { DemoSchema } from './ferry-options.ts';

declare module '@ferry/browser/react' {
  interface FerryRegister {
    client: FerryClient<DemoSchema>;
  }
}
