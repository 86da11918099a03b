/** The risk rules' thresholds (server/domain/risk.ts) from the settings (`RISK_*`, config/settings.ts). */
import type { Settings } from '../../../config/settings';
import type { RiskPolicy } from '../../domain/risk';

export function riskPolicyOf(s: Settings): RiskPolicy {
  return {
    cardsPerUserPerDay: s.RISK_CARDS_PER_USER_PER_DAY,
    cardsPerUserDecision: s.RISK_CARDS_PER_USER_DECISION,
    usersPerIdNo: s.RISK_USERS_PER_ID_NO,
    bindsPerDevicePerDay: s.RISK_BINDS_PER_DEVICE_PER_DAY,
    failedCodesPerHour: s.RISK_FAILED_CODES_PER_HOUR,
    failedAuthorizationsPerDay: s.RISK_FAILED_AUTHORIZATIONS_PER_DAY,
    ordersPerUserPerHour: s.RISK_ORDERS_PER_USER_PER_HOUR,
    ordersPerCardPerHour: s.RISK_ORDERS_PER_CARD_PER_HOUR,
    ordersPerDevicePerHour: s.RISK_ORDERS_PER_DEVICE_PER_HOUR,
    cancelledPerDay: s.RISK_CANCELLED_PER_DAY,
    amountFactor: s.RISK_AMOUNT_FACTOR,
    amountFloorFen: s.RISK_AMOUNT_FLOOR_FEN,
    amountHistoryMin: s.RISK_AMOUNT_HISTORY_MIN,
    refundsPerCashierPerHour: s.RISK_REFUNDS_PER_CASHIER_PER_HOUR,
    refundAfterDays: s.RISK_REFUND_AFTER_DAYS,
  };
}
