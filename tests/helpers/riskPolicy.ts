/** The risk thresholds the rules' tests reason with: the settings' defaults (risk-wiring checks they are). */
import type { RiskPolicy } from '../../server/domain/risk';

export const RISK_POLICY: RiskPolicy = {
  cardsPerUserPerDay: 5,
  cardsPerUserDecision: 'step_up',
  usersPerIdNo: 3,
  bindsPerDevicePerDay: 10,
  failedCodesPerHour: 10,
  failedAuthorizationsPerDay: 5,
  ordersPerUserPerHour: 10,
  ordersPerCardPerHour: 6,
  ordersPerDevicePerHour: 20,
  cancelledPerDay: 8,
  amountFactor: 5,
  amountFloorFen: 100_000,
  amountHistoryMin: 3,
  refundsPerCashierPerHour: 20,
  refundAfterDays: 180,
};
