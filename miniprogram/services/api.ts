/**
 * The one API client (DESIGN 13). Base URL: same origin `/api/v1` on H5 (the server serves the H5 build),
 * `TARO_APP_API_BASE` + `/api/v1` on weapp. Sends the session token, times out after 10 s, turns every failure
 * into an ApiError carrying the server's `{code, message}`, and sends the patient to login on a 401.
 * On H5 Taro.request is fetch: a 4xx/5xx RESOLVES, so the status code is checked here, always.
 */
import Taro from '@tarojs/taro';
import type {
  BillView,
  BindPatientRequest,
  ClientConfigView,
  CreateOrderRequest,
  InsuranceAuthorizationView,
  OrderView,
  OrdersQuery,
  PatientView,
  PaymentView,
  RefundRequestView,
  StepUpView,
  VerificationView,
} from '../../shared/api';
import { ApiError, apiErrorFromBody } from './errors';
import { PAGES, pageUrl, queryString } from './routes';
import { getDeviceId, getToken, setAfterLogin, setToken } from './storage';

export const REQUEST_TIMEOUT_MS = 10_000;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** JSON as it comes: an object or an array (typed per call below) */
type Body = Record<string, unknown>;

interface RequestOptions {
  data?: object;
  headers?: Record<string, string>;
  /** false: no token sent and a 401 is just an error (login itself, client config) */
  auth?: boolean;
}

export function apiBase(): string {
  if (process.env.TARO_ENV === 'weapp') {
    const origin = (process.env.TARO_APP_API_BASE ?? '').replace(/\/+$/, '');
    return `${origin}/api/v1`;
  }
  return '/api/v1';
}

let redirectingToLogin = false;

/** Remembers where the patient was, forgets the dead session and opens the login page (once). */
function sendToLogin(): void {
  setToken(undefined);
  if (redirectingToLogin) return;
  const router = Taro.getCurrentInstance().router;
  const path = router?.path?.split('?')[0];
  if (path && path !== PAGES.login) {
    const params = Object.fromEntries(
      Object.entries(router?.params ?? {}).filter(
        ([k, v]) => v !== undefined && k !== 'stamp' && !k.startsWith('$'),
      ),
    );
    const qs = queryString(params);
    setAfterLogin(qs ? `${path}?${qs}` : path);
  }
  redirectingToLogin = true;
  setTimeout(() => (redirectingToLogin = false), 1000);
  void Taro.reLaunch({ url: pageUrl('login') });
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const auth = options.auth !== false;
  const header: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.data !== undefined) header['Content-Type'] = 'application/json';
  const token = auth ? getToken() : undefined;
  if (token) header.Authorization = `Bearer ${token}`;
  if (auth) header['X-Device-Id'] = getDeviceId();

  let response: Taro.request.SuccessCallbackResult<Body>;
  try {
    response = await Taro.request<Body>({
      url: `${apiBase()}${path}`,
      method,
      data: options.data,
      header,
      timeout: REQUEST_TIMEOUT_MS,
      dataType: 'json',
    });
  } catch (err) {
    const text = String(
      (err as { errMsg?: string; message?: string })?.errMsg ?? (err as Error)?.message ?? err,
    );
    if (/timeout|abort/i.test(text)) throw new ApiError('TIMEOUT', '请求超时（10 秒），请检查网络后重试', 0);
    // the platform's own words (English, e.g. "request:fail") stay in the console log, out of the patient's sight
    console.warn('request failed', text);
    throw new ApiError('NETWORK', '无法连接服务器，请检查网络后重试', 0);
  }

  const status = response.statusCode;
  if (status >= 200 && status < 300) return response.data as T;
  const error = apiErrorFromBody(status, response.data);
  if (status === 401 && auth) sendToLogin();
  throw error;
}

/** Runtime settings the server hands out (no login needed). */
export type ClientConfig = ClientConfigView;

export const api = {
  clientConfig: () => request<ClientConfig>('GET', '/client-config', { auth: false }),
  login: (code: string) => request<{ token: string }>('POST', '/session', { data: { code }, auth: false }),

  patients: () => request<PatientView[]>('GET', '/patients'),
  /** 202: a code is texted to the phone the hospital holds; the card exists once verifyBinding takes it */
  bindPatient: (body: BindPatientRequest) => request<VerificationView>('POST', '/patients', { data: body }),
  verifyBinding: (verificationId: string, code: string) =>
    request<PatientView>('POST', `/patients/verifications/${encodeURIComponent(verificationId)}`, {
      data: { code },
    }),
  /** takes the card out of this WeChat user's lists (the hospital keeps its history) */
  unbindPatient: (patientId: string) =>
    request<undefined>('DELETE', `/patients/${encodeURIComponent(patientId)}`),
  authorizeInsurance: (patientId: string, authCode: string) =>
    request<InsuranceAuthorizationView>(
      'POST',
      `/patients/${encodeURIComponent(patientId)}/insurance-authorizations`,
      { data: { authCode } },
    ),
  bills: (patientId: string) =>
    request<BillView[]>('GET', `/patients/${encodeURIComponent(patientId)}/bills`),

  /** `idempotencyKey`: one per checkout attempt, the same on every retry (services/idempotency). */
  createOrder: (body: CreateOrderRequest, idempotencyKey: string) =>
    request<OrderView>('POST', '/orders', { data: body, headers: { 'Idempotency-Key': idempotencyKey } }),
  startPayment: (orderId: string) =>
    request<PaymentView>('POST', `/orders/${encodeURIComponent(orderId)}/payments`),
  order: (orderId: string) => request<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`),
  /** newest first; optionally of one card, one status group, one month (yyyy-MM) */
  orders: (query: OrdersQuery = {}) => {
    const qs = queryString(query);
    return request<OrderView[]>('GET', qs ? `/orders?${qs}` : '/orders');
  },
  /** The patient asks the hospital for a refund (no amount = the rest); a cashier approves or rejects it. */
  requestRefund: (orderId: string, body: { amount?: number; reason: string }) =>
    request<RefundRequestView>('POST', `/orders/${encodeURIComponent(orderId)}/refund-requests`, {
      data: body,
    }),
  /** 202: the risk rules asked to prove the card; a code is texted to the phone the hospital holds */
  startStepUp: (orderId: string) =>
    request<StepUpView>('POST', `/orders/${encodeURIComponent(orderId)}/step-up`),
  verifyStepUp: (orderId: string, stepUpId: string, code: string) =>
    request<OrderView>(
      'POST',
      `/orders/${encodeURIComponent(orderId)}/step-up/${encodeURIComponent(stepUpId)}`,
      { data: { code } },
    ),
  cancelOrder: (orderId: string) =>
    request<{ status: OrderView['status'] }>('POST', `/orders/${encodeURIComponent(orderId)}/cancel`),
};

export type Api = typeof api;
