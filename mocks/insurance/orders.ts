/**
 * The insurance mock's orders and settlements: 6201 fee upload (idempotent by medOrgOrd), 6202 pre-settlement,
 * settling when the patient pays (the split recomputed, usage and balance consumed, the day's book written),
 * 6401 revoke, and the admin's change of what the books report for a settlement. The money rules are in rules.ts;
 * refunds build on this in state.ts.
 */
import { createHmac } from 'node:crypto';
import { cstCompact, type Clock } from '../../shared/clock';
import { FEN_MAX, yuanToFen, type Split } from '../../shared/money';
import type { PayOrderInput, UploadFeesInput } from '../../shared/protocol/insurance';
import {
  computeSettlement,
  consumeUsage,
  type CatalogueItem,
  type Policies,
  type SettlementResult,
} from './rules';
import { DayBook } from './daybook';
import type { Order } from './records';
import { HOME_ADMDVS, seedCatalogue, seedPolicies } from './seed';
import {
  INELIGIBLE,
  InsuranceBizError,
  InsurancePersons,
  seq,
  type InsuranceLimits,
  type Person,
} from './persons';

/** room for a busy day of 100 000 settlements and then some; configurable per mock (InsuranceLimits) */
export const ORDERS_MAX = 1_000_000;

export type SettleOutcome =
  | { kind: 'done'; order: Order }
  | { kind: 'refused'; code: 'NOT_PRESETTLED' | 'ORDER_REVOKED'; message: string };

const ZERO: Split = { total: 0, fund: 0, account: 0, cash: 0 };

/** Orders and settlements over the persons; InsuranceState (state.ts) adds refunds. */
export class InsuranceOrders extends InsurancePersons {
  /** the day's settlements and refunds, for 3201/3202 */
  readonly days = new DayBook();
  catalogue = new Map<string, CatalogueItem>();
  policies: Policies = seedPolicies();
  readonly orders = new Map<string, Order>();
  private readonly byMedOrgOrd = new Map<string, string>();

  constructor(
    clock: Clock,
    private readonly tokenSecret: string,
    limits: InsuranceLimits,
  ) {
    super(clock, limits);
  }

  /** Back to the seeded catalogue, policies and persons, with no order and an empty day book. */
  protected resetOrders(): void {
    this.catalogue = new Map(seedCatalogue().map((item) => [item.code, item]));
    this.policies = seedPolicies();
    this.orders.clear();
    this.byMedOrgOrd.clear();
    this.days.clear();
    this.resetPersons();
  }

  order(payOrdId: string): Order {
    const order = this.orders.get(payOrdId);
    if (!order) throw new InsuranceBizError('ORDER_NOT_FOUND', `支付订单 ${payOrdId} 不存在`);
    return order;
  }

  /** An order the caller proves it knows (payToken, and the patient's idNo when given). */
  ownedOrder(payOrdId: string, payToken: string, idNo?: string): Order {
    const order = this.order(payOrdId);
    if (order.payToken !== payToken)
      throw new InsuranceBizError('PAY_TOKEN_INVALID', 'payToken 与支付订单不符');
    if (idNo !== undefined && this.persons.get(order.psnNo)?.idNo !== idNo) {
      throw new InsuranceBizError('ORDER_NOT_FOUND', `支付订单 ${payOrdId} 不存在`);
    }
    return order;
  }

