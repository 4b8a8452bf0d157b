/** BOOT, the worker: runs the store's sync engine off the main thread with the page's options. */
import { hostFerry } from '@ferry/browser';

const params = new URLSearchParams(self.location.search);
const space = params.get('space') ?? '';
const credential = params.get('credential') ?? '';
hostFerry({
  name: params.get('name') ?? '',
  url: params.get('url') ?? '',
  getToken: () => credential,
  spaces: [space],
  defaultSpace: space,
});
