export { type AuthenticateRequest, customAuth } from './auth/custom.ts';
export {
  createJwtAuth,
  type JwtAuthenticator,
  type JwtAuthOptions,
  MIN_SECRET_BYTES,
} from './auth/jwt.ts';
export type { AuthContext, Authenticator, Principal } from './auth/principal.ts';
export { SpacesCache, type SpacesCacheOptions } from './auth/spaces-cache.ts';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './config.ts';
export type { Database, Queryable } from './db/driver.ts';
export { createPGliteDatabase, type PGliteOptions } from './db/pglite.ts';
export { createPostgresDatabase, dropPostgresSchema, type PostgresOptions } from './db/postgres.ts';
export {
  FerryConfigError,
  type FerryConfigErrorCode,
  FerryStorageError,
  type FerryStorageErrorCode,
} from './errors.ts';
export type { CompressionMode } from './http/compression.ts';
export { createDefaultLogger as createLogger, type Logger } from './logger.ts';
export type { FcmServiceAccount } from './native-push/fcm.ts';
export type { NativePushOptions } from './native-push/options.ts';
export { type Listening, type ListenOptions, listen, nodeListener } from './node.ts';
export type { FerryServer, FerryServerOptions, FetchEnv } from './options.ts';
export type {
  CollectionSchemas,
  CommittedChange,
  ProposedWrite,
  Rules,
  WriteContext,
  WriteDecision,
  WriteOrigin,
} from './rules.ts';
export { createFerryServer } from './server.ts';
export type { ServerWrite, ServerWriteOptions, ServerWriteResult } from './server-writes.ts';
export type { CompactionResult } from './storage/compaction.ts';
export { DEFAULT_PUSH_ENDPOINT_HOSTS } from './web-push/endpoints.ts';
export type { WebPushOptions } from './web-push/options.ts';
