/**
 * The error `fn` throws, for a test to look into: it must be a `type` (another error is thrown on, and no error
 * at all fails the test).
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}
