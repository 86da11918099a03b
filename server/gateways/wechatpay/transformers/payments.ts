/**
 * Payments: JSAPI orders (the cash leg) and med-ins orders (医保混合支付), their request bodies and the answers
 * and query results read back, with the exhaustive mapping of WeChat's trade and mix-pay states. Every answer is
 * checked against what we sent (out_trade_no, ids, amounts); a mismatch is invalid_response.
 */
import { z } from 'zod';
import { rfc3339Cst } from '../../../../shared/clock';
import { mixPayTypeOf, type Split } from '../../../../shared/money';
import type {
  JsapiOrder,
  MedInsOrder,
  MedInsOrderState,
  MixPayStatus,
  TradeState,
  TransactionState,
} from '../../ports';
import { type MerchantIds, invalid, parse, fen, timeMs } from './common';

// ───────────────────────────── status mapping ─────────────────────────────

export function tradeStateOf(raw: string): TradeState {
  const state = raw as TradeState;
  switch (state) {
    case 'SUCCESS':
    case 'REFUND':
    case 'NOTPAY':
    case 'CLOSED':
    case 'REVOKED':
    case 'USERPAYING':
    case 'PAYERROR':
      return state;
  }
  return invalid(`unknown trade_state ${JSON.stringify(raw)}`);
}

export function mixPayStatusOf(raw: string): MixPayStatus {
  const status = raw as MixPayStatus;
  switch (status) {
    case 'MIX_PAY_CREATED':
    case 'MIX_PAY_SUCCESS':
    case 'MIX_PAY_REFUND':
    case 'MIX_PAY_FAIL':
      return status;
  }
  return invalid(`unknown mix_pay_status ${JSON.stringify(raw)}`);
}

type SelfPayStatus =
  'SELF_PAY_CREATED' | 'SELF_PAY_SUCCESS' | 'SELF_PAY_REFUND' | 'SELF_PAY_FAIL' | 'NO_SELF_PAY';

export function selfPayStatusOf(raw: string): SelfPayStatus {
  const status = raw as SelfPayStatus;
  switch (status) {
    case 'SELF_PAY_CREATED':
    case 'SELF_PAY_SUCCESS':
    case 'SELF_PAY_REFUND':
    case 'SELF_PAY_FAIL':
    case 'NO_SELF_PAY':
      return status;
  }
  return invalid(`unknown self_pay_status ${JSON.stringify(raw)}`);
}

type MedInsPayStatus =
  | 'MED_INS_PAY_CREATED'
  | 'MED_INS_PAY_SUCCESS'
  | 'MED_INS_PAY_REFUND'
  | 'MED_INS_PAY_FAIL'
  | 'NO_MED_INS_PAY';

export function medInsPayStatusOf(raw: string): MedInsPayStatus {
  const status = raw as MedInsPayStatus;
  switch (status) {
    case 'MED_INS_PAY_CREATED':
    case 'MED_INS_PAY_SUCCESS':
    case 'MED_INS_PAY_REFUND':
    case 'MED_INS_PAY_FAIL':
    case 'NO_MED_INS_PAY':
      return status;
  }
  return invalid(`unknown med_ins_pay_status ${JSON.stringify(raw)}`);
}

// ───────────────────────────── JSAPI orders ─────────────────────────────

export function toJsapiRequest(
  order: JsapiOrder,
  ids: MerchantIds,
  notifyUrl: string,
): Record<string, unknown> {
  return {
    appid: ids.appId,
    mchid: ids.mchId,
    description: order.description,
    out_trade_no: order.outTradeNo,
    time_expire: rfc3339Cst(order.expireAtMs),
    ...(order.attach !== undefined ? { attach: order.attach } : {}),
    notify_url: notifyUrl,
    amount: { total: order.amountFen, currency: 'CNY' },
    payer: { openid: order.openid },
  };
}

export function fromPrepay(body: unknown): { prepayId: string } {
  const parsed = parse(z.object({ prepay_id: z.string().min(1).max(64) }), body, 'jsapi order');
  return { prepayId: parsed.prepay_id };
}

const transactionSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().min(1).optional(),
  trade_state: z.string(),
  success_time: z.string().optional(),
  amount: z.object({ total: fen.min(1), payer_total: fen.optional() }),
  payer: z.object({ openid: z.string().min(1) }).optional(),
});

