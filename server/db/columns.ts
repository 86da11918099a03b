import type { ValueTransformer } from 'typeorm';

/**
 * pg returns int8 (and sums of it) as a string; an amount comes back as an exact integer or not at all. For raw
 * queries, and the transformer of entity columns.
 */
export function fenOf(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`not an integer amount of fen within 2^53: ${String(value)}`);
  return n;
}

export const fenTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : fenOf(value)),
};
