/**
 * The console's API client (DESIGN 13, Cashier API). H5 only, so it speaks `fetch` directly: it needs the
 * `X-Next-Cursor` header of paged lists and the raw body of the CSV export. Sends the console token from
 * storage, times out, turns every failure into an ApiError with the server's `{code, message}`, and on a 401
 * forgets the session and opens the console login page (remembering where the cashier was).
 */
import Taro from '@tarojs/taro';
import type {
  AuditEntryView,
  ChangeConsolePasswordRequest,
  ConsoleEnrolmentView,
  ConsolePasswordResetView,
  ConsoleUnlockView,
  ConsoleUserListItem,
  ConsoleOrderDetail,
  ConsoleOrderSummary,
  ConsoleSessionRequest,
  ConsoleSessionView,
  ConsoleUserView,
  CreateConsoleUserRequest,
  DailyCloseView,
  OpsRetryView,
  OpsSummaryView,
  OrderStatusName,
  PostMissingPreview,
  RefundCreatedView,
  RefundPreviewView,
  RefundRequestStatus,
  RefundRequestView,
  RiskBlockView,
  RiskDecisionName,
  RiskEventView,
  RiskReviewDecisionView,
  RiskReviewView,
  RiskRuleStatView,
  RefundView,
  ReconKind,
  ReconRowView,
  ReconRunView,
} from '../../../shared/api';
import { ApiError, apiErrorFromBody } from '../errors';
import { queryString } from '../routes';
import { CONSOLE_PAGES, consoleUrl } from './routes';
import { getConsoleSession, setConsoleAfterLogin, setConsoleSession } from './session';

export const CONSOLE_API_BASE = '/api/v1/console';
export const CONSOLE_TIMEOUT_MS = 15_000;
/** rows per page of the lists the console pages through */
export const CONSOLE_PAGE_SIZE = 50;

/** One page of a list and the cursor of the next (absent: this was the last page). */
export interface Paged<T> {
  items: T[];
  nextCursor?: string;
}

/** The order detail as the console page reads it. */
export type ConsoleOrderDetailView = ConsoleOrderDetail;

export interface OrdersQuery {
  date: string;
  status?: OrderStatusName;
  cursor?: string;
  limit?: number;
}