  uploadFees(input: UploadFeesInput): Order {
    const lines = input.feedetailList.map((d) => ({
      feedetlSn: d.feedetlSn,
      code: d.medListCodg,
      name: d.medinsListName ?? d.medListCodg,
      amountFen: yuanToFen(d.detItemFeeSumamt),
    }));
    const totalFen = yuanToFen(input.medfeeSumamt);
    const fingerprint = JSON.stringify([
      input.psnNo,
      totalFen,
      lines.map((l) => [l.feedetlSn, l.code, l.amountFen]),
    ]);
    const existingId = this.byMedOrgOrd.get(input.medOrgOrd);
    if (existingId !== undefined) {
      const existing = this.order(existingId);
      if (existing.fingerprint !== fingerprint) {
        throw new InsuranceBizError(
          'MED_ORG_ORD_CONFLICT',
          `medOrgOrd ${input.medOrgOrd} 已上传过不同的费用明细`,
        );
      }
      return existing;
    }
    const person = this.persons.get(input.psnNo);
    if (!person || person.idNo !== input.idNo)
      throw new InsuranceBizError('PERSON_NOT_FOUND', '未查询到与 psnNo、证件号码匹配的参保人');
    this.assertEligible(person);
    this.assertPayAuth(input.payAuthNo, person);
    const insutype = this.view(person).insutype;
    if (input.insutype !== insutype)
      throw new InsuranceBizError('INSUTYPE_MISMATCH', `险种 ${input.insutype} 与参保险种 ${insutype} 不符`);
    const linesTotal = lines.reduce((sum, l) => sum + l.amountFen, 0);
    if (linesTotal !== totalFen || totalFen > FEN_MAX) {
      throw new InsuranceBizError(
        'AMOUNT_MISMATCH',
        `明细金额合计 ${linesTotal} 分与 medfeeSumamt ${totalFen} 分不符`,
      );
    }
    if (this.orders.size >= this.limits.ordersMax)
      throw new InsuranceBizError('CAPACITY_EXCEEDED', `at most ${this.limits.ordersMax} orders`);
    const now = this.clock.now();
    const payOrdId = `ORD${HOME_ADMDVS}${cstCompact(now)}${seq(this.nextSeq(), 8)}`;
    const order: Order = {
      payOrdId,
      payToken: createHmac('sha256', this.tokenSecret).update(payOrdId).digest('hex').slice(0, 32),
      medOrgOrd: input.medOrgOrd,
      psnNo: person.psnNo,
      payAuthNo: input.payAuthNo,
      insutype,
      totalFen,
      accountUsed: input.acctUsedFlag === '1',
      lines,
      fingerprint,
      status: 'UPLOADED',
      createdAtMs: now,
      refunds: [],
      refunded: ZERO,
    };
    this.orders.set(payOrdId, order);
    this.byMedOrgOrd.set(order.medOrgOrd, payOrdId);
    return order;
  }

  protected compute(order: Order, person: Person): SettlementResult {
    return computeSettlement({
      lines: order.lines,
      catalogue: this.catalogue,
      policies: this.policies,
      insutype: order.insutype,
      usage: this.usageView(person),
      balanceFen: this.view(person).balanceFen,
      accountUsed: order.accountUsed,
    });
  }

  /** 6202: computes the split; nothing is deducted. A replay after settlement answers the settled order. */
  preSettle(input: PayOrderInput): Order {
    const order = this.ownedOrder(input.payOrdId, input.payToken);
    const person = this.persons.get(order.psnNo) as Person;
    this.assertPayAuth(input.payAuthNo, person);
    switch (order.status) {
      case 'UPLOADED':
      case 'PRESETTLED':
        this.assertEligible(person);
        order.accountUsed = input.acctUsedFlag === '1';
        order.preSettlement = this.compute(order, person);
        order.status = 'PRESETTLED';
        return order;
      case 'SETTLED':
      case 'PARTIALLY_REFUNDED':
        return order;
      case 'REFUNDED':
      case 'REVOKED':
      case 'FAILED':
        throw new InsuranceBizError('ORDER_STATE_INVALID', `支付订单状态为 ${order.status}，不能下单`);
    }
  }

