/** Chinese words for the console. Exhaustive records: a new kind, action or status fails the type check here. */
import type {
  ConsoleRole,
  ReconKind,
  ReconRowAction,
  ReconRunStatus,
  ReconSummary,
  RefundRequestStatus,
} from '../../../shared/api';
import { ApiError, headlineOf } from '../errors';
import { orderStatusLabel, type Tone } from '../labels';

export const ROLE_LABEL: Record<ConsoleRole, string> = { cashier: '收费员', supervisor: '主管' };

/**
 * Every kind in display order, with the ReconSummary field that counts it. `discrepancy`: needs a person (red
 * where money disagrees); MATCHED agrees and CUTOFF settles on the adjacent day, so neither is ever red.
 */
export const RECON_KIND: Record<
  ReconKind,
  { label: string; tone: Tone; summary: keyof ReconSummary; hint: string; discrepancy: boolean }
> = {
  MATCHED: { label: '已匹配', tone: 'success', summary: 'matched', hint: '三方一致', discrepancy: false },
  OVER: { label: '长款', tone: 'warning', summary: 'over', hint: '渠道有款，HIS 无', discrepancy: true },
  SHORT: { label: '短款', tone: 'danger', summary: 'short', hint: 'HIS 有，渠道无款', discrepancy: true },
  AMOUNT_MISMATCH: {
    label: '金额不符',
    tone: 'danger',
    summary: 'amountMismatch',
    hint: '各方金额不一致',
    discrepancy: true,
  },
  STATUS_MISMATCH: {
    label: '状态不符',
    tone: 'warning',
    summary: 'statusMismatch',
    hint: '各方状态不一致',
    discrepancy: true,
  },
  CUTOFF: { label: '跨日', tone: 'muted', summary: 'cutoff', hint: '跨零点，相邻日对平', discrepancy: false },
};

export const RECON_KINDS_IN_ORDER: ReconKind[] = [
  'MATCHED',
  'OVER',
  'SHORT',
  'AMOUNT_MISMATCH',
  'STATUS_MISMATCH',
  'CUTOFF',
];

export const RECON_ACTION: Record<ReconRowAction, { label: string; supervisorOnly: boolean }> = {
  resolve: { label: '标记已处理', supervisorOnly: false },
  'retry-his-confirm': { label: '重试HIS确认', supervisorOnly: false },
  'post-missing': { label: '补单', supervisorOnly: true },
  refund: { label: '退款', supervisorOnly: true },
};

export const RUN_STATUS: Record<ReconRunStatus, { label: string; tone: Tone }> = {
  RUNNING: { label: '对账中', tone: 'warning' },
  DONE: { label: '已完成', tone: 'success' },
  FAILED: { label: '失败', tone: 'danger' },
};

export const REFUND_REQUEST_STATUS: Record<RefundRequestStatus, { label: string; tone: Tone }> = {
  PENDING: { label: '待审核', tone: 'warning' },
  APPROVED: { label: '已同意', tone: 'success' },
  REJECTED: { label: '已拒绝', tone: 'muted' },
};

export const RECORD_LABEL: Record<'PAYMENT' | 'REFUND', string> = { PAYMENT: '支付', REFUND: '退款' };

const REFUND_STATUS: Record<string, { label: string; tone: Tone }> = {
  AWAITING_APPROVAL: { label: '待主管审批', tone: 'warning' },
  REJECTED: { label: '主管未批准', tone: 'muted' },
  REQUESTED: { label: '已申请', tone: 'info' },
  PROCESSING: { label: '退款中', tone: 'warning' },
  SUCCEEDED: { label: '退款成功', tone: 'success' },
  FAILED: { label: '退款失败', tone: 'danger' },
  PENDING: { label: '处理中', tone: 'warning' },
};
export const refundStatus = (status: string) =>
  REFUND_STATUS[status] ?? { label: status, tone: 'info' as Tone };

/** Our status of a reconciled record: an order's for a payment, a refund's for a refund. */
export const recordStatusLabel = (record: 'PAYMENT' | 'REFUND', status: string) =>
  record === 'REFUND' ? refundStatus(status).label : orderStatusLabel(status);

/** The outbox's job kinds and states as the order page shows them. */
export const OUTBOX_KIND: Record<string, string> = {
  confirm_payment: '确认支付',
  his_confirm: 'HIS 确认收费',
  release: '释放账单',
  refund_leg: '退款',
  late_payment_return: '退回迟到付款',
  sms_send: '发送短信',
};
export const outboxKindLabel = (kind: string) => OUTBOX_KIND[kind] ?? kind;
export const OUTBOX_STATUS: Record<string, { label: string; tone: Tone }> = {
  PENDING: { label: '待执行', tone: 'warning' },
  DONE: { label: '已完成', tone: 'success' },
  SUCCEEDED: { label: '已完成', tone: 'success' },
  FAILED: { label: '失败', tone: 'danger' },
  DEAD: { label: '已放弃', tone: 'danger' },
};

const LEG_KIND: Record<string, string> = { cash: '自费（微信）', insurance: '医保', his: 'HIS' };
export const legKindLabel = (kind: string) => LEG_KIND[kind] ?? kind;

