/**
 * `@ferry/client/internal`: parts of the engine that Ferry's own adapters (`@ferry/browser`,
 * `@ferry/node`) build on and apps should not. They may change in any release, without a
 * major version; an app imports `@ferry/client` only.
 */
export { createEmitter, type Emitter } from './emitter.ts';
// Stores keep index entries in the one encoding every store orders the same way.
export { encodeField, HIGH, indexEntry, readPath, sameDefinitions } from './index-key.ts';
export { INITIAL_STATUS } from './status.ts';
// Stores check every batch the same way before committing it.
export { checkStoreBatch } from './store-batch.ts';
// For clients that run the engine elsewhere (another tab, a worker) and mirror its live queries.
export {
  createSubscriptions,
  type Subscriptions,
  type SubscriptionTarget,
} from './subscriptions.ts';
