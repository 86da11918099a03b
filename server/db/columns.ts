import type { ValueTransformer } from 'typeorm';

/** pg returns int8 as a string; amounts come back as exact integers or not at all. */
export const fenTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => {
    if (value === null || value === undefined) return value;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value beyond 2^53: ${value}`);
    return n;
  },
};
