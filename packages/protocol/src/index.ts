export * from './constants.ts';
export * from './errors.ts';
export * from './json.ts';
export type * from './standard-schema.ts';
export type * from './types.ts';
export * from './validate.ts';
