/**
 * The Standard Schema interface (standardschema.dev), which zod, valibot, arktype and others
 * implement. Its authors publish it to be copied rather than depended on, so one collection
 * schema can validate values on the server and type them on the client.
 */

export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['input'];
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['output'];
}

/**
 * A collection's two value types, for when a schema makes them differ (defaults,
 * transforms): `Output` is what reads give, `Input` what writes take. A client schema
 * entry is either this or one value type used both ways. Types only: no such object exists.
 */
export type CollectionTypes<Output, Input = Output> = {
  readonly '~types': { readonly output: Output; readonly input: Input };
};

/** What reads of a collection give, from its client schema entry. */
export type OutputOf<Entry> = Entry extends CollectionTypes<infer Output, unknown> ? Output : Entry;

/** What writes to a collection take, from its client schema entry. */
export type InputOf<Entry> = Entry extends CollectionTypes<unknown, infer Input> ? Input : Entry;

/**
 * The value types of a set of collection schemas: declare the schemas once, give them to
 * the server as `collections`, and type the client with
 * `createClient<InferCollections<typeof collections>>`. Writes then take each schema's
 * input type (a field with a default may be left out) and reads give its output type.
 */
export type InferCollections<Collections extends Record<string, StandardSchemaV1>> = {
  [Name in keyof Collections]: CollectionTypes<
    StandardSchemaV1.InferOutput<Collections[Name]>,
    StandardSchemaV1.InferInput<Collections[Name]>
  >;
};
