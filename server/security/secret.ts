/**
 * A value that must never reach a log, a JSON answer or an error message by accident. Every way of turning it
 * into text prints "[REDACTED]"; only `.reveal()` gives the value, which makes each use visible in review.
 */
import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

export class Secret<T> {
  // A true private field: not an own property, so spreading, Object.entries and structuredClone do not copy it.
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
