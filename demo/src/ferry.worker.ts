/** The dedicated worker the sync engine runs in, off the page's main thread. */
import { hostFerry } from '@ferry/browser';
import { hostOptions } from './ferry-options.ts';
import { currentUser } from './session.ts';

// The page writes the session before it starts this worker, and ends the worker on sign-out.
void currentUser().then((user) => {
  if (user !== null) hostFerry(hostOptions(user));
});