/** The query-order shape (also the TRANSACTION.SUCCESS plaintext), checked to be about our order. */
export function fromTransaction(
  body: unknown,
  ids: MerchantIds,
  expectedOutTradeNo?: string,
): TransactionState {
  const tx = parse(transactionSchema, body, 'transaction');
  if (tx.mchid !== ids.mchId || tx.appid !== ids.appId)
    invalid(`transaction of another merchant: ${tx.mchid}/${tx.appid}`);
  if (expectedOutTradeNo !== undefined && tx.out_trade_no !== expectedOutTradeNo) {
    invalid(`asked for out_trade_no ${expectedOutTradeNo}, got ${tx.out_trade_no}`);
  }
  const tradeState = tradeStateOf(tx.trade_state);
  const paid = tradeState === 'SUCCESS' || tradeState === 'REFUND';
  if (paid && tx.transaction_id === undefined) invalid(`trade_state ${tradeState} without transaction_id`);
  if (tx.amount.payer_total !== undefined && tx.amount.payer_total > tx.amount.total) {
    invalid(`payer_total ${tx.amount.payer_total} exceeds total ${tx.amount.total}`);
  }
  return {
    outTradeNo: tx.out_trade_no,
    tradeState,
    transactionId: tx.transaction_id,
    amountFen: tx.amount.total,
    successTimeMs: timeMs(tx.success_time, 'success_time'),
    payerOpenid: tx.payer?.openid,
  };
}

// ───────────────────────────── med-ins orders ─────────────────────────────

/** serial_no is string(20) at WeChat (the success-callback field table). */
export const MED_INS_SERIAL_NO_MAX = 20;

export interface MedInsRequestContext {
  appId: string;
  callbackUrl: string;
  /** RSA-OAEP with the WeChat Pay key named in the Wechatpay-Serial header */
  encrypt(plaintext: string): string;
  /** lower-case MD5 of the ID number (shared/crypto/wechatpay idDigest) */
  idDigest(idNo: string): string;
}

/**
 * The amounts WeChat sees for a split (PROTOCOLS 2.1); the invariants hold by construction. INSURANCE_ONLY sends
 * no cash field at all (checklist item 6): med_ins_cash_fee is 0 and wechat_pay_cash_fee is left out.
 */
function medInsFees(order: Pick<MedInsOrder, 'mixPayType' | 'split' | 'fundOther'>) {
  const { split } = order;
  if (!Number.isInteger(order.fundOther) || order.fundOther < 0 || order.fundOther > split.fund)
    throw new Error(`fundOther ${order.fundOther} is not a part of the fund ${split.fund}`);
  // 统筹 is med_ins_gov_fee, 个账 med_ins_self_fee, the other funds med_ins_other_fee (the callback field table)
  const insurance = {
    total_fee: split.total,
    med_ins_gov_fee: split.fund - order.fundOther,
    med_ins_self_fee: split.account,
    med_ins_other_fee: order.fundOther,
  };
  switch (order.mixPayType) {
    case 'CASH_ONLY':
      // the four med_ins fees sum to 0, so the cash is an addition
      return { ...insurance, med_ins_cash_fee: 0, wechat_pay_cash_fee: split.cash };
    case 'INSURANCE_ONLY':
      return { ...insurance, med_ins_cash_fee: 0 };
    case 'CASH_AND_INSURANCE':
      return { ...insurance, med_ins_cash_fee: split.cash, wechat_pay_cash_fee: split.cash };
  }
}

/** payer / relative as WeChat wants them: name and ID digest RSA-OAEP encrypted. */
function person(p: { name: string; idNo: string }, ctx: MedInsRequestContext) {
  return { name: ctx.encrypt(p.name), id_digest: ctx.encrypt(ctx.idDigest(p.idNo)), card_type: 'ID_CARD' };
}

/**
 * The body of POST /v3/med-ins/orders. No passthrough_request_content: it may not repeat pay_auth_no /
 * pay_ord_id / setl_latlnt (checklist item 28), and we have nothing else the platform asks to pass through.
 */
export function toMedInsRequest(order: MedInsOrder, ctx: MedInsRequestContext): Record<string, unknown> {
  if (order.mixPayType !== mixPayTypeOf(order.split)) {
    throw new Error(`mix_pay_type ${order.mixPayType} does not follow from the split`);
  }
  if (order.split.cash > 0 && !order.prepayId)
    throw new Error('a med-ins order with cash needs the prepay_id');
  if (order.serialNo.length > MED_INS_SERIAL_NO_MAX)
    throw new Error(`serial_no ${order.serialNo} is longer than ${MED_INS_SERIAL_NO_MAX} characters`);
  const cashOnly = order.mixPayType === 'CASH_ONLY';
  return {
    mix_pay_type: order.mixPayType,
    order_type: order.orderType,
    appid: ctx.appId,
    openid: order.openid,
    payer: person(order.payer, ctx),
    ...(order.relative ? { pay_for_relatives: true, relative: person(order.relative, ctx) } : {}),
    out_trade_no: order.outTradeNo,
    serial_no: order.serialNo,
    ...(cashOnly
      ? {}
      : {
          pay_order_id: order.payOrderId,
          pay_auth_no: order.payAuthNo,
          geo_location: order.geoLocation,
          med_ins_order_create_time: rfc3339Cst(order.createdAtMs),
        }),
    city_id: order.cityId,
    med_inst_name: order.medInstName,
    med_inst_no: order.medInstNo,
    ...medInsFees(order),
    ...(cashOnly
      ? { cash_add_detail: [{ cash_add_fee: order.split.cash, cash_add_type: 'DEFAULT_ADD_TYPE' }] }
      : {}),
    callback_url: ctx.callbackUrl,
    ...(order.prepayId && order.split.cash > 0 ? { prepay_id: order.prepayId } : {}),
  };
}

