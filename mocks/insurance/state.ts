/**
 * The insurance mock's state and its operations (persons, authorizations, orders, settlements, refunds).
 * Protocol-agnostic: routes parse and seal; this class decides. Business refusals throw InsuranceBizError with
 * a code of the mobile-payment set; the money rules are in rules.ts.
 */
import { createHmac } from 'node:crypto';
import { cstCompact, cstDate, type Clock } from '../../shared/clock';
import { FEN_MAX, yuanToFen, type Split } from '../../shared/money';
import type {
  MobileErrorName,
  PayOrderInput,
  RefundInput,
  UploadFeesInput,
} from '../../shared/protocol/insurance';
import {
  checkRefund,
  computeSettlement,
  consumeUsage,
  NO_USAGE,
  releaseUsage,
  type CatalogueItem,
  type InsuredStatus,
  type Insutype,
  type Policies,
  type SettlementResult,
  type YearUsage,
} from './rules';
import type { InsuranceEffects } from '../common/scenarios';
import { DayBook } from './daybook';
import type { Order, RefundRecord, Settlement } from './records';
import { HOME_ADMDVS, seedCatalogue, seedPersons, seedPolicies, type SeedPerson } from './seed';

export const PERSONS_MAX = 10_000;
/** room for a busy day of 100 000 settlements and then some; configurable per mock (InsuranceLimits) */
export const ORDERS_MAX = 1_000_000;
export const PAY_AUTHS_MAX = 100_000;

export interface InsuranceLimits {
  ordersMax: number;
  personsMax: number;
}

export const DEFAULT_LIMITS: InsuranceLimits = { ordersMax: ORDERS_MAX, personsMax: PERSONS_MAX };

export class InsuranceBizError extends Error {
  constructor(
    readonly code: MobileErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'InsuranceBizError';
  }
}

export type Person = SeedPerson;

export type SettleOutcome =
  | { kind: 'done'; order: Order }
  | { kind: 'refused'; code: 'NOT_PRESETTLED' | 'ORDER_REVOKED'; message: string };

const ZERO: Split = { total: 0, fund: 0, account: 0, cash: 0 };
const seq = (n: number, width: number) => String(n).padStart(width, '0');

const INELIGIBLE: Record<
  Exclude<InsuredStatus, 'ACTIVE'>,
  { code: MobileErrorName; message: (p: Person) => string }
> = {
  SUSPENDED: {
    code: 'PERSON_SUSPENDED',
    message: () => '参保人暂停参保，医保待遇暂停，本次不能使用医保结算（可全额自费）',
  },
  ARREARS: {
    code: 'PERSON_ARREARS',
    message: () => '参保人医保欠费，待遇暂不可用，本次不能使用医保结算（可全额自费）',
  },
  OUT_OF_AREA: {
    code: 'PERSON_OUT_OF_AREA',
    message: (p) =>
      `参保人参保地 ${p.insuplcAdmdvs} 非本统筹区且未办理异地就医备案，本次不能使用医保结算（可全额自费）`,
  },
};

