/**
 * The mobile-payment family (PROTOCOLS 3.3, 6201–6401) and the auth-code exchange before it: body and answer data
 * travel inside the SM4/SM2 envelope; the answer is `{code: 0, message, success: true, ...envelope}`, or
 * `{code: <non-zero>, message, success: false}` unsealed. Also the ordStas and error-code dictionaries of this
 * family, and the mock → mock call that settles an order when the patient pays.
 */
import { z } from 'zod';
import { yuanSchema, id, flagSchema } from './common';

/** Upper bound on fee lines in one 6201 upload. */
export const FEE_LINES_MAX = 500;

/**
 * ordStas as this mock uses it; the real dictionary ("0".."16") is unverified. Classes follow the one public
 * hint: 0–2 processing, 3–6 settled, 7–13 refunded/cancelled, 14–16 failed.
 */
export const ORD_STAS = {
  /** 已上传: 6201 done */
  UPLOADED: '0',
  /** 已下单: 6202 pre-settlement done, nothing deducted */
  PRESETTLED: '1',
  /** 已结算 */
  SETTLED: '4',
  /** 部分退款: still settled, some of it refunded */
  PARTIALLY_REFUNDED: '6',
  /** 全额退款 */
  REFUNDED: '7',
  /** 已撤销 (6401) */
  REVOKED: '9',
  /** 结算失败 */
  FAILED: '14',
} as const;
export type OrdStasName = keyof typeof ORD_STAS;
export type OrdStas = (typeof ORD_STAS)[OrdStasName];
export const ordStasSchema = z.enum(['0', '1', '4', '6', '7', '9', '14']);

/** Error codes of the mobile-payment set and the auth query (non-zero `code`); unverified, chosen by us. */
export const MOBILE_ERROR = {
  BAD_ENVELOPE: 1001,
  DECRYPT_FAILED: 1002,
  BAD_SIGNATURE: 1003,
  PARAM_ERROR: 1004,
  AUTH_FAILED: 1005,
  PERSON_NOT_FOUND: 2001,
  PERSON_SUSPENDED: 2002,
  PERSON_ARREARS: 2003,
  PERSON_OUT_OF_AREA: 2004,
  INSUTYPE_MISMATCH: 2005,
  PAY_AUTH_INVALID: 2006,
  AUTH_CODE_INVALID: 2007,
  ORDER_NOT_FOUND: 3001,
  PAY_TOKEN_INVALID: 3002,
  MED_ORG_ORD_CONFLICT: 3003,
  AMOUNT_MISMATCH: 3004,
  ORDER_STATE_INVALID: 3005,
  ORDER_ALREADY_SETTLED: 3006,
  REFUND_EXCEEDS_SETTLED: 3007,
  REFUND_SN_CONFLICT: 3008,
  CAPACITY_EXCEEDED: 9001,
} as const;
export type MobileErrorName = keyof typeof MOBILE_ERROR;

const MOBILE_ERROR_NAMES = new Map<number, MobileErrorName>(
  (Object.entries(MOBILE_ERROR) as [MobileErrorName, number][]).map(([name, code]) => [code, name]),
);

/** The name of a mobile error code, or INSURANCE_<code> for codes we do not know. */
export function mobileErrorName(code: number): string {
  return MOBILE_ERROR_NAMES.get(code) ?? `INSURANCE_${code}`;
}

// ───────────────────────────── mobile-payment answers ─────────────────────────────

/** Outer body of every mobile-payment answer; envelope fields present only when code is 0. */
export const mobileResponseSchema = z.object({
  code: z.number().int(),
  message: z.string().nullable().optional(),
  success: z.boolean().optional(),
});

// ───────────────────────────── auth-code exchange (unverified) ─────────────────────────────

export const authUserQueryInputSchema = z.object({ authCode: id(128), openid: id(128) });
export type AuthUserQueryInput = z.infer<typeof authUserQueryInputSchema>;

