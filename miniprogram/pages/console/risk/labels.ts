/** The risk rules and decisions as a cashier reads them. */
import type { RiskActionName, RiskDecisionName } from '../../../../shared/api';

export const DECISION_LABEL: Record<RiskDecisionName, string> = {
  allow: '放行',
  step_up: '加强验证',
  review: '人工审核',
  block: '拦截',
};

export const ACTION_LABEL: Record<RiskActionName, string> = {
  bind: '绑定就诊人',
  checkout: '下单',
  pay: '支付',
  refund: '退款',
};

export const RULE_LABEL: Record<string, string> = {
  user_blocked: '用户已被封禁',
  cards_per_user_per_day: '一天内绑定就诊人过多',
  users_per_id_no: '同一身份证被多个微信用户绑定',
  binds_per_device_per_day: '同一设备一天内绑定过多',
  failed_codes_per_hour: '一小时内验证码错误过多',
  failed_authorizations_per_day: '一天内医保授权失败过多',
  orders_per_user_per_hour: '一小时内下单过多',
  orders_per_card_per_hour: '同一就诊人一小时内下单过多',
  orders_per_device_per_hour: '同一设备一小时内下单过多',
  cancelled_per_day: '一天内取消订单过多',
  amount_above_history: '金额远高于以往',
  refunds_per_cashier_per_hour: '收费员一小时内退款过多',
  refund_long_after_payment: '付款很久之后退款',
};

export const ruleLabel = (rule: string) => RULE_LABEL[rule] ?? rule;