export class InsuranceState {
  /** the day's settlements and refunds, for 3201/3202 */
  readonly days = new DayBook();
  catalogue = new Map<string, CatalogueItem>();
  policies: Policies = seedPolicies();
  readonly persons = new Map<string, Person>();
  readonly orders = new Map<string, Order>();
  private readonly byIdNo = new Map<string, string>();
  private readonly byAuthCode = new Map<string, string>();
  private readonly payAuths = new Map<string, string>();
  private readonly byMedOrgOrd = new Map<string, string>();
  private readonly refundSns = new Map<string, string>();
  private readonly usage = new Map<string, YearUsage>();
  private counter = 0;
  /** the scenario's effects on a person (set by scenarios.ts); none by default */
  effectsFor: (person: Person) => InsuranceEffects | undefined = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly tokenSecret: string,
    readonly limits: InsuranceLimits = DEFAULT_LIMITS,
  ) {
    this.reset();
  }

  reset(): void {
    this.catalogue = new Map(seedCatalogue().map((item) => [item.code, item]));
    this.policies = seedPolicies();
    for (const map of [
      this.persons,
      this.orders,
      this.byIdNo,
      this.byAuthCode,
      this.payAuths,
      this.byMedOrgOrd,
      this.refundSns,
      this.usage,
    ]) {
      map.clear();
    }
    this.days.clear();
    this.counter = 0;
    for (const person of seedPersons()) this.insertPerson(person);
  }

  year(): string {
    return cstDate(this.clock.now()).slice(0, 4);
  }

  private nextSeq(): number {
    return ++this.counter;
  }

  // ───────── persons and authorizations ─────────

  private insertPerson(person: Person): void {
    this.persons.set(person.psnNo, person);
    this.byIdNo.set(person.idNo, person.psnNo);
    this.byAuthCode.set(person.authCode, person.psnNo);
  }

  addPerson(input: {
    name: string;
    idNo: string;
    insutype: Insutype;
    balanceFen: number;
    status: InsuredStatus;
    insuplcAdmdvs?: string;
    holder?: { name: string; idNo: string };
  }): Person {
    if (this.byIdNo.has(input.idNo))
      throw new InsuranceBizError('PARAM_ERROR', 'a person with this idNo already exists');
    if (this.persons.size >= this.limits.personsMax)
      throw new InsuranceBizError('CAPACITY_EXCEEDED', `at most ${this.limits.personsMax} persons`);
    const psnNo = `3601${seq(100 + this.persons.size, 16)}`;
    const person: Person = {
      psnNo,
      name: input.name,
      idNo: input.idNo,
      insutype: input.insutype,
      status: input.status,
      balanceFen: input.balanceFen,
      authCode: `AUTH-${psnNo}`,
      insuplcAdmdvs: input.insuplcAdmdvs ?? (input.status === 'OUT_OF_AREA' ? '440300' : HOME_ADMDVS),
      ...(input.holder ? { holder: input.holder } : {}),
    };
    this.insertPerson(person);
    return person;
  }

  person(psnNo: string): Person | undefined {
    return this.persons.get(psnNo);
  }

  personByIdNo(idNo: string): Person | undefined {
    const psnNo = this.byIdNo.get(idNo);
    return psnNo === undefined ? undefined : this.persons.get(psnNo);
  }

  personByPayAuthNo(payAuthNo: string): Person | undefined {
    const psnNo = this.payAuths.get(payAuthNo);
    return psnNo === undefined ? undefined : this.persons.get(psnNo);
  }

  /** A person as the platform sees them now: the scenario's effects (status, insutype, balance…) over the record. */
  view(person: Person): Person {
    const e = this.effectsFor(person);
    if (!e) return person;
    return {
      ...person,
      status: e.status ?? person.status,
      insutype: e.insutype ?? person.insutype,
      balanceFen: e.balanceFen ?? person.balanceFen,
      insuplcAdmdvs: e.insuplcAdmdvs ?? person.insuplcAdmdvs,
    };
  }

  /** A year's usage as the rules see it: the scenario's deductible / cap used over the record. */
  private usageView(person: Person): YearUsage {
    const usage = this.usageOf(person.psnNo);
    const e = this.effectsFor(person);
    return {
      ...usage,
      deductibleUsedFen: e?.deductibleUsedFen ?? usage.deductibleUsedFen,
      capUsedFen: e?.capUsedFen ?? usage.capUsedFen,
    };
  }

  usageOf(psnNo: string, year = this.year()): YearUsage {
    return this.usage.get(`${psnNo}:${year}`) ?? NO_USAGE;
  }

  setUsage(psnNo: string, year: string, usage: YearUsage): void {
    this.usage.set(`${psnNo}:${year}`, usage);
  }

  usageYears(psnNo: string): Record<string, YearUsage> {
    const out: Record<string, YearUsage> = {};
    for (const [key, value] of this.usage)
      if (key.startsWith(`${psnNo}:`)) out[key.slice(psnNo.length + 1)] = value;
    return out;
  }

  /** An authorization code (reusable in this mock) → a fresh payAuthNo for its person. */
  issuePayAuth(authCode: string): { person: Person; payAuthNo: string } {
    const psnNo = this.byAuthCode.get(authCode);
    const person = psnNo === undefined ? undefined : this.persons.get(psnNo);
    if (!person) throw new InsuranceBizError('AUTH_CODE_INVALID', 'authCode 无效或已过期');
    if (this.payAuths.size >= PAY_AUTHS_MAX)
      this.payAuths.delete(this.payAuths.keys().next().value as string);
    const payAuthNo = `PAN${cstCompact(this.clock.now())}${seq(this.nextSeq(), 8)}`;
    this.payAuths.set(payAuthNo, person.psnNo);
    return { person, payAuthNo };
  }

  private assertEligible(record: Person): void {
    const person = this.view(record);
    if (person.status === 'ACTIVE') return;
    const rule = INELIGIBLE[person.status];
    throw new InsuranceBizError(rule.code, rule.message(person));
  }

  private assertPayAuth(payAuthNo: string, person: Person): void {
    if (this.payAuths.get(payAuthNo) !== person.psnNo)
      throw new InsuranceBizError('PAY_AUTH_INVALID', 'payAuthNo 无效或不属于该参保人');
  }

  // ───────── orders ─────────

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

  private compute(order: Order, person: Person): SettlementResult {
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
    };
    order.status = 'SETTLED';
    this.days.add(settledAtMs, { kind: 'SETTLEMENT', order });
    return order;
  }

  private fail(order: Order, reason: string): Order {
    order.status = 'FAILED';
    order.failureReason = reason;
    return order;
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
