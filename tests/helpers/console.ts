/** The cashier console's login for the tests: the seeded supervisor, its TOTP codes at the stack's clock. */
import { createGuardrails, generateSync } from 'otplib';
import type { AuditEntryView } from '../../shared/api';
import { call, type Stack } from './stack';

/** The supervisor the server seeds (the demo account). */
export const ADMIN = { username: 'admin', password: 'Admin#2026', secret: 'JBSWY3DPEHPK3PXP' };

// the demo secret is 10 bytes, as authenticator apps' often are; otplib 13 asks for 16 unless told
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });

/** The TOTP code of `secret` at `atMs` (computed by otplib, apart from the server's own code). */
export function totp(secret: string, atMs: number): string {
  return generateSync({ secret, epoch: Math.floor(atMs / 1000), guardrails });
}

/**
 * Logs `user` (the supervisor unless told) in with the code of the stack's present step; its console token. A
 * code is accepted once: a second login of the user in the same step needs the clock moved on.
 */
export async function consoleToken(
  stack: Stack,
  user: { username: string; password: string; secret: string } = ADMIN,
): Promise<string> {
  const answer = await call<{ token: string }>(stack.url, 'POST', '/api/v1/console/session', {
    body: { username: user.username, password: user.password, otp: totp(user.secret, stack.clock.now()) },
  });
  if (answer.status !== 200)
    throw new Error(`console login: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

/** The audit log's entries of `action` among the latest 500, as the supervisor holding `token` reads them. */
export async function auditEntries(stack: Stack, token: string, action: string): Promise<AuditEntryView[]> {
  const answer = await call<AuditEntryView[]>(stack.url, 'GET', '/api/v1/console/audit?limit=500', { token });
  if (answer.status !== 200) throw new Error(`audit: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.filter((e) => e.action === action);
}
