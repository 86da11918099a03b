/**
 * The one client of the three mocks' admin API (`/__admin`), used by the CLI (scripts/mockCli) in Node and by
 * the testers' console (mocks/console/src) in the browser. It knows each mock's admin base URL (the mock's own
 * `http://127.0.0.1:3101/__admin`, or the console's proxy `/__console/api/insurance`) and takes a `fetch`-like
 * function, so it imports nothing of Node or the DOM. One method per admin operation; a call never throws: it
 * answers {ok, status, body, error}, `error` being a readable reason (the mock's `code: message`, or why it
 * could not be reached).
 */
import type {
  Attempt,
  BillInput,
  BillView,
  CallbackModes,
  CallbackSend,
  CatalogueItemView,
  ClockMove,
  ClockMoved,
  ClockView,
  ConfirmAnswer,
  ConsentDecision,
  ConfirmInput,
  Fault,
  FaultInput,
  JournalEntry,
  JournalSearch,
  MerchantAnswer,
  MockName,
  NotificationDetail,
  NotificationView,
  PatientInput,
  PatientView,
  PersonInput,
  PersonPatch,
  PersonView,
  ScenarioView,
  SessionList,
  SessionView,
  SmsView,
  SubscribeMessageView,
  Verification,
  VerifyInput,
} from './types';

export const MOCKS: readonly MockName[] = ['insurance', 'his', 'wechatpay'];

/** The part of `fetch` the client uses: Node's global fetch and the browser's both fit. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

interface Sent {
  mock: MockName;
  method: string;
  /** the admin path as the mock knows it: `/__admin/faults` */
  path: string;
  status: number;
}
/** One admin call's outcome. */
export type Answer<T = unknown> = Sent &
  ({ ok: true; body: T; error?: undefined } | { ok: false; body: unknown; error: string });

export interface AdminClientOptions {
  /** each mock's admin base: `http://127.0.0.1:3101/__admin`, or the console's `/__console/api/insurance` */
  adminBase: Record<MockName, string>;
  fetch: FetchLike;
  /** per call; none by default */
  timeoutMs?: number;
  /** the error text when nothing answered (default: `<base> unreachable: <cause>`) */
  unreachable?: (base: string, err: unknown) => string;
}

/** The readable reason of a refused call. */
export function reason(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.code === 'string' || typeof b.message === 'string')
      return `HTTP ${status} ${[b.code, b.message].filter((x) => x !== undefined && x !== '').join(': ')}`;
  }
  const text = typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body)?.slice(0, 300);
  if (status === 404 && text === 'Not Found')
    return 'HTTP 404 Not Found (this mock has no such admin endpoint yet · 该模拟网关尚无此接口)';
  return `HTTP ${status} ${text ?? ''}`.trim();
}

