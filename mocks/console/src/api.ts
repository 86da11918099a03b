/**
 * The console's admin client: the typed client of mocks/common/admin-client, pointed at the console server's
 * proxy (`/__console/api/<mock>/<path>` = that mock's `/__admin/<path>`). `admin` shows each answer (or error)
 * in the right-hand panel and the log; `quiet` is for the reads a tab draws itself.
 */
import { AdminClient, MOCKS, merchantAccepted, type Answer } from '../../common/admin-client/client';
import type { MerchantAnswer, MockName } from '../../common/admin-client/types';
import { h, pretty } from './dom';

export { MOCKS };
export type { Answer };

/** An answer as the panel shows it; a replay or sent callback also carries the merchant's answer. */
export interface Shown {
  mock: MockName;
  method: string;
  path: string;
  ok: boolean;
  status: number;
  body: unknown;
  error?: string;
  merchant?: { status?: number; error?: string };
}

function options() {
  return {
    adminBase: Object.fromEntries(MOCKS.map((m) => [m, `/__console/api/${m}`])) as Record<MockName, string>,
    fetch: (url: string, init: RequestInit) => window.fetch(url, init),
    unreachable: (_base: string, err: unknown) => `console server unreachable: ${String(err)}`,
  };
}

export const admin = new AdminClient(options());
admin.onAnswer = (a, sent) => showAnswer(a, sent);
export const quiet = new AdminClient(options());

/** The answer panel on the right and a line in the log below it. */
export function showAnswer(a: Shown, sent?: unknown): void {
  const box = document.getElementById('answer')!;
  const path = a.path.replace(/^\/__admin\//, '');
  box.className = `answer ${a.ok ? 'ok' : 'fail'}`;
  const merchant = a.merchant ? ` · 商户应答 merchant answered ${a.merchant.status ?? '—'}` : '';
  box.replaceChildren(
    h(
      'div',
      { class: 'head' },
      `${a.ok ? '✓' : '✗'} ${a.mock}: ${a.method} ${a.path} → ${a.status || 'no answer'}${merchant}`,
    ),
    a.ok ? '' : h('div', { class: 'error' }, a.error),
    sent !== undefined
      ? h('details', {}, h('summary', {}, '发出的内容 What was sent'), h('pre', {}, pretty(sent)))
      : '',
    h('div', { class: 'muted' }, '应答 Response body'),
    h('pre', { id: 'answer-body' }, a.body === null || a.body === '' ? '(no body)' : pretty(a.body)),
  );
  const log = document.getElementById('log')!;
  log.prepend(
    h(
      'li',
      { class: a.ok ? 'ok-line' : 'fail' },
      `${new Date().toLocaleTimeString()} ${a.mock} ${a.method} ${path.split('?')[0]} → ${a.status || a.error}` +
        (a.merchant ? ` · 商户 merchant ${a.merchant.status ?? '—'}` : ''),
    ),
  );
  while (log.children.length > 30) log.lastChild?.remove();
}

/** An error of the console itself (a field it could not read), shown like a refused call. */
export function showProblem(mock: MockName, method: string, path: string, error: string): void {
  showAnswer({ mock, method, path: `/__admin/${path}`, ok: false, status: 0, body: null, error });
}

/**
 * A replay or a custom callback: shown by the merchant's answer, not the admin call's — only a 2xx without error
 * is a ✓; a 4xx/5xx, a refused or hung connection is a ✗ with the status, so a 401 never reads as "delivered".
 * Returns whether the admin call itself went through (the history grew).
 */
export async function deliver(call: (c: typeof quiet) => Promise<Answer<MerchantAnswer>>, sent: unknown) {
  const a = await call(quiet);
  if (!a.ok || !a.body || typeof a.body !== 'object') {
    showAnswer(a, sent);
    return a.ok;
  }
  const { status, error } = a.body;
  const accepted = merchantAccepted(a.body);
  showAnswer(
    {
      ...a,
      ok: accepted,
      merchant: { status, error },
      error: accepted
        ? undefined
        : `商户未接受 not accepted by the merchant: ${status === undefined ? 'no answer' : `HTTP ${status}`}` +
          (error ? ` (${error})` : ''),
    },
    sent,
  );
  return true;
}
