/** The operations page's words: payment channels, outside parties, breaker states and background jobs. */
import type { BreakerStateName, OpsChannel } from '../../../../shared/api';
import type { Tone } from '../../../services/labels';

export const CHANNEL_LABEL: Record<OpsChannel, string> = {
  cash: '自费（微信支付）',
  insurance: '医保',
  mixed: '医保 + 自费',
};

const PARTY_LABEL: Record<string, string> = {
  insurance: '医保平台',
  his: '医院HIS',
  wechatpay: '微信支付',
  sms: '短信',
  wechat: '微信消息',
};

export const partyLabel = (party: string) => PARTY_LABEL[party] ?? '其他外部系统';

export const BREAKER: Record<BreakerStateName, { label: string; tone: Tone; hint: string }> = {
  closed: { label: '正常', tone: 'success', hint: '调用正常放行' },
  half_open: { label: '半开', tone: 'warning', hint: '正在试探该系统是否恢复' },
  open: { label: '熔断', tone: 'danger', hint: '失败过多，已暂停调用该系统' },
};

const JOB_LABEL: Record<string, string> = {
  his_confirm: '向医院HIS确认缴费',
  refund_leg: '退款',
  release: '释放医保结算',
  confirm_payment: '确认支付结果',
  late_payment_return: '退回超时支付',
  sms_send: '发送验证码短信',
  notify: '发送微信消息提醒',
};

/** A background job's kind as a cashier reads it; a kind this page does not know yet still reads as Chinese. */
export const jobLabel = (kind: string) => JOB_LABEL[kind] ?? '其他后台任务';

/** A success rate below this is highlighted. */
export const SUCCESS_RATE_ALERT = 0.9;

/** 0.875 → '87.5%'; null (nothing started) → '—' */
export function percent(rate: number | null): string {
  if (rate === null) return '—';
  return `${Math.round(rate * 1000) / 10}%`;
}

/** 35 → '35 毫秒'; 2300 → '2.3 秒'; null (no call yet) → '—' */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} 毫秒`;
  return `${Math.round(ms / 100) / 10} 秒`;
}
