/**
 * The insurance mock's state and its operations (persons, authorizations, orders, settlements, refunds), as the
 * routes see it. Protocol-agnostic: routes parse and seal; this class decides. Business refusals throw
 * InsuranceBizError with a code of the mobile-payment set; the money rules are in rules.ts. Built in layers, one
 * concern each: persons and authorizations (persons.ts), orders and settlements (orders.ts), and here refunds —
 * 6203 and the platform's own — with the reset of the whole.
 */
import { cstCompact, type Clock } from '../../shared/clock';
import { yuanToFen, type Split } from '../../shared/money';
import type { RefundInput } from '../../shared/protocol/insurance';
import { checkRefund, releaseUsage } from './rules';
import type { Order, RefundRecord, Settlement } from './records';
import { ORDERS_MAX, InsuranceOrders } from './orders';
import { InsuranceBizError, PERSONS_MAX, type InsuranceLimits, type Person } from './persons';

export { InsuranceBizError, type InsuranceLimits, type Person } from './persons';

export const DEFAULT_LIMITS: InsuranceLimits = { ordersMax: ORDERS_MAX, personsMax: PERSONS_MAX };

export class InsuranceState extends InsuranceOrders {
  private readonly refundSns = new Map<string, string>();

  constructor(clock: Clock, tokenSecret: string, limits: InsuranceLimits = DEFAULT_LIMITS) {
    super(clock, tokenSecret, limits);
    this.reset();
  }

  reset(): void {
    this.refundSns.clear();
    this.resetOrders();
  }

  /** 6203: whole or partial, idempotent by appRefdSn, never more than settled per leg. */
  refund(input: RefundInput): { order: Order; record: RefundRecord } {
    const order = this.order(input.payOrdId);
    const person = this.persons.get(order.psnNo) as Person;
    this.assertPayAuth(input.payAuthNo, person);
    const request: Split = {
      total: yuanToFen(input.totlRefdAmt),
      fund: yuanToFen(input.fundRefdAmt),
      account: yuanToFen(input.psnAcctRefdAmt),
      cash: yuanToFen(input.cashRefdAmt),
    };
    const replay = this.refundReplay(input.appRefdSn, order, request);
    if (replay) return { order, record: replay };
    if (order.status !== 'SETTLED' && order.status !== 'PARTIALLY_REFUNDED') {
      throw new InsuranceBizError('ORDER_STATE_INVALID', `支付订单状态为 ${order.status}，不能退费`);
    }
    if (
      (input.refdType === 'CASH' && request.fund + request.account > 0) ||
      (input.refdType === 'HI' && request.cash > 0)
    ) {
      throw new InsuranceBizError('PARAM_ERROR', `refdType ${input.refdType} 与退费金额不符`);
    }
    const record = this.recordRefund(order, {
      appRefdSn: input.appRefdSn,
      split: request,
      atMs: this.clock.now(),
      origin: 'API',
    });
    return { order, record };
  }

  /**
   * A refund the platform made without a 6203 (admin scenario): the same checks and effects as 6203 (never
   * beyond a leg, balance and cap given back), at `atMs` (now by default; not before the settlement).
   */
  refundAtPlatform(payOrdId: string, appRefdSn: string, split: Split, atMs = this.clock.now()): RefundRecord {
    const order = this.order(payOrdId);
    const replay = this.refundReplay(appRefdSn, order, split);
    if (replay) return replay;
    if (order.status !== 'SETTLED' && order.status !== 'PARTIALLY_REFUNDED') {
      throw new InsuranceBizError('ORDER_STATE_INVALID', `支付订单状态为 ${order.status}，不能退费`);
    }
    const settledAtMs = (order.settlement as Settlement).settledAtMs;
    if (atMs < settledAtMs)
      throw new InsuranceBizError('PARAM_ERROR', `退费时间早于结算时间 ${cstCompact(settledAtMs)}`);
    return this.recordRefund(order, { appRefdSn, split, atMs, origin: 'ADMIN' });
  }

  private recordRefund(order: Order, record: RefundRecord): RefundRecord {
    const person = this.persons.get(order.psnNo) as Person;
    const settlement = order.settlement as Settlement;
    const check = checkRefund(settlement.result.split, order.refunded, record.split);
    if (!check.ok) throw new InsuranceBizError(check.reason, check.message);
    const usage = this.usageOf(person.psnNo, settlement.year);
    const deductibleReleased = check.fullyRefunded ? settlement.result.deductibleConsumedFen : 0;
    this.setUsage(person.psnNo, settlement.year, releaseUsage(usage, record.split.fund, deductibleReleased));
    person.balanceFen += record.split.account;
    order.refunds.push(record);
    order.refunded = check.refundedAfter;
    order.status = check.fullyRefunded ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    this.refundSns.set(record.appRefdSn, order.payOrdId);
    this.days.add(record.atMs, { kind: 'REFUND', order, refund: record });
    return record;
  }

  private refundReplay(appRefdSn: string, order: Order, request: Split): RefundRecord | undefined {
    const ownerId = this.refundSns.get(appRefdSn);
    if (ownerId === undefined) return undefined;
    const record =
      ownerId === order.payOrdId ? order.refunds.find((r) => r.appRefdSn === appRefdSn) : undefined;
    const same =
      record && (['total', 'fund', 'account', 'cash'] as const).every((k) => record.split[k] === request[k]);
    if (!record || !same)
      throw new InsuranceBizError('REFUND_SN_CONFLICT', `appRefdSn ${appRefdSn} 已用于另一笔退费`);
    return record;
  }
}
