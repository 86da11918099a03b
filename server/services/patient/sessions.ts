import { z } from 'zod';
import { GatewayError } from '../../gateways/ports';
import { createSession, readSession } from '../../ephemeral/port';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import type { Deps } from '../deps';

const sessionSchema = z.object({ openid: z.string().min(1) });

export type PatientSession = z.infer<typeof sessionSchema>;

/** Login: a wx.login code → openid (jscode2session) → an opaque session token kept in the ephemeral store. */
export async function login(deps: Deps, code: string): Promise<{ token: string; expiresInS: number }> {
  let openid: string;
  try {
    ({ openid } = await deps.wechat.code2session(code));
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'rejected')
      throw new AppError('INVALID_LOGIN_CODE', '微信登录未成功，请重新打开小程序再试。');
    throw upstreamError(err, 'login');
  }
  const token = await createSession(deps.store, { openid }, deps.settings.SESSION_TTL_MS);
  return { token, expiresInS: Math.floor(deps.settings.SESSION_TTL_MS / 1000) };
}

export async function authenticate(deps: Deps, token: string): Promise<PatientSession> {
  const data = await readSession(deps.store, token, (v) => sessionSchema.parse(v));
  if (!data) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录。');
  return { openid: data.openid };
}
