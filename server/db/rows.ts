/**
 * The edge where raw query results become typed values: every SQL module of server/db/ reads its rows through
 * these, so a column that is not what the code expects fails loudly here rather than deep in a use case.
 */
import type { DataSource, EntityManager } from 'typeorm';

/** What a SQL function runs on: the pool, or the caller's transaction. */
export type Db = DataSource | EntityManager;

/** One raw row, column name → value as the pg driver gives it. */
export type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rows of a SELECT (or INSERT … RETURNING): an array of objects, or an error. */
export function rowsOf(result: unknown): Row[] {
  if (!Array.isArray(result)) throw new TypeError('query result is not an array of rows');
  return result.map((r: unknown) => {
    if (!isRow(r)) throw new TypeError('query result holds a row that is not an object');
    return r;
  });
}

/** UPDATE/DELETE … RETURNING answers [rows, count] through the pg driver; plain rows elsewhere. */
export function returnedRows(result: unknown): Row[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return rowsOf(result[0]);
  return rowsOf(result);
}

function column(row: Row, name: string): unknown {
  if (!(name in row)) throw new TypeError(`query result has no column ${name}`);
  return row[name];
}

const bad = (name: string, what: string, value: unknown) =>
  new TypeError(`column ${name} is not ${what}: ${JSON.stringify(value) ?? String(value)}`);

export function text(row: Row, name: string): string {
  const v = column(row, name);
  if (typeof v !== 'string') throw bad(name, 'text', v);
  return v;
}

export function textOrNull(row: Row, name: string): string | null {
  return column(row, name) === null ? null : text(row, name);
}

/** An integer column (int4, or a count/int8 the driver gives as a string). */
export function int(row: Row, name: string): number {
  const v = column(row, name);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw bad(name, 'an integer', v);
  return n;
}

export function bool(row: Row, name: string): boolean {
  const v = column(row, name);
  if (typeof v !== 'boolean') throw bad(name, 'a boolean', v);
  return v;
}

export function boolOrNull(row: Row, name: string): boolean | null {
  return column(row, name) === null ? null : bool(row, name);
}

export function date(row: Row, name: string): Date {
  const v = column(row, name);
  if (!(v instanceof Date)) throw bad(name, 'a timestamp', v);
  return v;
}

export function dateOrNull(row: Row, name: string): Date | null {
  return column(row, name) === null ? null : date(row, name);
}

/** A text column whose value is one of `allowed`. */
export function oneOf<T extends string>(row: Row, name: string, allowed: readonly T[]): T {
  const v = text(row, name);
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw bad(name, `one of ${allowed.join(', ')}`, v);
  return found;
}

export function oneOfOrNull<T extends string>(row: Row, name: string, allowed: readonly T[]): T | null {
  return column(row, name) === null ? null : oneOf(row, name, allowed);
}

/** A jsonb column holding an object. */
export function jsonObject(row: Row, name: string): Row {
  const v = column(row, name);
  if (!isRow(v)) throw bad(name, 'a JSON object', v);
  return v;
}

export function jsonObjectOrNull(row: Row, name: string): Row | null {
  return column(row, name) === null ? null : jsonObject(row, name);
}
