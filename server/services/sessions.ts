import { z } from 'zod';
import { GatewayError } from '../gateways/ports';
import { createSession, readSession } from '../ephemeral/port';
import { AppError } from './errors';
import { upstreamError } from './gatewayErrors';
import type { Deps } from './deps';

const sessionSchema = z.object({ openid: z.string().min(1) });

export type PatientSession = z.infer<typeof sessionSchema>;

/** Login: a wx.login code → openid (jscode2session) → an opaque session token kept in the ephemeral store. */
export async function login(deps: Deps, code: string): Promise<{ token: string; expiresInS: number }> {
  let openid: string;
  try {
    ({ openid } = await deps.wechat.code2session(code));
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'rejected')
      throw new AppError('INVALID_LOGIN_CODE', 'the login code is invalid or was already used');
    throw upstreamError(err, 'login');
  }
  const token = await createSession(deps.store, { openid }, deps.settings.SESSION_TTL_MS);
  return { token, expiresInS: Math.floor(deps.settings.SESSION_TTL_MS / 1000) };
}

export async function authenticate(deps: Deps, token: string): Promise<PatientSession> {
  const data = await readSession(deps.store, token, (v) => sessionSchema.parse(v));
  if (!data) throw new AppError('UNAUTHENTICATED', 'the session is missing or expired; please log in again');
  return { openid: data.openid };
}
