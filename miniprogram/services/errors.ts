/** The error every API call rejects with: the server's `{code, message}` (or a client-side code). */
import type { ApiErrorBody } from '../../shared/errors';

export class ApiError extends Error {
  readonly code: string;
  /** HTTP status; 0 when no answer came back */
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }

  /** The server said no for good: repeating the same request gets the same answer. */
  get isRefusal(): boolean {
    return this.status >= 400 && this.status < 500 && ![401, 408, 409, 429].includes(this.status);
  }
}

export function apiErrorFromBody(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as Partial<ApiErrorBody>;
  if (typeof b.code === 'string' && typeof b.message === 'string')
    return new ApiError(b.code, b.message, status);
  return new ApiError('BAD_RESPONSE', `服务器返回了无法识别的应答（${status}）`, status);
}

/** A Chinese headline for a code; the server's own message is always shown beneath it. */
const HEADLINES: Record<string, string> = {
  NETWORK: '网络连接失败',
  TIMEOUT: '请求超时',
  BAD_RESPONSE: '服务器应答异常',
  VALIDATION_FAILED: '填写的信息有误',
  UNAUTHENTICATED: '登录已失效，请重新登录',
  INVALID_LOGIN_CODE: '登录失败，请重试',
  PATIENT_NOT_FOUND: '未找到就诊人',
  BILL_NOT_FOUND: '未找到该账单',
  ORDER_NOT_FOUND: '未找到该订单',
  PATIENT_ALREADY_BOUND: '该就诊卡已绑定',
  BILL_NOT_PAYABLE: '该账单暂不能支付',
  ORDER_STATE_CONFLICT: '订单状态已变化',
  CONCURRENT_REQUEST: '请求处理中，请稍候',
  IDEMPOTENCY_KEY_REUSED: '重复的请求',
  INSURANCE_NOT_AUTHORIZED: '尚未完成医保授权',
  INSURANCE_INELIGIBLE: '暂不能使用医保支付',
  INSURANCE_REJECTED: '医保结算未通过',
  AUTH_CODE_INVALID: '医保授权未通过',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  UPSTREAM_UNAVAILABLE: '医院或医保系统暂时不可用',
  UPSTREAM_TIMEOUT: '医院或医保系统响应超时',
  INTERNAL: '系统繁忙',
};

export function headlineOf(error: unknown): string {
  if (error instanceof ApiError) return HEADLINES[error.code] ?? '操作失败';
  return '操作失败';
}

/**
 * Headline and message on one line, without saying the same thing twice: a message that already contains its
 * headline (the server's catalogue sentences often do) stands alone.
 */
export function noticeOf(error: unknown): string {
  const headline = headlineOf(error);
  const message = messageOf(error);
  return message.includes(headline) ? message : `${headline}：${message}`;
}

/** The code, for support only: shown small and muted as "错误编号 CODE", never in the sentence itself. */
export function supportRefOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.status === 0) return undefined;
  return `错误编号 ${error.code}`;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