const medInsEntitySchema = z.object({
  mix_trade_no: z.string().min(1),
  mix_pay_status: z.string(),
  self_pay_status: z.string(),
  med_ins_pay_status: z.string(),
  paid_time: z.string().optional(),
  appid: z.string().optional(),
  openid: z.string().optional(),
  out_trade_no: z.string(),
  mix_pay_type: z.string().optional(),
  transaction_id: z.string().optional(),
  total_fee: fen,
  med_ins_gov_fee: fen.optional(),
  med_ins_self_fee: fen.optional(),
  med_ins_other_fee: fen.optional(),
  wechat_pay_cash_fee: fen.optional(),
  cash_reduce_detail: z.array(z.object({ cash_reduce_fee: fen })).optional(),
});

export interface MedInsExpectation {
  outTradeNo: string;
  /** the amounts we sent, when this answers our create */
  order?: Pick<MedInsOrder, 'mixPayType' | 'split' | 'fundOther'>;
}

/** The med-ins entity (create/query answer, MEDICAL_INSURANCE.SUCCESS plaintext), checked against what we sent. */
export function fromMedInsEntity(
  body: unknown,
  appId: string,
  expected: MedInsExpectation,
): MedInsOrderState {
  const e = parse(medInsEntitySchema, body, 'med-ins order');
  if (e.out_trade_no !== expected.outTradeNo)
    invalid(`asked for out_trade_no ${expected.outTradeNo}, got ${e.out_trade_no}`);
  if (e.appid !== undefined && e.appid !== appId) invalid(`med-ins order of another appid: ${e.appid}`);
  const gov = e.med_ins_gov_fee ?? 0;
  const self = e.med_ins_self_fee ?? 0;
  const other = e.med_ins_other_fee ?? 0;
  const cash = e.wechat_pay_cash_fee ?? 0;
  const reduce = (e.cash_reduce_detail ?? []).reduce((sum, r) => sum + r.cash_reduce_fee, 0);
  if (e.total_fee !== gov + self + other + cash + reduce)
    invalid(`total_fee ${e.total_fee} breaks the amount invariant`);
  const split: Split = { total: gov + self + other + cash, fund: gov + other, account: self, cash };
  if (expected.order) checkSentAmounts(e, expected.order);
  return {
    mixTradeNo: e.mix_trade_no,
    outTradeNo: e.out_trade_no,
    mixPayStatus: mixPayStatusOf(e.mix_pay_status),
    selfPayStatus: selfPayStatusOf(e.self_pay_status),
    medInsPayStatus: medInsPayStatusOf(e.med_ins_pay_status),
    split,
    transactionId: e.transaction_id,
    paidTimeMs: timeMs(e.paid_time, 'paid_time'),
    openid: e.openid,
  };
}

function checkSentAmounts(
  e: z.infer<typeof medInsEntitySchema>,
  order: Pick<MedInsOrder, 'mixPayType' | 'split' | 'fundOther'>,
): void {
  const fees = medInsFees(order);
  const sent = { ...fees, wechat_pay_cash_fee: 'wechat_pay_cash_fee' in fees ? fees.wechat_pay_cash_fee : 0 };
  const got = {
    total_fee: e.total_fee,
    med_ins_gov_fee: e.med_ins_gov_fee ?? 0,
    med_ins_self_fee: e.med_ins_self_fee ?? 0,
    med_ins_other_fee: e.med_ins_other_fee ?? 0,
    wechat_pay_cash_fee: e.wechat_pay_cash_fee ?? 0,
  };
  for (const key of Object.keys(got) as (keyof typeof got)[]) {
    if (got[key] !== sent[key]) invalid(`${key}: sent ${sent[key]}, WeChat answered ${got[key]}`);
  }
  if (e.mix_pay_type !== undefined && e.mix_pay_type !== order.mixPayType) {
    invalid(`mix_pay_type: sent ${order.mixPayType}, WeChat answered ${e.mix_pay_type}`);
  }
}
