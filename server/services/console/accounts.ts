/**
 * Console accounts: creating a user (a supervisor's enrolment, or the seeded supervisor `admin`). Username and
 * password rules are checked here; a taken username changes nothing (ON CONFLICT DO NOTHING, safe when two
 * instances seed at once). Logins and sessions are auth.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ConsoleRole } from '../../../shared/api';
import { ConsoleUserRow } from '../../db/consoleEntities';
import { insertConsoleUser } from '../../db/consoleUsers';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from './audit';
import { hashPassword, newTotpSecret } from './credentials';

const CONSOLE_ADMIN_USERNAME = 'admin';
const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;
const PASSWORD_LENGTH_MIN = 8;

export interface NewConsoleUser {
  username: string;
  password: string;
  role: ConsoleRole;
  /** base32; a fresh 160-bit secret when absent */
  totpSecret?: string;
}

/** Who creates a user, for the audit row; the seeded admin is created by 'system'. */
export interface Actor {
  username: string;
  role: string;
  requestId?: string;
}

/**
 * Creates a console user; returns the TOTP secret once (to enrol an authenticator). false in `created` when the
 * username is taken (nothing changes: ON CONFLICT DO NOTHING, safe when two instances seed at once).
 */
/** `audited: false` when the caller writes its own audit row (a supervisor's enrolment): one row per creation. */
export async function createConsoleUser(
  deps: Deps,
  input: NewConsoleUser,
  by: Actor,
  { audited = true }: { audited?: boolean } = {},
): Promise<{ created: boolean; username: string; role: ConsoleRole; totpSecret: string }> {
  if (!USERNAME.test(input.username))
    throw new AppError('VALIDATION_FAILED', '用户名须为 2–64 位字母、数字或 _ . -');
  if (input.password.length < PASSWORD_LENGTH_MIN)
    throw new AppError('VALIDATION_FAILED', `密码至少 ${PASSWORD_LENGTH_MIN} 位。`);
  const totpSecret = input.totpSecret ?? newTotpSecret();
  const passwordHash = await hashPassword(input.password);
  const created = await insertConsoleUser(deps.db, {
    id: randomUUID(),
    username: input.username,
    passwordHash,
    totpSecretEnc: deps.pii.encrypt(totpSecret),
    role: input.role,
    at: new Date(deps.clock.now()),
  });
  if (created && audited)
    await recordAudit(deps, {
      actor: by.username,
      role: by.role,
      action: 'console.user_created',
      target: `console_user:${input.username}`,
      details: { role: input.role },
      requestId: by.requestId,
    });
  return { created, username: input.username, role: input.role, totpSecret };
}

/** Seeds the supervisor `admin` from settings when absent; an existing admin is never overwritten. */
async function ensureConsoleAdmin(deps: Deps): Promise<void> {
  const exists = await deps.db.getRepository(ConsoleUserRow).existsBy({ username: CONSOLE_ADMIN_USERNAME });
  if (exists) return;
  await createConsoleUser(
    deps,
    {
      username: CONSOLE_ADMIN_USERNAME,
      password: deps.settings.CONSOLE_ADMIN_PASSWORD,
      totpSecret: deps.settings.CONSOLE_ADMIN_TOTP_SECRET,
      role: 'supervisor',
    },
    { username: 'system', role: 'system' },
  );
}

const adminSeeded = new WeakMap<Deps, Promise<void>>();

/** ensureConsoleAdmin once per server (lazily, before the first login); a failed attempt is tried again. */
export function ensureConsoleAdminOnce(deps: Deps): Promise<void> {
  let pending = adminSeeded.get(deps);
  if (!pending) {
    pending = ensureConsoleAdmin(deps).catch((err: unknown) => {
      adminSeeded.delete(deps);
      throw err;
    });
    adminSeeded.set(deps, pending);
  }
  return pending;
}
