/**
 * The mini-program's access token, shared by every instance through the ephemeral store. WeChat retires the
 * previous token 5 minutes after issuing a new one, so instances must not each fetch their own: one refreshes
 * (under a lock) when the token has less than REFRESH_BEFORE_MS to live, the others keep using the current one
 * meanwhile, and only an instance with no usable token at all waits for the refresher.
 */
import { z } from 'zod';
import { withLock, LockBusy } from '../../ephemeral/port';
import type { Deps } from '../deps';

/** refresh when less than this is left (WeChat's tokens live 7,200 s) */
export const REFRESH_BEFORE_MS = 10 * 60_000;
const TOKEN_KEY = 'wechat:access_token';
const LOCK_KEY = 'wechat:access_token:refresh';
const LOCK_TTL_MS = 15_000;
/** how long an instance without a usable token waits for another's refresh */
const WAIT_FOR_REFRESH_MS = 5_000;

const cachedSchema = z.object({ token: z.string().min(1), expiresAtMs: z.number() });
type Cached = z.infer<typeof cachedSchema>;

async function readCached(deps: Deps): Promise<Cached | null> {
  const raw = await deps.store.get(TOKEN_KEY);
  if (raw === null) return null;
  const parsed = cachedSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

const usable = (c: Cached, now: number): boolean => c.expiresAtMs > now + 30_000;
const fresh = (c: Cached, now: number): boolean => c.expiresAtMs > now + REFRESH_BEFORE_MS;

async function refresh(deps: Deps, staleToken: string | null): Promise<Cached> {
  // another instance may have refreshed while this one waited for the lock
  const now = deps.clock.now();
  const current = await readCached(deps);
  if (current !== null && fresh(current, now) && current.token !== staleToken) return current;
  const { token, expiresInS } = await deps.miniProgram.fetchAccessToken();
  const cached = { token, expiresAtMs: deps.clock.now() + expiresInS * 1000 };
  await deps.store.set(TOKEN_KEY, JSON.stringify(cached), Math.max(1000, expiresInS * 1000));
  deps.logger.info({ expiresInS }, 'WeChat access token refreshed');
  return cached;
}

/**
 * A token to call with. `rejected`: the token WeChat just refused (40001/42001), which must not be handed out
 * again.
 */
export async function accessToken(deps: Deps, rejected: string | null = null): Promise<string> {
  const now = deps.clock.now();
  const cached = await readCached(deps);
  const valid = cached !== null && cached.token !== rejected ? cached : null;
  if (valid !== null && fresh(valid, now)) return valid.token;
  try {
    // one refresher across instances; the others use the current token while it lives, or wait for the new one
    const waitMs = valid !== null && usable(valid, now) ? 0 : WAIT_FOR_REFRESH_MS;
    const next = await withLock(deps.store, LOCK_KEY, LOCK_TTL_MS, () => refresh(deps, rejected), { waitMs });
    return next.token;
  } catch (err) {
    if (!(err instanceof LockBusy)) throw err;
    if (valid !== null && usable(valid, now)) return valid.token;
    const after = await readCached(deps);
    if (after !== null && usable(after, deps.clock.now()) && after.token !== rejected) return after.token;
    throw err;
  }
}
