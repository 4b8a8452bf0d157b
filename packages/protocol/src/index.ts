// The wire protocol v1, shared by Ferry's client and server and by anyone writing their own:
// the wire types, the protocol's strings and limits, its error codes, and the checks each
// side applies to what it receives.
export {
  ACCESS_TOKEN_PARAM,
  DEFAULT_LIMITS,
  EVENTS,
  HEADERS,
  JSON_CONTENT_TYPE,
  MAX_KEY_LENGTH,
  PROTOCOL_VERSION,
  REAUTHENTICATE_REASONS,
  type ReauthenticateReason,
  ROUTES,
  SPACES_PARAM,
  SSE_CONTENT_TYPE,
  SSE_HEARTBEAT_COMMENT,
  SSE_HEARTBEAT_MS,
} from './constants.ts';
export {
  ERROR_CODES,
  ERROR_STATUS,
  type ErrorBody,
  type ErrorCode,
  FerryError,
  isErrorCode,
  REJECTION_CODES,
  type RejectionCode,
} from './errors.ts';
export {
  applyPatch,
  copyJson,
  describeNonJsonObject,
  describeUnwritableValue,
  inspectWrittenValue,
  isInexactInteger,
  jsonDepthExceeds,
} from './json.ts';
export type { LogFn, Logger } from './logger.ts';
export {
  InvalidResponseError,
  parsePokeChanges,
  parsePullResponse,
  parsePushResponse,
} from './responses.ts';
export type {
  CollectionTypes,
  InferCollections,
  InputOf,
  OutputOf,
  StandardSchemaV1,
} from './standard-schema.ts';
export type {
  Brand,
  Change,
  ClientId,
  DeleteMutation,
  DeviceRegistration,
  DevTokenRequest,
  DevTokenResponse,
  JsonObject,
  JsonValue,
  Mutation,
  MutationId,
  MutationOp,
  MutationRejection,
  MutationResult,
  PatchMutation,
  PokeEvent,
  PokeWithChanges,
  PullRequest,
  PullResponse,
  PushPull,
  PushRequest,
  PushResponse,
  PutMutation,
  SpaceId,
  Version,
} from './types.ts';
export {
  isPlainObject,
  isPositiveSafeInteger,
  isValidClientId,
  isValidKey,
  isValidName,
  isValidUserId,
  type PullLimits,
  type PushLimits,
  parseDevTokenRequest,
  parsePullRequest,
  parsePushRequest,
  parseSpaceList,
} from './validate.ts';
