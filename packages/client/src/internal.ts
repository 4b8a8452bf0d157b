/**
 * `@ferry/client/internal`: parts of the engine that Ferry's own adapters (`@ferry/browser`,
 * `@ferry/node`) build on and apps should not. They may change in any release, without a
 * major version; an app imports `@ferry/client` only.
 */
// Clients that run the engine elsewhere (another tab, a worker) check calls as it would, at
// once: collection() arguments, writes and queries, so that a bad call fails the same way.
export { type CollectionSpaceOptions, collectionSpace } from './collection.ts';
export { indexDefinitionsOf } from './collection-options.ts';
export { createEmitter, type Emitter } from './emitter.ts';
// Stores keep index entries in the one encoding every store orders the same way.
export { encodeField, HIGH, indexEntry, readPath, sameDefinitions } from './index-key.ts';
// Live-query rows are frozen, deeply, by every client that hands them out.
export { deepFreeze } from './live-query.ts';
// The checks of a write and of a query, for clients that run the engine elsewhere (above).
export { type LocalWrite, prepareWrite } from './local-ops.ts';
export { checkQuery, type DeclaredIndexes, indexesByCollection } from './query.ts';
export { INITIAL_STATUS } from './status.ts';
// Stores check every batch the same way before committing it.
export { checkStoreBatch } from './store-batch.ts';
// For clients that run the engine elsewhere (another tab, a worker) and mirror its live queries.
export {
  createSubscriptions,
  type Subscriptions,
  type SubscriptionTarget,
} from './subscriptions.ts';
// Clients that run the engine elsewhere check a sync() call's options before sending it.
export { syncTrigger } from './sync-options.ts';