export const authUserQueryOutputSchema = z.object({
  code: z.literal(0),
  message: z.string().optional(),
  payAuthNo: id(64),
  userName: z.string().min(1),
  userCardNo: z.string().min(1),
  /**
   * 代亲属 (unverified: our mock's reading of Tencent's user query): the e-voucher holder who authorized for
   * userName, when it is somebody else
   */
  holderName: z.string().min(1).optional(),
  holderCardNo: z.string().min(1).optional(),
  cityId: z.string().min(1),
  userLongitudeLatitude: z.object({
    longitude: z.union([z.string(), z.number()]),
    latitude: z.union([z.string(), z.number()]),
  }),
});
export type AuthUserQueryOutput = z.infer<typeof authUserQueryOutputSchema>;

// ───────────────────────────── 6201 费用明细上传 ─────────────────────────────

export const feeDetailSchema = z.object({
  feedetlSn: id(30),
  rxno: z.string().max(40).optional(),
  feeOcurTime: z.string(),
  /** 医保目录编码: the catalogue code the mock classifies by */
  medListCodg: id(50),
  /** 医药机构目录编码 */
  medinsListCodg: id(50),
  /** item name, for people reading the journal (unverified field) */
  medinsListName: z.string().max(200).optional(),
  detItemFeeSumamt: yuanSchema,
  cnt: z.string().regex(/^\d{1,8}(\.\d{1,4})?$/),
  pric: yuanSchema,
});
export type FeeDetail = z.infer<typeof feeDetailSchema>;

export const uploadFeesInputSchema = z.object({
  orgCodg: id(30),
  orgId: z.string().optional(),
  psnNo: id(30),
  insutype: id(6),
  medOrgOrd: id(40),
  initRxOrd: z.string().optional(),
  rxCircFlag: z.string().optional(),
  begntime: z.string(),
  idNo: id(30),
  userName: id(50),
  idType: z.string(),
  payAuthNo: id(64),
  insuCode: z.string().optional(),
  iptOtpNo: z.string(),
  medType: z.string(),
  feeType: z.string().optional(),
  medfeeSumamt: yuanSchema,
  acctUsedFlag: flagSchema,
  psnSetlway: z.string().optional(),
  chrgBchno: z.string(),
  uldLatlnt: z.string().optional(),
  mdtrtCertType: z.string(),
  feedetailList: z.array(feeDetailSchema).min(1).max(FEE_LINES_MAX),
});
export type UploadFeesInput = z.infer<typeof uploadFeesInputSchema>;

export const uploadFeesOutputSchema = z.object({
  payOrdId: id(64),
  payToken: id(128),
  extData: z.unknown().optional(),
});
export type UploadFeesOutput = z.infer<typeof uploadFeesOutputSchema>;

// ───────────────────────────── 6202 支付下单 (pre-settlement) ─────────────────────────────

export const payOrderInputSchema = z.object({
  payAuthNo: id(64),
  payOrdId: id(64),
  payToken: id(128),
  orgCodg: id(30),
  orgBizSer: id(40),
  chrgBchno: z.string().optional(),
  feeType: z.string().optional(),
  mdtrtId: z.string().optional(),
  acctUsedFlag: flagSchema,
});
export type PayOrderInput = z.infer<typeof payOrderInputSchema>;

export const payOrderOutputSchema = z.object({
  payOrdId: id(64),
  ordStas: z.string(),
  feeSumamt: yuanSchema,
  /** cash (自费, paid through WeChat) */
  ownPayAmt: yuanSchema,
  psnAcctPay: yuanSchema,
  fundPay: yuanSchema,
  deposit: yuanSchema.optional(),
  acctMulaidPay: yuanSchema.optional(),
  hospPartAmt: yuanSchema.optional(),
  othFeeAmt: yuanSchema.optional(),
  extData: z
    .object({ preSetl: z.record(z.string(), z.unknown()) })
    .partial()
    .optional(),
});
export type PayOrderOutput = z.infer<typeof payOrderOutputSchema>;

// ───────────────────────────── 6203 医保退费 ─────────────────────────────

export const refdTypeSchema = z.enum(['ALL', 'CASH', 'HI']);

export const refundInputSchema = z.object({
  payOrdId: id(64),
  appRefdSn: id(40),
  appRefdTime: z.string().regex(/^\d{14}$/),
  totlRefdAmt: yuanSchema,
  psnAcctRefdAmt: yuanSchema,
  fundRefdAmt: yuanSchema,
  cashRefdAmt: yuanSchema,
  payAuthNo: id(64),
  refdType: refdTypeSchema,
  expContent: z.string().optional(),
});
export type RefundInput = z.infer<typeof refundInputSchema>;