export interface RowsQuery {
  kind?: ReconKind;
  discrepancies?: boolean;
  resolved?: boolean;
  cursor?: string;
  limit?: number;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Params = Record<string, string | number | boolean | undefined>;

interface SendOptions {
  query?: Params;
  body?: object;
  /** false: no token, and a 401 is an ordinary error (the login itself) */
  auth?: boolean;
  /** this token rather than the stored session's (a 401 is then an ordinary error too) */
  token?: string;
  accept?: string;
}

let redirecting = false;

/** The session is gone: forget it, remember this page, open the console login (once for a burst of 401s). */
export function sendToConsoleLogin(): void {
  setConsoleSession(undefined);
  if (redirecting) return;
  const router = Taro.getCurrentInstance().router;
  const path = router?.path?.split('?')[0];
  if (path && path !== CONSOLE_PAGES.login && path.startsWith('/pages/console/')) {
    const params = Object.fromEntries(
      Object.entries(router?.params ?? {}).filter(
        ([k, v]) => v !== undefined && k !== 'stamp' && !k.startsWith('$'),
      ),
    );
    const qs = queryString(params);
    setConsoleAfterLogin(qs ? `${path}?${qs}` : path);
  }
  redirecting = true;
  setTimeout(() => (redirecting = false), 1000);
  void Taro.reLaunch({ url: consoleUrl('login') });
}

function urlOf(path: string, query?: Params): string {
  const qs = queryString(
    Object.fromEntries(
      Object.entries(query ?? {}).map(([k, v]) => [k, v === undefined ? undefined : String(v)]),
    ),
  );
  return `${CONSOLE_API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

async function send(method: Method, path: string, options: SendOptions = {}): Promise<Response> {
  const auth = options.auth !== false && options.token === undefined;
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = options.token ?? (auth ? getConsoleSession()?.token : undefined);
  if (token) headers.Authorization = `Bearer ${token}`;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CONSOLE_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
    });
  } catch (err) {
    if (controller.signal.aborted)
      throw new ApiError('TIMEOUT', `请求超时（${CONSOLE_TIMEOUT_MS / 1000} 秒），请重试`, 0);
    throw new ApiError(
      'NETWORK',
      `无法连接服务器，请检查网络后重试（${String((err as Error)?.message ?? err)}）`,
      0,
    );
  } finally {
    clearTimeout(timer);
  }
  if (response.ok) return response;

  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = apiErrorFromBody(response.status, body);
  if (response.status === 401 && auth) sendToConsoleLogin();
  throw error;
}

async function json<T>(method: Method, path: string, options?: SendOptions): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(
      'BAD_RESPONSE',
      `服务器返回了无法识别的应答（HTTP ${response.status}）`,
      response.status,
    );
  }
}

async function paged<T>(path: string, query: Params): Promise<Paged<T>> {
  const response = await send('GET', path, { query });
  const items = (await response.json()) as T[];
  const nextCursor = response.headers.get('X-Next-Cursor') ?? undefined;
  return { items, nextCursor: nextCursor || undefined };
}

/** `attachment; filename="a.csv"` or `filename*=UTF-8''…` → the name; undefined when there is none. */
export function filenameOf(contentDisposition: string | null): string | undefined {
  if (!contentDisposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(contentDisposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(contentDisposition);
  return plain ? plain[1].trim() : undefined;
}

const id = encodeURIComponent;

export const consoleApi = {
  login: (body: ConsoleSessionRequest) => json<ConsoleSessionView>('POST', '/session', { body, auth: false }),
  logout: () => json<void>('DELETE', '/session'),
  whoami: () => json<ConsoleUserView>('GET', '/session'),

  orders: (q: OrdersQuery) =>
    paged<ConsoleOrderSummary>('/orders', { limit: CONSOLE_PAGE_SIZE, ...q } as Params),
  order: (orderId: string) => json<ConsoleOrderDetailView>('GET', `/orders/${id(orderId)}`),
  refundOrder: (orderId: string, body: { amount?: number; reason: string }) =>
    json<RefundCreatedView>('POST', `/orders/${id(orderId)}/refunds`, { body }),
  /** what 确认退款 would give back by leg; nothing is written */
  previewRefund: (orderId: string, body: { amount?: number; reason: string }) =>
    json<RefundPreviewView>('POST', `/orders/${id(orderId)}/refunds/preview`, { body }),
  refund: (refundId: string) => json<RefundView>('GET', `/refunds/${id(refundId)}`),
  /** four eyes: a supervisor starts a cashier's large refund, or turns it down with a reason */
  approveRefund: (refundId: string) => json<RefundCreatedView>('POST', `/refunds/${id(refundId)}/approve`),
  rejectRefund: (refundId: string, reason: string) =>
    json<RefundCreatedView>('POST', `/refunds/${id(refundId)}/reject`, { body: { reason } }),

  audit: (limit: number) => json<AuditEntryView[]>('GET', '/audit', { query: { limit } }),

  runReconciliation: (date: string) => json<ReconRunView>('POST', '/reconciliations', { body: { date } }),
  reconciliations: (q: { date?: string; limit?: number }) =>
    json<ReconRunView[]>('GET', '/reconciliations', { query: q }),
  reconciliation: (runId: string) => json<ReconRunView>('GET', `/reconciliations/${id(runId)}`),
  reconRows: (runId: string, q: RowsQuery) =>
    paged<ReconRowView>(`/reconciliations/${id(runId)}/rows`, { limit: CONSOLE_PAGE_SIZE, ...q } as Params),
  /** the rows as the server's CSV file, and the name it suggests */
  reconRowsCsv: async (runId: string, q: Pick<RowsQuery, 'kind' | 'discrepancies' | 'resolved'>) => {
    const response = await send('GET', `/reconciliations/${id(runId)}/rows.csv`, {
      query: q as Params,
      accept: 'text/csv',
    });
    return { blob: await response.blob(), filename: filenameOf(response.headers.get('Content-Disposition')) };
  },
  resolveRow: (rowId: string, reason: string) =>
    json<ReconRowView>('POST', `/reconciliation-rows/${id(rowId)}/resolve`, { body: { reason } }),
  retryHisConfirm: (rowId: string) =>
    json<ReconRowView>('POST', `/reconciliation-rows/${id(rowId)}/retry-his-confirm`, { body: {} }),
  postMissingPreview: (rowId: string) =>
    json<PostMissingPreview>('GET', `/reconciliation-rows/${id(rowId)}/post-missing`),
  postMissing: (rowId: string, reason: string) =>
    json<ReconRowView>('POST', `/reconciliation-rows/${id(rowId)}/post-missing`, { body: { reason } }),
  refundRow: (rowId: string, body: { amount?: number; reason: string }) =>
    json<ReconRowView>('POST', `/reconciliation-rows/${id(rowId)}/refund`, { body }),

  dailyClose: (date: string) => json<DailyCloseView>('POST', '/daily-closes', { body: { date } }),
  dailyCloses: (limit: number) => json<DailyCloseView[]>('GET', '/daily-closes', { query: { limit } }),

  users: () => json<ConsoleUserListItem[]>('GET', '/users'),
  createUser: (body: CreateConsoleUserRequest) => json<ConsoleEnrolmentView>('POST', '/users', { body }),
  disableUser: (userId: string) =>
    json<ConsoleUserListItem>('POST', `/users/${id(userId)}/disable`, { body: {} }),
  enableUser: (userId: string) =>
    json<ConsoleUserListItem>('POST', `/users/${id(userId)}/enable`, { body: {} }),
  resetPassword: (userId: string) =>
    json<ConsolePasswordResetView>('POST', `/users/${id(userId)}/password-reset`, { body: {} }),
  reenrolTotp: (userId: string) =>
    json<ConsoleEnrolmentView>('POST', `/users/${id(userId)}/totp`, { body: {} }),
  unlockUser: (userId: string) =>
    json<ConsoleUnlockView>('POST', `/users/${id(userId)}/unlock`, { body: {} }),
  /**
   * The caller's own password; `token` for the session a login just gave (after a supervisor's reset it is not
   * stored until the password is changed). Answers a new session: every other one has ended.
   */
  changePassword: (body: ChangeConsolePasswordRequest, token?: string) =>
    json<ConsoleSessionView>('POST', '/session/password', { body, token }),

  refundRequests: (status?: RefundRequestStatus) =>
    json<RefundRequestView[]>('GET', '/refund-requests', { query: { status } }),
  approveRefundRequest: (requestId: string) =>
    json<RefundRequestView>('POST', `/refund-requests/${id(requestId)}/approve`, { body: {} }),
  rejectRefundRequest: (requestId: string, reason: string) =>
    json<RefundRequestView>('POST', `/refund-requests/${id(requestId)}/reject`, { body: { reason } }),

  // the risk rules (issue 13): held orders, decisions, rule hit counts, blocks (supervisors)
  riskReviews: () => json<RiskReviewView[]>('GET', '/risk/reviews'),
  approveRiskReview: (orderId: string) =>
    json<RiskReviewDecisionView>('POST', `/risk/reviews/${id(orderId)}/approve`, { body: {} }),
  rejectRiskReview: (orderId: string, reason: string) =>
    json<RiskReviewDecisionView>('POST', `/risk/reviews/${id(orderId)}/reject`, { body: { reason } }),
  riskEvents: (query: { userId?: string; decision?: RiskDecisionName; cursor?: string } = {}) =>
    paged<RiskEventView>('/risk/events', { ...query, limit: CONSOLE_PAGE_SIZE }),
  riskRules: () => json<RiskRuleStatView[]>('GET', '/risk/rules'),
  riskBlocks: () => json<RiskBlockView[]>('GET', '/risk/blocks'),
  blockRiskUser: (openid: string, reason: string) =>
    json<RiskBlockView>('POST', '/risk/blocks', { body: { openid, reason } }),
  unblockRiskUser: (openid: string) => json<undefined>('DELETE', `/risk/blocks/${id(openid)}`),

  // the operations page (supervisors): payments, outside parties, DEAD jobs, risk hits; a DEAD job requeued
  ops: () => json<OpsSummaryView>('GET', '/ops'),
  retryDeadJob: (jobId: string) =>
    json<OpsRetryView>('POST', `/ops/dead-jobs/${id(jobId)}/retry`, { body: {} }),
};
