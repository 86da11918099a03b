/**
 * The request schema and the rules of POST /v3/med-ins/orders (PROTOCOLS 2.1), as pure functions: field
 * linkage by mix_pay_type (400 PARAM_ERROR) and the amount invariants (403 RULE_LIMIT).
 */
import { z } from 'zod';
import { FEN_MAX } from '../../shared/money';
import { WxError } from './signing';
import type { MedInsFees } from './state';
import { OUT_TRADE_NO, rfc3339String } from './transactions';

const fee = z.number().int().min(0).max(FEN_MAX);

const CARD_TYPES = [
  'ID_CARD',
  'HOUSEHOLD_REGISTRATION',
  'FOREIGNER_PASSPORT',
  'MAINLAND_TRAVEL_PERMIT_FOR_TW',
  'MAINLAND_TRAVEL_PERMIT_FOR_MO',
  'MAINLAND_TRAVEL_PERMIT_FOR_HK',
  'FOREIGN_PERMANENT_RESIDENT',
] as const;

const ORDER_TYPES = [
  'REG_PAY',
  'DIAG_PAY',
  'COVID_EXAM_PAY',
  'IN_HOSP_PAY',
  'PHARMACY_PAY',
  'INSURANCE_PAY',
  'INT_REG_PAY',
  'INT_RE_DIAG_PAY',
  'INT_RX_PAY',
  'COVID_ANTIGEN_PAY',
  'MED_PAY',
] as const;

const person = z.object({
  name: z.string().min(1),
  id_digest: z.string().min(1),
  card_type: z.enum(CARD_TYPES),
});

export const medInsOrderSchema = z.object({
  mix_pay_type: z.enum(['CASH_ONLY', 'INSURANCE_ONLY', 'CASH_AND_INSURANCE']),
  order_type: z.enum(ORDER_TYPES),
  appid: z.string().min(1).max(32),
  openid: z.string().min(1).max(128),
  sub_mchid: z.string().optional(),
  sub_appid: z.string().optional(),
  sub_openid: z.string().optional(),
  payer: person,
  relative: person.optional(),
  pay_for_relatives: z.boolean().optional(),
  out_trade_no: z.string().regex(OUT_TRADE_NO, '6-32 characters of [A-Za-z0-9_-|*]'),
  serial_no: z.string().min(1).max(20),
  pay_order_id: z.string().min(1).max(64).optional(),
  pay_auth_no: z.string().min(1).max(40).optional(),
  geo_location: z
    .string()
    .max(40)
    .regex(/^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$/, 'must be "lng,lat"')
    .optional(),
  city_id: z.string().min(1).max(8),
  med_inst_name: z.string().min(1).max(128),
  med_inst_no: z.string().min(1).max(32),
  med_ins_order_create_time: rfc3339String.optional(),
  total_fee: fee.min(1),
  med_ins_gov_fee: fee.optional(),
  med_ins_self_fee: fee.optional(),
  med_ins_other_fee: fee.optional(),
  med_ins_cash_fee: fee.optional(),
  wechat_pay_cash_fee: fee.optional(),
  cash_add_detail: z
    .array(
      z.object({
        cash_add_fee: fee,
        cash_add_type: z.enum(['DEFAULT_ADD_TYPE', 'FREIGHT', 'OTHER_MEDICAL_EXPENSES']),
      }),
    )
    .max(20)
    .optional(),
  cash_reduce_detail: z
    .array(
      z.object({
        cash_reduce_fee: fee,
        cash_reduce_type: z.enum([
          'DEFAULT_REDUCE_TYPE',
          'HOSPITAL_REDUCE',
          'PHARMACY_DISCOUNT',
          'DISCOUNT',
          'PRE_PAYMENT',
          'DEPOSIT_DEDUCTION',
        ]),
      }),
    )
    .max(20)
    .optional(),
  callback_url: z.url().max(256),
  prepay_id: z.string().min(1).max(64).optional(),
  passthrough_request_content: z.string().optional(),
  extends: z.string().optional(),
  attach: z.string().max(128).optional(),
  channel_no: z.string().max(32).optional(),
  med_ins_test_env: z.boolean().optional(),
});

