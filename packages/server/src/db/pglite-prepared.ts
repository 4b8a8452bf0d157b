/**
 * Named prepared statements on PGlite, for the texts Ferry marks with `prepared`. PGlite's
 * `query` parses and plans its text anew on every call, in six exchanges with the WASM
 * backend; Ferry's statements of a few CTEs spend most of their time there. Here a text is
 * parsed once under its name, and each call sends bind, describe, execute and sync as one
 * message, through PGlite's documented wire-protocol entry point.
 *
 * Callers must hold PGlite's transaction lock (run inside `db.transaction`): the protocol
 * entry point takes none of its own.
 */
import { type PGlite, parse, protocol } from '@electric-sql/pglite';
import type { SqlParam } from './driver.ts';

const { serialize } = protocol;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface PreparedStatements {
  /** Runs `sql` as statement `name`, preparing it on first use. */
  run<Row>(name: string, sql: string, params: readonly SqlParam[]): Promise<Row[]>;
}

export function createPreparedStatements(db: PGlite): PreparedStatements {
  /** Statement name → the types of its parameters, once the backend has prepared it. */
  const paramTypes = new Map<string, number[]>();

  const exchange = (parts: readonly Uint8Array[]) =>
    db.execProtocolStream(concat([...parts, serialize.sync()]), { syncToFs: false });

  async function prepare(name: string, sql: string): Promise<number[]> {
    const messages = await exchange([
      serialize.parse({ name, text: sql }),
      serialize.describe({ type: 'S', name }),
    ]);
    const types = parse.parseDescribeStatementResults(messages);
    paramTypes.set(name, types);
    return types;
  }

  return {
    async run<Row>(name: string, sql: string, params: readonly SqlParam[]) {
      const types = paramTypes.get(name) ?? (await prepare(name, sql));
      // The same text encoding PGlite's own `query` uses, by each parameter's type.
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = db.serializers[types[i]!];
        return serializer ? serializer(value) : String(value);
      });
      const messages = await exchange([
        serialize.bind({ statement: name, values }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
      ]);
      return parse.parseResults(messages, db.parsers)[0]!.rows as Row[];
    },
  };
}
