/**
 * Marking an order paid, from a verified callback or from the janitor's query: the insurance part is confirmed
 * with 6301 (outside any transaction), then one short transaction moves the order to PAID, writes the balanced
 * ledger posting and queues the HIS confirm in the outbox. Applying twice is a no-op. A payment for an order
 * already closed (CANCELLED / EXPIRED / PAYMENT_FAILED) is not applied: it is recorded and given back
 * (services/payment/late.ts), and the order stays closed.
 *
 * A callback does not wait for 6301 or WeChat (checklist item 12: answer within 5 s, nothing slow inline):
 * acceptPayment makes the checks that need no outside call, then records the notification and queues the outbox
 * job `confirm_payment` (dedupe key `confirm_payment:<order id>`) holding what the callback carried, in one short
 * transaction. The job (confirmQueuedPayment) runs applyPayment, and is retried with the outbox's backoff while
 * a party cannot confirm yet. The janitor's query may get there first: both end in the same transition, which
 * only one writer wins.
 */
import { z } from 'zod';
import { assertSplit, type Split } from '../../../shared/money';
import { settlementPosting } from '../../domain/ledger';
import { OrderRow } from '../../db/entities';
import { appendPosting } from '../../db/ledger';
import { StateConflict, transitionOrder } from '../../db/orders';
import { enqueue } from '../../db/outbox';
import { settlementRefOf } from '../order/insuredIdentity';
import { paymentEventType, recordNotification, type ReceivedNotification } from '../../db/notifications';
import { canApplyPayment, isClosedUnpaid, PAYMENT_APPLICABLE } from '../../domain/orderPolicy';
import { recordLatePayment } from './late';
import { splitOf } from '../order/split';
import { keepSettledBalance, refreshBalance } from '../patient/insuranceAuthorizations';
import type { Deps } from '../deps';
import type { PaymentEvidence } from './evidence';

/**
 * 'too-late': the order was closed before the payment was reported; the payment is recorded and its return
 * queued (in one transaction), so the report has been dealt with.
 */
export type ApplyOutcome = 'applied' | 'already-paid' | 'pending' | 'mismatch' | 'too-late';

/** What can be said of a reported payment from the order alone, without asking anybody. */
type Precheck = 'already-paid' | 'closed' | 'mismatch' | 'not-yet-payable' | 'payable';

function precheck(deps: Deps, order: OrderRow, evidence: PaymentEvidence): Precheck {
  switch (order.status) {
    case 'PAID':
    case 'COMPLETED':
    case 'REFUNDING':
    case 'REFUNDED':
    case 'PARTIALLY_REFUNDED':
      return 'already-paid';
    case 'CANCELLED':
    case 'EXPIRED':
    case 'PAYMENT_FAILED':
      // before the amount check: what goes back is what each party says it took, whatever the order said
      return 'closed';
    case 'CREATED':
    case 'PRESETTLED':
    case 'AWAITING_PAYMENT':
    case 'UNKNOWN':
      break;
  }
  const expected = splitOf(order);
  if (!sameSplit(expected, evidence.split)) {
    deps.logger.error(
      { orderId: order.id, expected, reported: evidence.split },
      'payment amounts differ from the order',
    );
    return 'mismatch';
  }
  if (!canApplyPayment(order.status)) {
    // CREATED / PRESETTLED: no WeChat order exists before AWAITING_PAYMENT, so this cannot be ours yet; ask
    // WeChat to come again (by then the order is awaiting payment, or closed and the payment is returned)
    deps.logger.error(
      { orderId: order.id, status: order.status },
      'payment reported for an order not yet payable',
    );
    return 'not-yet-payable';
  }
  return 'payable';
}

export async function applyPayment(
  deps: Deps,
  order: OrderRow,
  evidence: PaymentEvidence,
  notificationId?: string,
): Promise<ApplyOutcome> {
  assertSplit(evidence.split, 'paid split');
  switch (precheck(deps, order, evidence)) {
    case 'already-paid':
      return 'already-paid';
    case 'closed':
      await recordLatePayment(deps, order, evidence, notificationId);
      return 'too-late';
    case 'mismatch':
      return 'mismatch';
    case 'not-yet-payable':
      return 'pending';
    case 'payable':
      break;
  }
  const expected = splitOf(order);
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
      if (notificationId)
        await recordNotification(m, paymentNotification(order, evidence, notificationId, at));
      await transitionOrder(
        m,
        order.id,
        PAYMENT_APPLICABLE,
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
    if (!(err instanceof StateConflict)) throw err;
    return afterLostRace(deps, order.id, evidence, notificationId);
  }
  deps.kickJobs?.();
  return 'applied';
}

/**
 * 'queued': the confirmation is in the outbox (or was already); the rest as for applyPayment.
 */
export type AcceptOutcome = 'queued' | 'already-paid' | 'too-late' | 'pending' | 'mismatch';

const CONFIRM_PAYMENT_KIND = 'confirm_payment';
const confirmPaymentKey = (orderId: string) => `confirm_payment:${orderId}`;

