/**
 * The console's session on this browser: token, role and username, kept in storage (localStorage on H5) under
 * its own key, never mixed with the patient's token (the server does not accept one for the other either).
 */
import type { ConsoleRole } from '../../../shared/api';
import { readValue, writeValue } from '../storage';

const KEY = 'medins.console.session';
const AFTER_LOGIN_KEY = 'medins.console.afterLogin';

export interface ConsoleSession {
  token: string;
  role: ConsoleRole;
  username: string;
  /** ms since the epoch (browser clock); after it the session is treated as gone */
  expiresAtMs: number;
}

export function getConsoleSession(nowMs = Date.now()): ConsoleSession | undefined {
  const raw = readValue(KEY);
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<ConsoleSession>;
    if (
      typeof s.token !== 'string' ||
      (s.role !== 'cashier' && s.role !== 'supervisor') ||
      typeof s.username !== 'string' ||
      typeof s.expiresAtMs !== 'number'
    )
      return undefined;
    if (s.expiresAtMs <= nowMs) return undefined;
    return s as ConsoleSession;
  } catch {
    return undefined;
  }
}

export function setConsoleSession(session: ConsoleSession | undefined): void {
  writeValue(KEY, session ? JSON.stringify(session) : undefined);
}

export const isSupervisor = (session: ConsoleSession | undefined) => session?.role === 'supervisor';

/** The console page (url with query) to return to once logged in again. */
export const getConsoleAfterLogin = () => readValue(AFTER_LOGIN_KEY);
export const setConsoleAfterLogin = (url: string | undefined) => writeValue(AFTER_LOGIN_KEY, url);
