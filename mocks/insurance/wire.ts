/** The insurance mock's answers on the wire: its state → 1101 / 6202 / 6301 / 6203 output (yuan strings). */
import { cstCompact, cstDateTime } from '../../shared/clock';
import { cashOnlySplit, fenToYuan as yuan, type Split } from '../../shared/money';
import { ORD_STAS, PSN_INSU_STAS, type PersonInfoOutput } from '../../shared/protocol/insurance';
import type { SettlementResult } from './rules';
import type { Person } from './state';
import type { Order, RefundRecord } from './records';

/** psn_type (unverified): 11 在职职工 for employees (310), 14 城乡居民 for residents (390). */
const PSN_TYPE: Record<Person['insutype'], string> = { '310': '11', '390': '14' };

function birthDate(idNo: string): string {
  return `${idNo.slice(6, 10)}-${idNo.slice(10, 12)}-${idNo.slice(12, 14)}`;
}

function ageAt(idNo: string, nowMs: number): number {
  const today = cstDateTime(nowMs).slice(0, 10);
  const born = birthDate(idNo);
  const years = Number(today.slice(0, 4)) - Number(born.slice(0, 4));
  return today.slice(5) >= born.slice(5) ? years : years - 1;
}

export function personInfoOutput(person: Person, nowMs: number): PersonInfoOutput {
  return {
    baseinfo: {
      psn_no: person.psnNo,
      psn_cert_type: '01',
      certno: person.idNo,
      psn_name: person.name,
      gend: Number(person.idNo[16]) % 2 === 1 ? '1' : '2',
      naty: '01',
      brdy: birthDate(person.idNo),
      age: ageAt(person.idNo, nowMs),
    },
    insuinfo: [
      {
        balc: yuan(person.balanceFen),
        insutype: person.insutype,
        psn_type: PSN_TYPE[person.insutype],
        psn_insu_stas: PSN_INSU_STAS[person.status],
        psn_insu_date: '2015-07-01',
        paus_insu_date: person.status === 'SUSPENDED' || person.status === 'ARREARS' ? '2026-01-01' : null,
        cvlserv_flag: '0',
        insuplc_admdvs: person.insuplcAdmdvs,
        emp_name: person.insutype === '310' ? '演示市某某有限公司' : null,
      },
    ],
    idetinfo: [],
  };
}

/** The latest split the order has: settled, else pre-settled, else nothing decided (all cash). */
export function latestResult(order: Order): SettlementResult | undefined {
  return order.settlement?.result ?? order.preSettlement;
}

function latestSplit(order: Order): Split {
  return latestResult(order)?.split ?? cashOnlySplit(order.totalFen);
}

/** 2206-style setlinfo, as extData.preSetl of 6202 (display fields; the legs are the split). */
function setlinfo(order: Order, person: Person, r: SettlementResult, nowMs: number): Record<string, string> {
  const s = r.split;
  const poolSelfPay = Math.max(0, r.inScopeFen - r.deductibleConsumedFen - s.fund);
  // settled: the balance the settlement left; pre-settled: what it would leave
  const balanceAfter = order.settlement
    ? order.settlement.balanceAfterFen
    : Math.max(0, person.balanceFen - s.account);
  return {
    mdtrt_id: order.medOrgOrd,
    psn_no: person.psnNo,
    psn_name: person.name,
    psn_cert_type: '01',
    certno: person.idNo,
    insutype: order.insutype,
    psn_type: PSN_TYPE[order.insutype],
    setl_time: cstDateTime(order.settlement?.settledAtMs ?? nowMs),
    med_type: '11',
    medfee_sumamt: yuan(s.total),
    fulamt_ownpay_amt: yuan(r.fullOwnPayFen),
    overlmt_selfpay: '0.00',
    preselfpay_amt: yuan(r.preSelfPayFen),
    inscp_scp_amt: yuan(r.inScopeFen),
    act_pay_dedc: yuan(r.deductibleConsumedFen),
    hifp_pay: yuan(s.fund),
    pool_prop_selfpay: yuan(poolSelfPay),
    fund_pay_sumamt: yuan(s.fund),
    psn_part_amt: yuan(s.account + s.cash),
    acct_pay: yuan(s.account),
    psn_cash_pay: yuan(s.cash),
    hosp_part_amt: '0.00',
    balc: yuan(balanceAfter),
    ...(order.settlement ? { setl_id: order.settlement.setlId } : {}),
  };
}

export function payOrderOutput(order: Order, person: Person, nowMs: number): Record<string, unknown> {
  const r = latestResult(order) as SettlementResult;
  return {
    payOrdId: order.payOrdId,
    ordStas: ORD_STAS[order.status],
    feeSumamt: yuan(r.split.total),
    ownPayAmt: yuan(r.split.cash),
    psnAcctPay: yuan(r.split.account),
    fundPay: yuan(r.split.fund),
    deposit: '0.00',
    acctMulaidPay: '0.00',
    hospPartAmt: '0.00',
    othFeeAmt: '0.00',
    extData: { preSetl: setlinfo(order, person, r, nowMs) },
  };
}

/**
 * 6301: the order as the platform has it. Once settled, extData.setlinfo holds the settlement's 2207-style setlinfo
 * (with balc, the balance the settlement left), as the settle-callback DTO carries it (unverified).
 */
export function queryOrderOutput(
  order: Order,
  person: Person,
  orgCodg: string,
  nowMs: number,
): Record<string, unknown> {
  const split = latestSplit(order);
  const settled = order.settlement;
  return {
    ordStas: ORD_STAS[order.status],
    callType: 'query',
    payOrdId: order.payOrdId,
    medOrgOrd: order.medOrgOrd,
    traceTime: cstCompact(nowMs),
    feeSumamt: yuan(split.total),
    ownpayAmt: yuan(split.cash),
    psnAcctPay: yuan(split.account),
    fundPay: yuan(split.fund),
    hiChrgTime: settled ? cstCompact(settled.settledAtMs) : '',
    hiDocSn: settled?.setlId ?? '',
    hiRgstSn: order.medOrgOrd,
    orgCode: orgCodg,
    setlType: 'ALL',
    setlId: settled?.setlId,
    extData: {
      refunded: {
        totlRefdAmt: yuan(order.refunded.total),
        fundRefdAmt: yuan(order.refunded.fund),
        psnAcctRefdAmt: yuan(order.refunded.account),
        cashRefdAmt: yuan(order.refunded.cash),
      },
      failureReason: order.failureReason,
      ...(settled ? { setlinfo: [setlinfo(order, person, settled.result, nowMs)] } : {}),
    },
  };
}

export function refundOutput(order: Order, record: RefundRecord): Record<string, unknown> {
  return {
    payOrdId: order.payOrdId,
    appRefdSn: record.appRefdSn,
    refStatus: 'SUCC',
    totlRefdAmt: yuan(record.split.total),
    psnAcctRefdAmt: yuan(record.split.account),
    fundRefdAmt: yuan(record.split.fund),
    cashRefdAmt: yuan(record.split.cash),
    ordStas: ORD_STAS[order.status],
  };
}