export type MedInsOrderRequest = z.infer<typeof medInsOrderSchema>;

const DETAIL_TOTAL_FEE = 268529477;
export const DETAIL_SELF_PAY = 268529476;
const DETAIL_LINKAGE = 268529474;
export const DETAIL_LINKAGE_PREPAY = 268529475;
export const DETAIL_NOT_FOUND = 268529515;
export const DETAIL_ALREADY_EXISTS = 268512536;
const PASSTHROUGH_BYTES_MAX = 2048;

export function feesOf(body: MedInsOrderRequest): MedInsFees {
  return {
    total: body.total_fee,
    gov: body.med_ins_gov_fee ?? 0,
    self: body.med_ins_self_fee ?? 0,
    other: body.med_ins_other_fee ?? 0,
    medInsCash: body.med_ins_cash_fee ?? 0,
    wechatCash: body.wechat_pay_cash_fee ?? 0,
  };
}

export const insurancePartOf = (fees: MedInsFees): number => fees.gov + fees.self + fees.other;

const linkage = (message: string, detail = DETAIL_LINKAGE) =>
  new WxError(400, 'PARAM_ERROR', message, detail);

const INSURANCE_FIELDS = [
  'pay_order_id',
  'pay_auth_no',
  'geo_location',
  'med_ins_order_create_time',
] as const;

const MED_INS_FEES = [
  'med_ins_gov_fee',
  'med_ins_self_fee',
  'med_ins_other_fee',
  'med_ins_cash_fee',
] as const;
const CASH_FIELDS = ['wechat_pay_cash_fee', 'prepay_id', 'cash_add_detail', 'cash_reduce_detail'] as const;

/**
 * Which fields each mix_pay_type requires or forbids (开发参数与业务规则 §四, checklist item 6):
 * CASH_ONLY — the four med_ins fees sum to 0, the insurance order fields are forbidden, cash and prepay_id
 * required; INSURANCE_ONLY — the four med_ins fees and the insurance order fields required, no cash field at all;
 * CASH_AND_INSURANCE — everything required.
 */
export function checkLinkage(body: MedInsOrderRequest, fees: MedInsFees): void {
  const present = INSURANCE_FIELDS.filter((f) => body[f] !== undefined);
  switch (body.mix_pay_type) {
    case 'CASH_ONLY':
      if (fees.gov + fees.self + fees.other + fees.medInsCash !== 0) {
        throw linkage(
          'CASH_ONLY 时 med_ins_gov_fee、med_ins_self_fee、med_ins_other_fee、med_ins_cash_fee 之和必须为 0',
        );
      }
      if (present.length > 0) throw linkage(`CASH_ONLY 时不能传 ${present.join('、')}`);
      if (body.prepay_id === undefined) throw linkage('CASH_ONLY 时 prepay_id 必填', DETAIL_LINKAGE_PREPAY);
      if (fees.wechatCash === 0) throw linkage('CASH_ONLY 时 wechat_pay_cash_fee 必须大于 0');
      return;
    case 'INSURANCE_ONLY': {
      const cash = CASH_FIELDS.filter((f) => body[f] !== undefined);
      if (cash.length > 0) throw linkage(`INSURANCE_ONLY 时不能传 ${cash.join('、')}`, DETAIL_LINKAGE_PREPAY);
      requireInsuranceFields(present);
      requireMedInsFees(body);
      if (fees.medInsCash !== 0) throw linkage('INSURANCE_ONLY 时 med_ins_cash_fee 必须为 0');
      if (insurancePartOf(fees) === 0) throw linkage('INSURANCE_ONLY 时医保支付金额不能为 0');
      return;
    }
    case 'CASH_AND_INSURANCE':
      requireInsuranceFields(present);
      requireMedInsFees(body);
      if (body.prepay_id === undefined)
        throw linkage('CASH_AND_INSURANCE 时 prepay_id 必填', DETAIL_LINKAGE_PREPAY);
      if (body.wechat_pay_cash_fee === undefined)
        throw linkage('CASH_AND_INSURANCE 时 wechat_pay_cash_fee 必填');
      if (insurancePartOf(fees) === 0) throw linkage('CASH_AND_INSURANCE 时医保支付金额不能为 0');
      if (fees.wechatCash === 0) throw linkage('CASH_AND_INSURANCE 时 wechat_pay_cash_fee 不能为 0');
      return;
  }
}

