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
import type { Tone } from '../labels';

export const ROLE_LABEL: Record<ConsoleRole, string> = { cashier: '收费员', supervisor: '主管' };

/** Every kind in display order, with the ReconSummary field that counts it. */
export const RECON_KIND: Record<
  ReconKind,
  { label: string; tone: Tone; summary: keyof ReconSummary; hint: string }
> = {
  MATCHED: { label: '已匹配', tone: 'success', summary: 'matched', hint: '三方一致' },
  OVER: { label: '长款', tone: 'warning', summary: 'over', hint: '渠道有款，HIS 无' },
  SHORT: { label: '短款', tone: 'danger', summary: 'short', hint: 'HIS 有，渠道无款' },
  AMOUNT_MISMATCH: { label: '金额不符', tone: 'danger', summary: 'amountMismatch', hint: '各方金额不一致' },
  STATUS_MISMATCH: { label: '状态不符', tone: 'warning', summary: 'statusMismatch', hint: '各方状态不一致' },
  CUTOFF: { label: '跨日', tone: 'info', summary: 'cutoff', hint: '跨零点，相邻日对平' },
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
  REQUESTED: { label: '已申请', tone: 'info' },
  PROCESSING: { label: '退款中', tone: 'warning' },
  SUCCEEDED: { label: '退款成功', tone: 'success' },
  FAILED: { label: '退款失败', tone: 'danger' },
  PENDING: { label: '处理中', tone: 'warning' },
};
export const refundStatus = (status: string) =>
  REFUND_STATUS[status] ?? { label: status, tone: 'info' as Tone };

const LEG_KIND: Record<string, string> = { cash: '自费（微信）', insurance: '医保', his: 'HIS' };
export const legKindLabel = (kind: string) => LEG_KIND[kind] ?? kind;

/** Audit actions the console knows by name (server/…: recordAudit); others are shown as they are. */
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
  'day.close': '日结',
  'refund_request.approve': '同意退款申请',
  'refund_request.reject': '拒绝退款申请',
};
export const auditActionLabel = (action: string) => AUDIT_ACTION[action] ?? action;

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