/**
 * A verified payment callback: everything that needs no outside call, then the notification recorded and the
 * confirmation queued in one short transaction. Amounts that differ from the order are refused here (nothing is
 * queued); a payment for a closed order is recorded as a late payment at once (no outside call either).
 */
export async function acceptPayment(
  deps: Deps,
  order: OrderRow,
  evidence: PaymentEvidence,
  notificationId: string,
): Promise<AcceptOutcome> {
  assertSplit(evidence.split, 'paid split');
  switch (precheck(deps, order, evidence)) {
    case 'already-paid':
      await recordNotification(
        deps.db.manager,
        paymentNotification(order, evidence, notificationId, new Date(deps.clock.now())),
      );
      return 'already-paid';
    case 'closed':
      await recordLatePayment(deps, order, evidence, notificationId);
      return 'too-late';
    case 'mismatch':
      return 'mismatch';
    case 'not-yet-payable':
      return 'pending';
    case 'payable':
      break;
  }
  const at = new Date(deps.clock.now());
  const payload: QueuedConfirmation = { ...evidence, notificationId };
  await deps.db.transaction(async (m) => {
    await recordNotification(m, paymentNotification(order, evidence, notificationId, at));
    await enqueue(m, CONFIRM_PAYMENT_KIND, confirmPaymentKey(order.id), order.id, { ...payload }, at);
  });
  deps.kickJobs?.();
  return 'queued';
}

const queuedConfirmation = z.object({
  transactionId: z.string().min(1).optional(),
  mixTradeNo: z.string().min(1).optional(),
  split: z.object({
    total: z.number().int(),
    fund: z.number().int(),
    account: z.number().int(),
    cash: z.number().int(),
  }),
  paidAtMs: z.number().int(),
  actor: z.enum(['wechatpay-callback', 'janitor']),
  reference: z.string().min(1),
  notificationId: z.string().min(1),
});
type QueuedConfirmation = z.infer<typeof queuedConfirmation>;

/**
 * Outbox handler of `confirm_payment`: applies the payment a callback reported (6301, the cash leg's id, PAID +
 * ledger + HIS confirm). Returns when the payment is dealt with (applied, found applied, or recorded as late);
 * throws to be asked again while a party cannot confirm yet — and on amounts a party settled differently, which
 * ends the job DEAD for a person to see.
 */
export async function confirmQueuedPayment(
  deps: Deps,
  orderId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  const parsed = queuedConfirmation.safeParse(payload);
  if (!parsed.success)
    throw new Error(`bad confirm_payment payload for order ${orderId}: ${parsed.error.message}`);
  const { notificationId, ...evidence } = parsed.data;
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  const outcome = await applyPayment(deps, order, evidence, notificationId);
  switch (outcome) {
    case 'applied':
    case 'already-paid':
    case 'too-late':
      return;
    case 'pending':
      throw new Error(`payment of order ${order.orderNo} not confirmed by every party yet; asking again`);
    case 'mismatch':
      throw new Error(`payment of order ${order.orderNo}: a party settled other amounts than the order's`);
  }
}

/** The callback's record, in the transaction that deals with its payment. */
function paymentNotification(
  order: OrderRow,
  evidence: PaymentEvidence,
  notificationId: string,
  at: Date,
): ReceivedNotification {
  return {
    id: notificationId,
    eventType: paymentEventType(evidence.mixTradeNo),
    outTradeNo: order.orderNo,
    at,
  };
}

/**
 * The order left AWAITING_PAYMENT / UNKNOWN while we confirmed the payment: another writer paid it (the same
 * payment, reported twice), or closed it (a cancel or expiry racing the payment) — then the payment is late.
 */
async function afterLostRace(
  deps: Deps,
  orderId: string,
  evidence: PaymentEvidence,
  notificationId: string | undefined,
): Promise<ApplyOutcome> {
  const now = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  if (isClosedUnpaid(now.status)) {
    await recordLatePayment(deps, now, evidence, notificationId);
    return 'too-late';
  }
  return canApplyPayment(now.status) ? 'pending' : 'already-paid';
}

function sameSplit(a: Split, b: Split): boolean {
  return a.total === b.total && a.fund === b.fund && a.account === b.account && a.cash === b.cash;
}

/** 6301: the insurance platform must itself say the settlement is done, with our amounts. */
async function confirmInsurance(
  deps: Deps,
  order: OrderRow,
): Promise<{ setlId?: string } | 'pending' | 'mismatch'> {
  const state = await deps.insurance.querySettlement(await settlementRefOf(deps, order));
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
  // the 个人账户 balance the settlement left, for the card: from 6301 when it says, else asked by 1101
  if (state.accountBalanceFen !== undefined)
    await keepSettledBalance(deps, order, state.accountBalanceFen, state.settledAtMs ?? deps.clock.now());
  else if (expected.account > 0) await refreshBalance(deps, order);
  return { setlId: state.setlId };
}
