/**
 * Marking an order paid, from a verified callback or from the janitor's query: the insurance part is confirmed
 * with 6301 (outside any transaction), then one short transaction moves the order to PAID, writes the balanced
 * ledger posting and queues the HIS confirm in the outbox. Applying twice is a no-op.
 */
import { assertSplit, type Split } from '../../shared/money';
import { settlementPosting } from '../domain/ledger';
import { OrderRow, PatientRow } from '../db/entities';
import { appendPosting } from '../db/ledger';
import { StateConflict, transitionOrder } from '../db/orders';
import { enqueue } from '../db/outbox';
import type { OrderStatus } from '../domain/orderStateMachine';
import { splitOf } from './orderViews';
import type { Deps } from './deps';

export interface PaymentEvidence {
  /** cash leg: WeChat transaction id; absent for insurance-only */
  transactionId?: string;
  mixTradeNo?: string;
  /** what WeChat says was paid, per leg */
  split: Split;
  paidAtMs: number;
  actor: 'wechatpay-callback' | 'janitor';
  reference: string;
}

export type ApplyOutcome = 'applied' | 'already-paid' | 'pending' | 'mismatch' | 'too-late';

const PAYABLE_FROM: OrderStatus[] = ['AWAITING_PAYMENT', 'UNKNOWN'];

export async function applyPayment(
  deps: Deps,
  order: OrderRow,
  evidence: PaymentEvidence,
  notificationId?: string,
): Promise<ApplyOutcome> {
  if (
    order.status === 'PAID' ||
    order.status === 'COMPLETED' ||
    order.status === 'REFUNDING' ||
    order.status === 'REFUNDED' ||
    order.status === 'PARTIALLY_REFUNDED'
  ) {
    return 'already-paid';
  }
  const expected = splitOf(order);
  assertSplit(evidence.split, 'paid split');
  if (!sameSplit(expected, evidence.split)) {
    deps.logger.error(
      { orderId: order.id, expected, reported: evidence.split },
      'payment amounts differ from the order',
    );
    return 'mismatch';
  }
  if (!PAYABLE_FROM.includes(order.status)) {
    // money arrived for an order we already closed: keep it visible for the cashier, change nothing silently
    deps.logger.error({ orderId: order.id, status: order.status }, 'payment reported for a closed order');
    return 'too-late';
  }
  let setlId: string | undefined;
  if (expected.fund + expected.account > 0) {
    const insured = await confirmInsurance(deps, order);
    if (insured === 'pending') return 'pending';
    if (insured === 'mismatch') return 'mismatch';
    setlId = insured.setlId;
  }
  // the med-ins entity carries no transaction_id: the cash leg's id comes from the JSAPI order (reconciliation needs it)
  let transactionId = evidence.transactionId;
  if (!transactionId && expected.cash > 0) {
    const cash = await deps.wechat.queryTransaction(order.orderNo);
    if (cash?.tradeState !== 'SUCCESS' || !cash.transactionId) return 'pending';
    transactionId = cash.transactionId;
  }
  const at = new Date(deps.clock.now());
  try {
    await deps.db.transaction(async (m) => {
      if (notificationId) {
        await m.query(
          `INSERT INTO received_notifications (id, event_type, out_trade_no, received_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`,
          [
            notificationId,
            evidence.mixTradeNo ? 'MEDICAL_INSURANCE.SUCCESS' : 'TRANSACTION.SUCCESS',
            order.orderNo,
            at,
          ],
        );
      }
      await transitionOrder(
        m,
        order.id,
        PAYABLE_FROM,
        'PAID',
        {
          transactionId,
          mixTradeNo: evidence.mixTradeNo,
          setlId,
          paidAt: new Date(evidence.paidAtMs),
          nextCheckAt: null,
          lastError: null,
        },
        { actor: evidence.actor, reason: 'payment confirmed', externalRef: evidence.reference, at },
      );
      await appendPosting(m, order.id, 'settlement', settlementPosting(expected), at);
      await enqueue(m, 'his_confirm', `his_confirm:${order.id}`, order.id, {}, at);
    });
  } catch (err) {
    if (err instanceof StateConflict) return 'already-paid';
    throw err;
  }
  deps.kickJobs?.();
  return 'applied';
}

function sameSplit(a: Split, b: Split): boolean {
  return a.total === b.total && a.fund === b.fund && a.account === b.account && a.cash === b.cash;
}

/** 6301: the insurance platform must itself say the settlement is done, with our amounts. */
async function confirmInsurance(
  deps: Deps,
  order: OrderRow,
): Promise<{ setlId?: string } | 'pending' | 'mismatch'> {
  if (!order.payOrdId || !order.payToken)
    throw new Error(`order ${order.id} has an insurance share but no payOrdId`);
  const patient = await deps.db.getRepository(PatientRow).findOneByOrFail({ id: order.patientId });
  const state = await deps.insurance.querySettlement({
    payOrdId: order.payOrdId,
    payToken: order.payToken,
    idNo: deps.pii.decrypt(patient.idNoEnc),
    name: deps.pii.decrypt(patient.nameEnc),
  });
  if (state.status !== 'SETTLED') return 'pending';
  const expected = splitOf(order);
  if (
    state.split.fund !== expected.fund ||
    state.split.account !== expected.account ||
    state.split.total !== expected.total
  ) {
    deps.logger.error(
      { orderId: order.id, expected, settled: state.split },
      'insurance settled other amounts than pre-settled',
    );
    return 'mismatch';
  }
  return { setlId: state.setlId };
}
