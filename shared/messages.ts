import type { OrderStatusName, RefundStatusName } from './api';
import type { ErrorCode } from './errors';

/**
 * The one zh-CN catalogue: for every error code of our API, a short plain sentence saying what happened and
 * what to do. The API's `message` is this text, or a Chinese sentence a service chose for specifics
 * ("还可以再试 4 次"); English and internal detail go to the logs only.
 */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: '填写的信息有误，请检查后重新提交。',
  INVALID_ID: '链接或编号有误，请返回重新打开。',
  IDEMPOTENCY_KEY_REQUIRED: '请求缺少防重复标识，请刷新后重试。',
  UNAUTHENTICATED: '登录已失效，请重新登录。',
  INVALID_LOGIN_CODE: '微信登录未成功，请重新打开小程序再试。',
  CONSOLE_LOGIN_FAILED: '用户名或密码不正确，请重新输入。',
  FORBIDDEN: '您没有进行此操作的权限，请联系主管。',
  NOT_FOUND: '没有找到要访问的内容，请返回重试。',
  METHOD_NOT_ALLOWED: '不支持这种操作，请返回重试。',
  PATIENT_NOT_FOUND: '医院没有找到这位就诊人，请核对姓名和证件号码。',
  BILL_NOT_FOUND: '没有找到这张待缴账单，请刷新账单列表。',
  ORDER_NOT_FOUND: '没有找到这笔订单，请返回订单列表。',
  PATIENT_ALREADY_BOUND: '这张就诊卡已经绑定过了，无需重复绑定。',
  BILL_NOT_PAYABLE: '这张账单暂时不能支付，请刷新后再试或咨询收费窗口。',
  ORDER_STATE_CONFLICT: '订单状态已经变化，请刷新后查看。',
  CONCURRENT_REQUEST: '这笔订单正在处理中，请稍候刷新。',
  REFUND_NOT_ALLOWED: '这笔订单当前不能退款。',
  DAY_CLOSED: '这一天已经日结，记录不能再修改。',
  DAY_NOT_RECONCILED: '这一天还没有完成对账，请先对账。',
  DAY_NOT_OVER: '这一天还没有结束（北京时间），请在次日 00:00 之后再日结。',
  RECON_OPEN_DISCREPANCIES: '还有未处理的对账差异，请处理后再日结。',
  RECON_SOURCE_NOT_READY: '对账单还没有准备好，请稍后再试。',
  RECON_ACTION_NOT_ALLOWED: '这条对账记录现在不能这样处理，请刷新后查看。',
  REFUND_REQUEST_PENDING: '这笔订单已有退款申请在等待处理，请耐心等候。',
  USERNAME_TAKEN: '这个用户名已被使用，请换一个。',
  IDEMPOTENCY_KEY_REUSED: '重复提交的内容与上次不同，请刷新后重新操作。',
  INSURANCE_NOT_AUTHORIZED: '还没有完成医保授权，请先授权或选择自费支付。',
  INSURANCE_INELIGIBLE: '暂时不能使用医保支付，请选择自费支付。',
  INSURANCE_REJECTED: '医保结算未通过，请选择自费支付或咨询医保窗口。',
  AUTH_CODE_INVALID: '医保授权已失效，请重新授权。',
  REFUND_EXCEEDS_PAID: '退款金额超过了可退金额，请修改金额。',
  PAYLOAD_TOO_LARGE: '提交的内容太多，请精简后重试。',
  ACCOUNT_LOCKED: '账号已被暂时锁定，请稍后再试。',
  UNSUPPORTED_MEDIA_TYPE: '提交的格式不正确，请刷新后重试。',
  RATE_LIMITED: '操作太频繁，请稍后再试。',
  UPSTREAM_UNAVAILABLE: '医院或医保系统暂时无法访问，请稍后再试。',
  OVERLOADED: '当前使用的人较多，请过几秒再试。',
  UPSTREAM_TIMEOUT: '医院或医保系统响应超时，结果会自动核实，请稍后刷新查看。',
  INTERNAL: '系统繁忙，请稍后再试。',
  REFUND_REQUEST_DECIDED: '这条退款申请已经处理过了，请刷新后查看。',
  LOGIN_THROTTLED: '登录失败次数过多，请稍后再试。',
  ACCOUNT_DISABLED: '该账号已被停用，请联系主管。',
  PASSWORD_CHANGE_REQUIRED: '密码已被主管重置，请先修改密码。',
  CURRENT_PASSWORD_WRONG: '当前密码不正确，请重新输入。',
  CONSOLE_USER_NOT_FOUND: '没有这个后台用户。',
  LAST_SUPERVISOR: '至少要保留一位启用中的主管。',
  VERIFICATION_CODE_INVALID: '验证码不正确，请重新输入。',
  VERIFICATION_EXPIRED: '验证码已失效，请重新获取。',
  VERIFICATION_RATE_LIMITED: '获取验证码太频繁，请稍后再试。',
  RISK_BLOCKED: '为保障您的账户安全，此操作暂时无法进行，请到医院收费窗口咨询。',
  RISK_REVIEW: '这笔订单需要收费员人工审核，审核通过后才能支付，请稍候或到收费窗口咨询。',
  RISK_STEP_UP: '为保障您的账户安全，请重新验证就诊人身份（短信验证码）后再试。',
};

/** An ASCII word of 3+ letters: English (or a code) that must not reach a patient or a cashier. */
const ENGLISH_WORD = /[A-Za-z]{3,}/;

export function hasEnglishWord(text: string): boolean {
  return ENGLISH_WORD.test(text);
}

/** The catalogue sentence for a code; codes outside the catalogue get the generic sentence. */
export function catalogueMessage(code: string): string {
  return (ERROR_MESSAGES as Record<string, string>)[code] ?? ERROR_MESSAGES.INTERNAL;
}

/** An order's status as a patient or cashier reads it in a message. */
export const ORDER_STATUS_ZH: Record<OrderStatusName, string> = {
  CREATED: '已创建',
  PRESETTLED: '待支付',
  AWAITING_PAYMENT: '支付中',
  UNKNOWN: '支付结果确认中',
  PAID: '已支付',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  EXPIRED: '已过期',
  PAYMENT_FAILED: '支付失败',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
  PARTIALLY_REFUNDED: '部分退款',
};

export function orderStatusZh(status: OrderStatusName): string {
  return ORDER_STATUS_ZH[status];
}

/** A refund's status as a cashier reads it in a message or a reconciliation note. */
export const REFUND_STATUS_ZH: Record<RefundStatusName, string> = {
  AWAITING_APPROVAL: '待主管审批',
  REJECTED: '主管未批准',
  REQUESTED: '已申请',
  PROCESSING: '退款中',
  SUCCEEDED: '退款成功',
  FAILED: '退款失败',
};