function causeOf(err: unknown): string {
  if (err instanceof Error && err.cause instanceof Error) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Parses a JSON answer; text that is not JSON (Koa's "Not Found", an HTML page) stays text. */
function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One HTTP call of a mock, admin or not (`url` whole, `path` what to show). Never throws. */
export async function request<T>(
  fetchFn: FetchLike,
  sent: { mock: MockName; method: string; path: string; url: string; base: string },
  body?: unknown,
  opts: Pick<AdminClientOptions, 'timeoutMs' | 'unreachable'> = {},
): Promise<Answer<T>> {
  const head = { mock: sent.mock, method: sent.method, path: sent.path };
  try {
    const response = await fetchFn(sent.url, {
      method: sent.method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs),
    });
    const parsed = parse(await response.text());
    const status = response.status;
    if (status >= 200 && status < 300) return { ...head, status, ok: true, body: parsed as T };
    return { ...head, status, ok: false, body: parsed, error: reason(status, parsed) };
  } catch (err) {
    const error = opts.unreachable
      ? opts.unreachable(sent.base, err)
      : `${sent.base} unreachable: ${causeOf(err)}`;
    return { ...head, status: 0, ok: false, body: null, error };
  }
}

const seg = encodeURIComponent;

function query(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q) as [string, unknown][]) {
    if (v === undefined || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The typed admin API of the three mocks. */
export class AdminClient {
  /** called after every call (the console shows each answer; the CLI keeps them for --json) */
  onAnswer?: (answer: Answer, sentBody: unknown) => void;

  constructor(readonly options: AdminClientOptions) {}

  /** Any admin call: `path` below `/__admin`, starting with '/'. */
  async call<T = unknown>(mock: MockName, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const base = this.options.adminBase[mock].replace(/\/+$/, '');
    const answer = await request<T>(
      this.options.fetch,
      { mock, method, path: `/__admin${path}`, url: `${base}${path}`, base },
      body,
      this.options,
    );
    this.onAnswer?.(answer, body);
    return answer;
  }

  // ── every mock ──

  reset(mock: MockName) {
    return this.call<{ reset: true }>(mock, 'POST', '/reset', {});
  }

  scenarios(mock: MockName) {
    return this.call<ScenarioView[]>(mock, 'GET', '/scenarios');
  }
  globalScenario(mock: MockName) {
    return this.call<{ name: string | null }>(mock, 'GET', '/scenario');
  }
  /** the global scenario, or a session's when `session` is given; `null` clears it */
  setScenario(mock: MockName, name: string | null, session?: string) {
    const path = session ? `/sessions/${seg(session)}/scenario` : '/scenario';
    return this.call<{ name: string | null } | SessionView>(mock, 'PUT', path, { name });
  }
  sessions(mock: MockName) {
    return this.call<SessionList>(mock, 'GET', '/sessions');
  }
  session(mock: MockName, session: string) {
    return this.call<SessionView>(mock, 'GET', `/sessions/${seg(session)}`);
  }
  forgetSession(mock: MockName, session: string) {
    return this.call<null>(mock, 'DELETE', `/sessions/${seg(session)}`);
  }

  faults(mock: MockName) {
    return this.call<Fault[]>(mock, 'GET', '/faults');
  }
  addFault(mock: MockName, fault: FaultInput) {
    return this.call<Fault>(mock, 'POST', '/faults', fault);
  }
  clearFaults(mock: MockName) {
    return this.call<null>(mock, 'DELETE', '/faults');
  }
  removeFault(mock: MockName, id: number) {
    return this.call<null>(mock, 'DELETE', `/faults/${id}`);
  }

  journal(mock: MockName, search: JournalSearch = {}) {
    return this.call<JournalEntry[]>(mock, 'GET', `/journal${query(search)}`);
  }
  verify(mock: MockName, expectation: VerifyInput) {
    return this.call<Verification>(mock, 'POST', '/journal/verify', expectation);
  }

  clock(mock: MockName) {
    return this.call<ClockView>(mock, 'GET', '/clock');
  }
  moveClock(mock: MockName, move: ClockMove) {
    return this.call<ClockMoved>(mock, 'POST', '/clock', move);
  }

  // ── insurance ──

  persons() {
    return this.call<PersonView[]>('insurance', 'GET', '/persons');
  }
  person(psnNo: string) {
    return this.call<PersonView>('insurance', 'GET', `/persons/${seg(psnNo)}`);
  }
  addPerson(person: PersonInput) {
    return this.call<{ psnNo: string; authCode: string }>('insurance', 'POST', '/persons', person);
  }
  updatePerson(psnNo: string, patch: PersonPatch) {
    return this.call<PersonView>('insurance', 'PATCH', `/persons/${seg(psnNo)}`, patch);
  }
  catalogue() {
    return this.call<CatalogueItemView[]>('insurance', 'GET', '/catalogue');
  }

  // ── HIS ──

  patients() {
    return this.call<PatientView[]>('his', 'GET', '/patients');
  }
  addPatient(patient: PatientInput) {
    return this.call<{ patientId: string }>('his', 'POST', '/patients', patient);
  }
  bills(patientId?: string) {
    return this.call<BillView[]>('his', 'GET', `/bills${query({ patientId })}`);
  }
  addBill(bill: BillInput) {
    return this.call<{ billNo: string; amount: number }>('his', 'POST', '/bills', bill);
  }
  payAtWindow(billNo: string) {
    return this.call<BillView>('his', 'POST', `/bills/${seg(billNo)}/pay-at-window`, {});
  }
  sms(filter: { phone?: string; limit?: number } = {}) {
    return this.call<SmsView[]>('his', 'GET', `/sms${query(filter)}`);
  }

  // ── WeChat Pay ──

  confirmPayment(confirm: ConfirmInput) {
    return this.call<ConfirmAnswer>('wechatpay', 'POST', '/payments/confirm', confirm);
  }
  loginCode(openid?: string) {
    return this.call<{ code: string; openid: string }>(
      'wechatpay',
      'POST',
      '/login-codes',
      openid ? { openid } : {},
    );
  }
  notifications() {
    return this.call<NotificationView[]>('wechatpay', 'GET', '/notifications');
  }
  notification(id: string) {
    return this.call<NotificationDetail>('wechatpay', 'GET', `/notifications/${seg(id)}`);
  }
  replayNotification(id: string) {
    return this.call<Attempt>('wechatpay', 'POST', `/notifications/${seg(id)}/replay`, {});
  }
  sendCallback(send: CallbackSend) {
    return this.call<MerchantAnswer>('wechatpay', 'POST', '/callbacks/send', send);
  }
  setCallbackModes(modes: CallbackModes) {
    return this.call<CallbackModes>('wechatpay', 'POST', '/callbacks', modes);
  }
  subscribeMessages(touser?: string) {
    return this.call<SubscribeMessageView[]>('wechatpay', 'GET', `/messages${query({ touser })}`);
  }
  consent(openid: string, templateId: string, decision: ConsentDecision) {
    return this.call<{ openid: string; templateId: string; decision: ConsentDecision }>(
      'wechatpay',
      'POST',
      '/subscriptions',
      { openid, templateId, decision },
    );
  }
  rotateCertificates() {
    return this.call<Record<string, unknown>>('wechatpay', 'POST', '/certificates/rotate', {});
  }
}

/**
 * A replay or a custom callback: the admin call succeeds (200) whatever the merchant's server said; what counts
 * is the merchant's answer (`status`, `error`). Only a 2xx without error is accepted, so a 401 never reads as
 * "delivered".
 */
export function merchantAccepted(answer: MerchantAnswer): boolean {
  const status = answer.status;
  return typeof status === 'number' && status >= 200 && status < 300 && !answer.error;
}
