/** Wire types of protocol v1. Field names here are the JSON field names. */
import type { RejectionCode } from './errors.ts';

declare const brand: unique symbol;
/** A nominal type: a `string` or `number` that has been validated as a particular kind of id. */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

export type ClientId = Brand<string, 'ClientId'>;
export type SpaceId = Brand<string, 'SpaceId'>;
export type MutationId = Brand<number, 'MutationId'>;
export type Version = Brand<number, 'Version'>;

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type MutationOp = 'put' | 'patch' | 'delete';

interface MutationBase {
  id: MutationId;
  space: SpaceId;
  collection: string;
  key: string;
  /** Apply only if the record's current version equals this; 0 = only if it does not exist. */
  ifVersion?: number;
}
export interface PutMutation extends MutationBase {
  op: 'put';
  value: JsonObject;
}
export interface PatchMutation extends MutationBase {
  op: 'patch';
  /** Top-level fields to set; a field set to `null` is removed. */
  value: JsonObject;
}
export interface DeleteMutation extends MutationBase {
  op: 'delete';
}
export type Mutation = PutMutation | PatchMutation | DeleteMutation;

export interface PushRequest {
  clientId: ClientId;
  mutations: Mutation[];
  /**
   * Addition: after committing the mutations, the server reads one page of changes as a
   * pull with these fields (and this `clientId`) would, and answers it in `pull`, so one
   * request pushes and pulls. A server without the addition ignores it and answers no `pull`.
   */
  pull?: PushPull;
}

/** A pull request's fields, carried by a push (`PushRequest['pull']`). */
export type PushPull = Omit<PullRequest, 'clientId'>;

/**
 * Why the server refused a mutation. A receiver must accept codes it does not know (v1
 * allows codes to be added) and treat the mutation as rejected all the same.
 */
export interface MutationRejection {
  code: RejectionCode | (string & {});
  message: string;
}

export type MutationResult =
  | { id: MutationId; status: 'applied'; version: Version }
  | {
      id: MutationId;
      status: 'duplicate';
      /**
       * Present when the mutation was rejected when first processed (an addition to v1): a
       * client whose earlier response was lost still learns of the rejection.
       */
      error?: MutationRejection;
    }
  | { id: MutationId; status: 'rejected'; error: MutationRejection };

export interface PushResponse {
  results: MutationResult[];
  /** The highest mutation id of this client the server has processed (0 if none). */
  lastMutationId: number;
  /**
   * Addition, present when the request asked for it (`PushRequest['pull']`): the first page
   * of the pull, read after the mutations were committed, as `POST /v1/pull` would answer it.
   */
  pull?: PullResponse;
}

export interface PullRequest {
  clientId: ClientId;
  /** Opaque; `null` means from the beginning. */
  cursor: string | null;
  limit?: number;
  spaces?: SpaceId[];
}

export interface Change {
  space: SpaceId;
  collection: string;
  key: string;
  version: Version;
  /** The record's latest state; `null` means deleted. */
  value: JsonObject | null;
}

export interface PullResponse {
  changes: Change[];
  cursor: string;
  hasMore: boolean;
  lastMutationId: number;
  /** True when the given cursor could not be served and `changes` start a snapshot from the beginning. */
  reset?: true;
  /**
   * Addition: the version `cursor` stands at. Every change in the requested spaces with a
   * version up to it has been sent (on this page or an earlier one).
   */
  cursorVersion?: number;
  /**
   * Addition, present when `hasMore` is true: an estimate of the changes after this page in
   * the requested spaces, so a client can show how far a long sync has got. A count capped
   * by the server (Ferry's counts up to 1,000,000 on the first page of a snapshot from the
   * beginning and ten pages ahead on later pages), blind to commits made since.
   */
  remaining?: number;
}

export interface PokeEvent {
  version: number;
  /**
   * Addition, present together with `from` and `cursor` when a commit was small: the
   * commit's changes in the stream's spaces. A client whose cursor stands at a version in
   * [`from`, `version`) may apply them and move to `cursor` (which stands at `version`)
   * instead of pulling; any other client pulls as usual.
   */
  changes?: Change[];
  /** No change in the stream's spaces has a version in (`from`, the commit's first version). */
  from?: number;
  cursor?: string;
}

/** A poke that carries its commit's changes, as `parsePokeChanges` returns it. */
export interface PokeWithChanges extends PokeEvent {
  changes: Change[];
  from: number;
  cursor: string;
}

export interface DevTokenRequest {
  user: string;
  spaces?: string[];
}

export interface DevTokenResponse {
  token: string;
}

/**
 * An addition to v1: the body of `POST /v1/devices` (and, without `environment`, of
 * `DELETE /v1/devices`), registering a phone's native push token so the server can wake
 * the app after changes in its user's spaces.
 */
export interface DeviceRegistration {
  /** `fcm`: an FCM registration token; `apns`: an APNs device token, in hex. */
  platform: 'fcm' | 'apns';
  token: string;
  /**
   * APNs only: `sandbox` for a development build's token, `production` for App Store and
   * TestFlight builds; without it the server's default applies.
   */
  environment?: 'sandbox' | 'production';
}
