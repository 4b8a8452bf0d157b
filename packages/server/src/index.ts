export { type JwtAuth, MIN_SECRET_BYTES, type Principal } from './auth.ts';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './config.ts';
export type { Database, Queryable } from './db/driver.ts';
export { createPGliteDatabase, type PGliteOptions } from './db/pglite.ts';
export { createPostgresDatabase, dropPostgresSchema, type PostgresOptions } from './db/postgres.ts';
export type { Logger } from './logger.ts';
export { type Listening, listen } from './node.ts';
export { createFerryServer, type FerryServer, type FerryServerOptions } from './server.ts';
