/**
 * The audit trail in words a cashier reads: one plain Chinese sentence per row, built from the row's action and
 * details. Pure: the order and refund numbers the details refer to by id are looked up by the caller and passed
 * in, so no id is ever shown. Every action the code writes (recordAudit) has its sentence here.
 */
import { cstDateTime } from '../../../shared/clock';
import { fenToYuan } from '../../../shared/money';

/** One audit row as stored. */
export interface AuditFacts {
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  /** the sentence written with the row (user management, locks), kept as it was said */
  description?: string | null;
}

/** The numbers of the orders and refunds the details name by id. */
export interface AuditNames {
  orderNos: ReadonlyMap<string, string>;
  refunds: ReadonlyMap<string, { refundNo: string; totalFen: number }>;
}

const ROLE_WORD: Record<string, string> = { cashier: '收费员', supervisor: '主管', system: '系统' };

const KIND_WORD: Record<string, string> = {
  MATCHED: '已匹配',
  OVER: '长款',
  SHORT: '短款',
  AMOUNT_MISMATCH: '金额不符',
  STATUS_MISMATCH: '状态不符',
  CUTOFF: '跨日',
};

const LOGIN_FAILURE: Record<string, string> = {
  bad_credentials: '密码或动态码不正确',
  unknown_user: '没有这个用户名',
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const fen = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;

/** The ids in the details (or target) that name an order or a refund: the caller looks these up. */
export function auditIdsOf(rows: readonly AuditFacts[]): { orderIds: string[]; refundIds: string[] } {
  const orderIds = new Set<string>();
  const refundIds = new Set<string>();
  for (const r of rows) {
    const orderId = text(r.details.orderId) ?? (r.action === 'order.refund' ? text(r.target) : undefined);
    if (orderId) orderIds.add(orderId);
    const refundId = text(r.details.refundId);
    if (refundId) refundIds.add(refundId);
  }
  return { orderIds: [...orderIds], refundIds: [...refundIds] };
}

export function auditSentence(row: AuditFacts, names: AuditNames): string {
  const d = row.details ?? {};
  const who = whoOf(row);
  const reason = text(d.reason) ? `，原因：${text(d.reason)}` : '';
  const orderNo =
    text(d.orderNo) ??
    names.orderNos.get(text(d.orderId) ?? (row.action === 'order.refund' ? (row.target ?? '') : '')) ??
    undefined;
  const order = orderNo ? `订单 ${orderNo} ` : '一笔订单';
  const refund = names.refunds.get(text(d.refundId) ?? '');
  const amount = amountWords(d.amount, refund?.totalFen);
  const refundNo = refund ? `（退款单号 ${refund.refundNo}）` : '';
  const decidedAmount = refund ? ` ${fenToYuan(refund.totalFen)} 元` : '';
  const recordOf = () => {
    const kind = KIND_WORD[text(d.kind) ?? ''];
    const no = text(d.refundNo) ? `退款 ${text(d.refundNo)}` : orderNo ? `订单 ${orderNo}` : '一条记录';
    return `对账差异（${kind ?? '差异'}）${no} `;
  };

  switch (row.action) {
    case 'console.login':
      return `${who} 登录后台${ipOf(d)}`;
    case 'console.login_failed':
      return `${loginName(row)} 登录失败：${LOGIN_FAILURE[text(d.reason) ?? ''] ?? '用户名、密码或动态码不正确'}${failuresOf(d)}${ipOf(d)}`;
    case 'console.login_refused_locked':
      return `${loginName(row)} 登录被拒绝：该地址已被锁定${untilOf(d.until)}${ipOf(d)}`;
    case 'console.login_refused_throttled':
      return `${loginName(row)} 登录被拒绝：失败次数过多，须等待${untilOf(d.until)}${ipOf(d)}`;
    case 'console.login_refused_disabled':
      return `${loginName(row)} 登录被拒绝：账号已停用${ipOf(d)}`;
    case 'console.locked':
      return (
        text(row.description) ??
        `${loginName(row)} 连续登录失败${failuresOf(d)}，该地址被锁定${untilOf(d.lockedUntil)}${ipOf(d)}`
      );
    case 'console.logout':
      return `${who} 退出登录`;
    case 'console.password_changed':
      return text(row.description) ?? `${who} 修改了自己的登录密码`;
    case 'console.user_created':
    case 'console.user_create':
      return `${who} 创建了后台用户 ${userOf(row)}（${ROLE_WORD[text(d.role) ?? ''] ?? '角色未知'}）`;
    case 'console.user_disabled':
      return text(row.description) ?? `${who} 停用了后台用户 ${userOf(row)}`;
    case 'console.user_enabled':
      return text(row.description) ?? `${who} 重新启用了后台用户 ${userOf(row)}`;
    case 'console.password_reset':
      return text(row.description) ?? `${who} 重置了后台用户 ${userOf(row)} 的密码`;
    case 'console.totp_reenrolled':
      return text(row.description) ?? `${who} 为后台用户 ${userOf(row)} 重新绑定了身份验证器`;
    case 'console.unlocked':
      return text(row.description) ?? `${who} 解除了后台用户 ${userOf(row)} 的登录锁定`;
    case 'order.refund':
      return `${who} 为${order}发起退款 ${amount}${refundNo}${reason}${
        text(d.status) === 'AWAITING_APPROVAL' ? '；金额超过审批线，等待主管审批' : ''
      }`;
    case 'refund.approve':
      return `${who} 批准了退款${decidedAmount}${refundNo}，退款开始办理`;
    case 'refund.reject':
      return `${who} 驳回了退款${decidedAmount}${refundNo}${reason}`;
    case 'refund_request.approve':
      return `${who} 同意了${order}的患者退款申请，退款 ${amount}${refundNo}`;
    case 'refund_request.reject':
      return `${who} 拒绝了${order}的患者退款申请${reason}`;
    case 'reconciliation.run':
      return `${who} 对账 ${text(d.date) ?? ''}${summaryOf(d.summary)}`;
    case 'reconciliation.export':
      return `${who} 导出了 ${text(d.date) ?? ''} 的对账明细${exportFilterOf(d)}`;
    case 'recon_row.resolve':
      return `${who} 将${recordOf()}标记为已处理${reason}`;
    case 'recon_row.retry_his_confirm':
      return `${who} 为${recordOf()}重新向医院信息系统确认收费`;
    case 'recon_row.post_missing':
      return `${who} 为${recordOf()}补单${text(d.receiptNo) ? `，电子票据号 ${text(d.receiptNo)}` : ''}${reason}`;
    case 'recon_row.return_late_payment':
      return `${who} 为${recordOf()}退回迟到的付款${reason}`;
    case 'recon_row.refund':
      return `${who} 为${recordOf()}发起退款 ${amount}${refundNo}${reason}`;
    case 'risk.review_approve':
      return `${who} 审核通过了${order.trim()}，患者现在可以支付`;
    case 'risk.review_reject':
      return `${who} 审核驳回了${order.trim()}，订单已取消，账单已释放${reason}`;
    case 'risk.block':
      return `${who} 封禁了微信用户 ${maskedUser(row.target)}${reason}`;
    case 'risk.unblock':
      return `${who} 解除了微信用户 ${maskedUser(row.target)} 的封禁`;
    case 'day.close':
      return `${who} 日结 ${text(row.target) ?? text(d.date) ?? ''}`;
    default:
      return text(row.description) ?? `${who} 进行了一项操作（${row.action}）`;
  }
}

/** a WeChat user as the trail shows it: the first and last four characters of the openid */
function maskedUser(openid: string | null): string {
  const id = text(openid) ?? '';
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id;
}

function whoOf(row: AuditFacts): string {
  if (row.role === 'system') return '系统';
  const role = ROLE_WORD[row.role];
  return role ? `${role} ${row.actor}` : row.actor;
}

/** a login names whoever was typed: an unknown name is no user of ours */
function loginName(row: AuditFacts): string {
  return row.role === 'anonymous' ? `用户名 ${row.actor}` : whoOf(row);
}

function userOf(row: AuditFacts): string {
  return text(row.details.username) ?? text(row.target)?.replace(/^console_user:/, '') ?? '';
}

function amountWords(amount: unknown, refundTotal: number | undefined): string {
  const asked = fen(amount);
  if (asked !== undefined) return `${fenToYuan(asked)} 元`;
  if (refundTotal !== undefined) return `${fenToYuan(refundTotal)} 元（剩余全部）`;
  return '剩余全部金额';
}

function ipOf(d: Record<string, unknown>): string {
  return text(d.ip) ? `（地址 ${text(d.ip)}）` : '';
}

function failuresOf(d: Record<string, unknown>): string {
  return fen(d.failures) !== undefined ? `（第 ${fen(d.failures)} 次）` : '';
}

function untilOf(v: unknown): string {
  const at = text(v) ? Date.parse(text(v) ?? '') : NaN;
  return Number.isNaN(at) ? '' : `至北京时间 ${cstDateTime(at)}`;
}

function summaryOf(v: unknown): string {
  if (!v || typeof v !== 'object') return '';
  const s = v as Record<string, unknown>;
  const n = (k: string) => fen(s[k]) ?? 0;
  const differences = n('over') + n('short') + n('amountMismatch') + n('statusMismatch');
  return `：已匹配 ${n('matched')} 笔，差异 ${differences} 笔，跨日 ${n('cutoff')} 笔`;
}

function exportFilterOf(d: Record<string, unknown>): string {
  const parts: string[] = [];
  const kind = KIND_WORD[text(d.kind) ?? ''];
  if (kind) parts.push(kind);
  if (d.discrepancies === true) parts.push('仅差异');
  if (d.resolved === true) parts.push('已处理');
  if (d.resolved === false) parts.push('未处理');
  return parts.length ? `（${parts.join('、')}）` : '';
}