function requireInsuranceFields(present: readonly string[]): void {
  const missing = INSURANCE_FIELDS.filter((f) => !present.includes(f));
  if (missing.length > 0) throw linkage(`含医保支付时 ${missing.join('、')} 必填`);
}

function requireMedInsFees(body: MedInsOrderRequest): void {
  const missing = MED_INS_FEES.filter((f) => body[f] === undefined);
  if (missing.length > 0) throw linkage(`含医保支付时 ${missing.join('、')} 必填（可为 0）`);
}

/**
 * 代亲属支付 (checklist item 17): pay_for_relatives = true needs relative{name, id_digest, card_type}, and a
 * relative without pay_for_relatives = true is refused.
 */
export function checkRelative(body: MedInsOrderRequest): void {
  if (body.pay_for_relatives === true && body.relative === undefined)
    throw new WxError(400, 'PARAM_ERROR', '该订单属于代亲属支付，但缺少亲属信息');
  if (body.pay_for_relatives !== true && body.relative !== undefined)
    throw new WxError(400, 'PARAM_ERROR', '传了亲属信息 relative 时 pay_for_relatives 须为 true');
}

/**
 * total_fee = gov+self+other+wechat_pay_cash_fee+Σreduce = gov+self+other+med_ins_cash_fee+Σadd and
 * wechat_pay_cash_fee = med_ins_cash_fee+Σadd−Σreduce.
 */
export function checkAmounts(body: MedInsOrderRequest, fees: MedInsFees): void {
  const add = (body.cash_add_detail ?? []).reduce((sum, a) => sum + a.cash_add_fee, 0);
  const reduce = (body.cash_reduce_detail ?? []).reduce((sum, r) => sum + r.cash_reduce_fee, 0);
  if (fees.wechatCash !== fees.medInsCash + add - reduce) {
    throw new WxError(403, 'RULE_LIMIT', '自费金额校验不通过', DETAIL_SELF_PAY);
  }
  // with the self-pay rule holding, the two total_fee sums are equal
  if (fees.total !== insurancePartOf(fees) + fees.medInsCash + add) {
    throw new WxError(403, 'RULE_LIMIT', '订单总金额校验不通过', DETAIL_TOTAL_FEE);
  }
}

/** Keys that are top-level fields of the order and must not be repeated in the passthrough (checklist item 28). */
const PASSTHROUGH_FORBIDDEN = new Set(['payauthno', 'payordid', 'payorderid', 'setllatlnt']);

export function checkPassthrough(content: string | undefined): void {
  if (content === undefined) return;
  if (Buffer.byteLength(content, 'utf8') > PASSTHROUGH_BYTES_MAX) {
    throw new WxError(400, 'PARAM_ERROR', 'passthrough_request_content 超过 2048 字节');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new WxError(400, 'PARAM_ERROR', 'passthrough_request_content 必须是 JSON 字符串');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new WxError(400, 'PARAM_ERROR', 'passthrough_request_content 必须是 JSON 对象');
  const repeated = Object.keys(parsed).filter((k) =>
    PASSTHROUGH_FORBIDDEN.has(k.replace(/_/g, '').toLowerCase()),
  );
  if (repeated.length > 0) {
    throw new WxError(
      400,
      'PARAM_ERROR',
      `passthrough_request_content 不能重复传入参顶级字段 pay_auth_no / pay_ord_id / setl_latlnt（含 ${repeated.join('、')}）`,
    );
  }
}