/** refStatus: SUCC | FAIL | EXP (unverified). The amounts are echoed so the adapter can check them. */
export const refundOutputSchema = z.object({
  payOrdId: id(64),
  appRefdSn: id(40),
  refStatus: z.enum(['SUCC', 'FAIL', 'EXP']),
  totlRefdAmt: yuanSchema,
  psnAcctRefdAmt: yuanSchema,
  fundRefdAmt: yuanSchema,
  cashRefdAmt: yuanSchema,
  ordStas: z.string().optional(),
});
export type RefundOutput = z.infer<typeof refundOutputSchema>;

// ───────────────────────────── 6301 订单结算结果查询 ─────────────────────────────

export const queryOrderInputSchema = z.object({
  payOrdId: id(64),
  orgCodg: id(30),
  payToken: id(128),
  idNo: id(30),
  userName: id(50),
  idType: z.string(),
});
export type QueryOrderInput = z.infer<typeof queryOrderInputSchema>;

export const queryOrderOutputSchema = z.object({
  ordStas: z.string(),
  callType: z.string().optional(),
  payOrdId: id(64),
  medOrgOrd: id(40),
  traceTime: z.string(),
  feeSumamt: yuanSchema,
  /** cash; note the lower-case p, as in the settle-callback DTO */
  ownpayAmt: yuanSchema,
  psnAcctPay: yuanSchema,
  fundPay: yuanSchema,
  /** yyyyMMddHHmmss (CST) once settled, else "" */
  hiChrgTime: z.string().optional(),
  hiDocSn: z.string().optional(),
  hiRgstSn: z.string().optional(),
  orgName: z.string().optional(),
  orgCode: z.string().optional(),
  ecCode: z.string().optional(),
  setlType: z.string().optional(),
  revsToken: z.string().optional(),
  /** settlement id once settled (our addition; unverified) */
  setlId: z.string().optional(),
  extData: z.record(z.string(), z.unknown()).optional(),
});
export type QueryOrderOutput = z.infer<typeof queryOrderOutputSchema>;

/**
 * 6301 `extData.setlinfo[]` once settled: the settlement's 2207-style setlinfo (field names as 2207 has them,
 * PROTOCOLS 3.2), as the hsa-his settle-callback DTO carries it (`ExtDataDTO.setlinfo`; unverified). Only what
 * we read is named here; `balc` is the 个人账户 balance right after the settlement, a yuan string.
 */
const settlementInfoSchema = z.looseObject({ setl_id: z.string().optional(), balc: yuanSchema.optional() });
export const queryOrderExtDataSchema = z.looseObject({ setlinfo: z.array(settlementInfoSchema).optional() });

// ───────────────────────────── 6401 费用明细上传撤销 ─────────────────────────────

export const revokeInputSchema = z.object({
  payOrdId: id(64),
  orgCodg: id(30),
  payToken: id(128),
  idNo: id(30),
  userName: id(50),
  idType: z.string(),
  extData: z.unknown().optional(),
});
export type RevokeInput = z.infer<typeof revokeInputSchema>;

export const revokeOutputSchema = z.object({ success: z.boolean(), message: z.string() });
export type RevokeOutput = z.infer<typeof revokeOutputSchema>;

// ───────────────────────────── mock → mock: settling when the patient pays ─────────────────────────────

/** Called by the WeChat Pay mock when the patient confirms: `POST` with body {} (or {result:"FAIL"}). */
export function settleAdminPath(payOrdId: string): string {
  return `/__admin/settlements/${encodeURIComponent(payOrdId)}/settle`;
}

export const settleRequestSchema = z.object({ result: z.enum(['SUCCESS', 'FAIL']).optional() });

export const settleResponseSchema = z.object({
  payOrdId: z.string(),
  status: z.enum(['SETTLED', 'REFUNDED', 'FAILED']),
  setlId: z.string().optional(),
  split: z
    .object({
      total: z.number().int(),
      fund: z.number().int(),
      account: z.number().int(),
      cash: z.number().int(),
    })
    .optional(),
  reason: z.string().optional(),
});
export type SettleResponse = z.infer<typeof settleResponseSchema>;