  /**
   * Settles a pre-settled order (the patient confirmed in WeChat). The split is recomputed; if the person or
   * their year changed since pre-settlement the settlement fails rather than paying a split nobody was shown.
   */
  settle(payOrdId: string, result: 'SUCCESS' | 'FAIL'): SettleOutcome {
    const order = this.order(payOrdId);
    switch (order.status) {
      case 'UPLOADED':
        return {
          kind: 'refused',
          code: 'NOT_PRESETTLED',
          message: `order ${payOrdId} is not pre-settled (6202 first)`,
        };
      case 'REVOKED':
        return { kind: 'refused', code: 'ORDER_REVOKED', message: `order ${payOrdId} was revoked` };
      case 'SETTLED':
      case 'PARTIALLY_REFUNDED':
      case 'REFUNDED':
      case 'FAILED':
        return { kind: 'done', order };
      case 'PRESETTLED':
        return { kind: 'done', order: this.settlePresettled(order, result) };
    }
  }

  private settlePresettled(order: Order, result: 'SUCCESS' | 'FAIL'): Order {
    const person = this.persons.get(order.psnNo) as Person;
    const shown = order.preSettlement as SettlementResult;
    if (result === 'FAIL') return this.fail(order, 'settlement refused by the caller (result FAIL)');
    const seen = this.view(person);
    if (seen.status !== 'ACTIVE') return this.fail(order, INELIGIBLE[seen.status].message(seen));
    const now = this.compute(order, person);
    const same = (['total', 'fund', 'account', 'cash'] as const).every(
      (k) => now.split[k] === shown.split[k],
    );
    if (!same) return this.fail(order, '预结算结果已失效（余额、起付线或封顶线已变化），请重新下单');
    const year = this.year();
    this.setUsage(person.psnNo, year, consumeUsage(this.usageOf(person.psnNo, year), now));
    // a scenario may show more balance than the record holds: the record never goes below 0
    person.balanceFen = Math.max(0, person.balanceFen - now.split.account);
    const settledAtMs = this.clock.now();
    order.settlement = {
      setlId: `SETL${HOME_ADMDVS}${cstCompact(settledAtMs)}${seq(this.nextSeq(), 8)}`,
      settledAtMs,
      year,
      result: now,
      balanceAfterFen: person.balanceFen,
    };
    order.status = 'SETTLED';
    this.days.add(settledAtMs, { kind: 'SETTLEMENT', order });
    return order;
  }

  protected fail(order: Order, reason: string): Order {
    order.status = 'FAILED';
    order.failureReason = reason;
    return order;
  }

  /**
   * What the platform's books show for a settlement (3201, the 3202 file), changed by the admin API to inject
   * an amount discrepancy: legs given replace the settled ones, total = fund + account + cash. The settlement
   * itself (6301, refund limits, balances) is untouched.
   */
  reportSettlementAs(payOrdId: string, legs: Partial<Omit<Split, 'total'>>): Order {
    const order = this.order(payOrdId);
    const settlement = order.settlement;
    if (!settlement)
      throw new InsuranceBizError('ORDER_STATE_INVALID', `支付订单状态为 ${order.status}，未结算`);
    const shown = settlement.reportedSplit ?? settlement.result.split;
    const fund = legs.fund ?? shown.fund;
    const account = legs.account ?? shown.account;
    const cash = legs.cash ?? shown.cash;
    const total = fund + account + cash;
    if (total > FEN_MAX) throw new InsuranceBizError('AMOUNT_MISMATCH', `total ${total} fen is too large`);
    settlement.reportedSplit = { total, fund, account, cash };
    return order;
  }

  /** 6401: only before settlement; revoking a revoked order is a no-op. */
  revoke(payOrdId: string, payToken: string, idNo: string): Order {
    const order = this.ownedOrder(payOrdId, payToken, idNo);
    switch (order.status) {
      case 'UPLOADED':
      case 'PRESETTLED':
      case 'FAILED':
        order.status = 'REVOKED';
        return order;
      case 'REVOKED':
        return order;
      case 'SETTLED':
      case 'PARTIALLY_REFUNDED':
      case 'REFUNDED':
        throw new InsuranceBizError(
          'ORDER_ALREADY_SETTLED',
          `支付订单 ${payOrdId} 已结算，不能撤销，请走退费（6203）`,
        );
    }
  }
}