export const LEDGER_KIND: Record<string, string> = { settlement: '收费', refund: '退款' };
export const LEDGER_ACCOUNT: Record<string, string> = {
  insurance_fund_receivable: '应收医保统筹',
  insurance_account_receivable: '应收个人账户',
  wechatpay_clearing: '微信支付待清算',
  patient_charges: '患者费用',
};

/** The server's words for an order's state changes (transitionOrder reasons), known ones in Chinese. */
const EVENT_REASON: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^checkout$/, () => '患者下单'],
  [/^pre-settled$/, () => '医保预结算完成'],
  [/^payment started$/, () => '患者发起支付'],
  [/^payment confirmed$/, () => '支付成功'],
  [/^HIS charge confirmed$/, () => '医院已确认收费'],
  [/^checkout abandoned$/, () => '下单后未支付，已关闭'],
  [/^checkout failed: (.*)$/s, (m) => `下单失败：${m[1]}`],
  [/^outcome unknown: (.*)$/s, (m) => `支付结果未知：${m[1]}`],
  [/^query: (.*)$/, (m) => `巡检查询支付结果：${m[1]}`],
  [/^refund requested: (.*)$/s, (m) => `发起退款：${m[1]}`],
  [/^refund approved: (.*)$/s, (m) => `主管批准退款：${m[1]}`],
  [/^refund (\S+) succeeded$/, (m) => `退款 ${m[1]} 成功`],
  [/^late payment returned: (.*)$/s, () => '迟到的付款已退回'],
  [/^med-ins order failed/, () => '医保支付未成功'],
];
export function eventReasonLabel(reason: string): string {
  for (const [pattern, say] of EVENT_REASON) {
    const m = pattern.exec(reason);
    if (m) return say(m);
  }
  return reason;
}

/** Audit actions by name (server/…: recordAudit); the sentence beside it says the rest. */
const AUDIT_ACTION: Record<string, string> = {
  'console.login': '登录',
  'console.login_failed': '登录失败',
  'console.login_refused_locked': '锁定中拒绝登录',
  'console.locked': '地址锁定',
  'console.login_refused_throttled': '等待中拒绝登录',
  'console.login_refused_disabled': '已停用拒绝登录',
  'console.unlocked': '解除锁定',
  'console.user_disabled': '停用用户',
  'console.user_enabled': '启用用户',
  'console.password_reset': '重置密码',
  'console.password_changed': '修改密码',
  'console.totp_reenrolled': '重新绑定验证器',
  'console.logout': '退出登录',
  'console.user_created': '创建用户',
  'console.user_create': '创建用户',
  'order.refund': '订单退款',
  'reconciliation.run': '对账',
  'reconciliation.export': '导出对账明细',
  'recon_row.resolve': '差异标记已处理',
  'recon_row.retry_his_confirm': '差异重试HIS确认',
  'recon_row.post_missing': '差异补单',
  'recon_row.refund': '差异退款',
  'recon_row.return_late_payment': '退回迟到付款',
  'day.close': '日结',
  'refund_request.approve': '同意退款申请',
  'refund_request.reject': '拒绝退款申请',
};
export const auditActionLabel = (action: string) => AUDIT_ACTION[action] ?? '其他操作';

/** Headlines for the console's own codes; anything else falls back to the patient app's words. */
const CONSOLE_HEADLINES: Record<string, string> = {
  CONSOLE_LOGIN_FAILED: '用户名、密码或动态码不正确',
  ACCOUNT_LOCKED: '账号已锁定',
  UNAUTHENTICATED: '登录已失效，请重新登录',
  FORBIDDEN: '权限不足（需要主管）',
  NOT_FOUND: '未找到',
  REFUND_EXCEEDS_PAID: '退款金额超过可退金额',
  REFUND_NOT_ALLOWED: '该订单当前不能退款',
  DAY_CLOSED: '该日已日结',
  DAY_NOT_RECONCILED: '该日尚未完成对账',
  RECON_OPEN_DISCREPANCIES: '仍有未处理的差异',
  RECON_SOURCE_NOT_READY: '对账数据尚未就绪',
  RECON_ACTION_NOT_ALLOWED: '该差异当前不能这样处理',
  REFUND_REQUEST_PENDING: '该订单已有待审核的退款申请',
  REFUND_REQUEST_DECIDED: '该申请已处理',
  USERNAME_TAKEN: '用户名已存在',
  LOGIN_THROTTLED: '请稍候再试',
  ACCOUNT_DISABLED: '账号已停用',
  PASSWORD_CHANGE_REQUIRED: '请先修改密码',
  CURRENT_PASSWORD_WRONG: '当前密码不正确',
  CONSOLE_USER_NOT_FOUND: '未找到该用户',
  LAST_SUPERVISOR: '不能停用最后一个主管',
  CONCURRENT_REQUEST: '其他人刚处理过，请刷新后再看',
};

export function consoleHeadline(error: unknown): string {
  if (error instanceof ApiError && CONSOLE_HEADLINES[error.code]) return CONSOLE_HEADLINES[error.code];
  if (error instanceof ApiError && error.status === 409) return '操作与当前状态冲突';
  return headlineOf(error);
}
