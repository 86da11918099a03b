/**
 * Wire of the national healthcare security platform (国家医保信息平台) as the mock speaks it and the adapter
 * calls it: paths, infno codes, dictionaries, and zod schemas of every body either side parses.
 *
 * Two envelopes (PROTOCOLS 3.1 and 3.3):
 * - standard: `POST /fsi/api/rsfComIfsService/callService`, `{infno, msgid, …, input:{data}}` → `{infcode, …,
 *   output}`, authenticated by x-tif-* headers (shared/crypto/smEnvelope.ts). Used for 1101, 3201, 3202 and
 *   9102 (whose input is `{fsDownloadIn}` and whose answer, on success, is the file itself, not JSON).
 * - mobile payment (6201–6401): body and answer data inside the SM4/SM2 envelope; the answer is
 *   `{code: 0, message, success: true, ...envelope}`, or `{code: <non-zero>, message, success: false}` unsealed.
 *
 * Amounts on the mobile wire are yuan strings ("12.30"); convert with shared/money only.
 * Choices marked "unverified" are ours where no public source fixed them; the mock README lists them.
 */
import { z } from 'zod';

export const INSURANCE_PATHS = {
  /** standard infno envelope (1101, 3201, 3202) */
  standard: '/fsi/api/rsfComIfsService/callService',
  /** Tencent's authCode → payAuthNo user query; unverified path and shape */
  authUserQuery: '/wecity/api/auth/user-query',
  /** H5 authorization page (card.wecity.qq.com/oauth/code in real life) */
  authPage: '/oauth/code',
  /** the page's confirm form posts here (mock only) */
  authConfirm: '/oauth/code/confirm',
  uploadFees: '/org/local/api/hos/uldFeeInfo',
  payOrder: '/org/local/api/hos/pay_order',
  refundOrder: '/org/local/api/hos/refund_Order',
  queryOrder: '/org/local/api/hos/query_order_info',
  revokeOrder: '/org/local/api/hos/revoke_order',
} as const;

export const INFNO = {
  personInfo: '1101',
  reconcileTotals: '3201',
  reconcileDetails: '3202',
  /** 文件下载: the detail file of a 3202 */
  fileDownload: '9102',
  uploadFees: '6201',
  payOrder: '6202',
  refundOrder: '6203',
  queryOrder: '6301',
  revokeOrder: '6401',
} as const;

/** Upper bound on fee lines in one 6201 upload. */
export const FEE_LINES_MAX = 500;

export const yuanSchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'a non-negative yuan amount such as "12.30"');
const id = (max: number) => z.string().min(1).max(max);
const flagSchema = z.enum(['0', '1']);

// ───────────────────────────── dictionaries ─────────────────────────────

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

/**
 * psn_insu_stas in 1101 insuinfo. '1' 正常参保, '2' 暂停参保 and '4' 终止参保 are the national codes; '3' 欠费
 * and '5' 异地未备案 are this mock's extensions (unverified) so the adapter can name the reason.
 */
export const PSN_INSU_STAS = {
  ACTIVE: '1',
  SUSPENDED: '2',
  ARREARS: '3',
  TERMINATED: '4',
  OUT_OF_AREA: '5',
} as const;
export const psnInsuStasSchema = z.enum(['1', '2', '3', '4', '5']);
export type PsnInsuStas = z.infer<typeof psnInsuStasSchema>;

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

// ───────────────────────────── standard envelope (1101) ─────────────────────────────

export const standardRequestSchema = z.object({
  infno: z.string().regex(/^\d{4}$/),
  msgid: id(30),
  mdtrtarea_admvs: z.string().max(6),
  insuplc_admdvs: z.string().max(6).optional(),
  recer_sys_code: z.string().max(10),
  dev_no: z.string().optional(),
  dev_safe_info: z.string().optional(),
  cainfo: z.string().optional(),
  signtype: z.string().optional(),
  infver: z.string().min(1),
  opter_type: z.enum(['1', '2', '3']),
  opter: z.string(),
  opter_name: z.string(),
  inf_time: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  fixmedins_code: id(12),
  fixmedins_name: z.string(),
  sign_no: z.string().optional(),
  /** usually `{data: {…}}`; 9102 sends `{fsDownloadIn: {…}}` */
  input: z.record(z.string(), z.unknown()),
});
export type StandardRequest = z.infer<typeof standardRequestSchema>;

export const standardResponseSchema = z.object({
  infcode: z.number().int(),
  inf_refmsgid: z.string(),
  refmsg_time: z.string(),
  respond_time: z.string(),
  err_msg: z.string().nullable().optional(),
  warn_msg: z.string().nullable().optional(),
  output: z.unknown(),
});
export type StandardResponse = z.infer<typeof standardResponseSchema>;

/** 1101 input.data. mdtrt_cert_type: 01 e-voucher (payAuthNo), 02 ID card, 03 social security card. */
export const personInfoInputSchema = z.object({
  mdtrt_cert_type: z.enum(['01', '02', '03']),
  mdtrt_cert_no: id(64),
  card_sn: z.string().optional(),
  begntime: z.string().optional(),
  psn_cert_type: z.string().optional(),
  certno: z.string().optional(),
  psn_name: z.string().optional(),
});
export type PersonInfoInput = z.infer<typeof personInfoInputSchema>;

export const personInfoOutputSchema = z.object({
  baseinfo: z.object({
    psn_no: id(30),
    psn_cert_type: z.string(),
    certno: z.string(),
    psn_name: z.string(),
    gend: z.string(),
    naty: z.string(),
    brdy: z.string(),
    age: z.number(),
  }),
  insuinfo: z.array(
    z.object({
      balc: yuanSchema,
      insutype: z.string(),
      psn_type: z.string(),
      psn_insu_stas: z.string(),
      psn_insu_date: z.string().nullable(),
      paus_insu_date: z.string().nullable(),
      cvlserv_flag: z.string(),
      insuplc_admdvs: z.string(),
      emp_name: z.string().nullable(),
    }),
  ),
  idetinfo: z.array(
    z.object({
      psn_idet_type: z.string(),
      psn_type_lv: z.string().nullable(),
      memo: z.string().nullable(),
      begntime: z.string().nullable(),
      endtime: z.string().nullable(),
    }),
  ),
});
export type PersonInfoOutput = z.infer<typeof personInfoOutputSchema>;

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

// ───────────────────────────── 3201 / 3202 / 9102: daily reconciliation ─────────────────────────────
//
// Our reading (PROTOCOLS 3.2; the choices marked unverified are ours, listed in the mock README):
// - 3201 对总账 `input.data` as PROTOCOLS 3.2 for a date range (we always send one day: begndate = enddate);
//   `insutype` blank = every insutype (unverified). Amounts are the day's settlements net of refunds, so they
//   may be negative (a day with more refunds of earlier settlements than settlements); the count likewise is
//   settlements minus refunds. Answer `output.stmtinfo{setl_optins, stmt_rslt, stmt_rslt_dscr}` (stmt_rslt "0"
//   balanced, "1" not), plus `output.stmt_totals`, the platform's own totals: a mock extension (unverified).
// - 3202 对明细账 with `file_qury_no` blank (no file of ours uploaded with 9101): the platform answers
//   `output.fileinfo{file_qury_no, filename, dld_endtime}` for its own detail of the range (unverified; the
//   hospital totals of PROTOCOLS 3.2 are accepted and ignored).
// - 9102 文件下载 `input.fsDownloadIn{file_qury_no, filename, fixmedins_code}` on the same standard path; the answer
//   is the file (not JSON; a failure is the usual JSON answer with infcode -1). Real files are `.txt.zip`; ours
//   is plain UTF-8 text (unverified), laid out as DAY_FILE below.

/** Days one 3201/3202 may span. */
export const RECON_DAYS_MAX = 31;

/** 清算类别 we reconcile: outpatient (unverified code). */
export const CLR_TYPE_OUTPATIENT = '11';

/** stmt_rslt of 3201 as this mock uses it (unverified). */
export const STMT_RSLT = { BALANCED: '0', UNBALANCED: '1' } as const;

/** A yuan amount that may be negative: day totals net of refunds. */
export const signedYuanSchema = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,2})?$/, 'a yuan amount such as "12.30" or "-4.00"');

/** yyyy-MM-dd that names a real calendar day */
export const stmtDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected yyyy-MM-dd')
  .refine((date) => new Date(`${date}T00:00:00Z`).toISOString().startsWith(date), 'not a calendar date');

const admdvsSchema = z.string().regex(/^\d{6}$/, 'a 6-digit admdvs');
const countSchema = z.number().int().min(-10_000_000).max(10_000_000);

export const reconcileTotalsInputSchema = z.object({
  /** "" = every insutype */
  insutype: z.string().max(6),
  clr_type: z.string().max(6),
  /** 清算经办机构 (its admdvs) */
  setl_optins: admdvsSchema,
  stmt_begndate: stmtDateSchema,
  stmt_enddate: stmtDateSchema,
  medfee_sumamt: signedYuanSchema,
  fund_pay_sumamt: signedYuanSchema,
  acct_pay: signedYuanSchema,
  /** settlements minus refunds */
  fixmedins_setl_cnt: countSchema,
});
export type ReconcileTotalsInput = z.infer<typeof reconcileTotalsInputSchema>;

/** The platform's own totals of the range (mock extension, unverified), net of refunds like the input. */
export const stmtTotalsSchema = z.object({
  medfee_sumamt: signedYuanSchema,
  fund_pay_sumamt: signedYuanSchema,
  acct_pay: signedYuanSchema,
  psn_cash_pay: signedYuanSchema,
  fixmedins_setl_cnt: countSchema,
});
export type StmtTotals = z.infer<typeof stmtTotalsSchema>;

export const reconcileTotalsOutputSchema = z.object({
  stmtinfo: z.object({
    setl_optins: z.string(),
    stmt_rslt: z.string().min(1),
    stmt_rslt_dscr: z.string().nullable().optional(),
  }),
  stmt_totals: stmtTotalsSchema,
});
export type ReconcileTotalsOutput = z.infer<typeof reconcileTotalsOutputSchema>;

export const reconcileDetailsInputSchema = z.object({
  setl_optins: admdvsSchema,
  /** from a 9101 upload of our own detail; blank = none (the platform's detail only) */
  file_qury_no: z.string().max(64).optional(),
  stmt_begndate: stmtDateSchema,
  stmt_enddate: stmtDateSchema,
  clr_type: z.string().max(6).optional(),
  insutype: z.string().max(6).optional(),
  medfee_sumamt: signedYuanSchema.optional(),
  fund_pay_sumamt: signedYuanSchema.optional(),
  cash_payamt: signedYuanSchema.optional(),
  fixmedins_setl_cnt: countSchema.optional(),
});
export type ReconcileDetailsInput = z.infer<typeof reconcileDetailsInputSchema>;

export const fileInfoSchema = z.object({
  file_qury_no: id(64),
  filename: id(200),
  /** yyyy-MM-dd HH:mm:ss (CST): the file can be downloaded until then */
  dld_endtime: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
});
export type FileInfo = z.infer<typeof fileInfoSchema>;

export const reconcileDetailsOutputSchema = z.object({ fileinfo: fileInfoSchema });
export type ReconcileDetailsOutput = z.infer<typeof reconcileDetailsOutputSchema>;

/** 9102 `input.fsDownloadIn` */
export const fileDownloadInputSchema = z.object({
  file_qury_no: id(64),
  filename: id(200),
  fixmedins_code: id(30),
});
export type FileDownloadInput = z.infer<typeof fileDownloadInputSchema>;

/**
 * The detail file of 3202 (our layout; unverified). UTF-8 text, lines ending "\n" ("\r\n" accepted), fields
 * separated by one tab; values never contain tabs or line breaks.
 * - line 1: the column names (a reader maps columns by name; it may meet more columns than it knows);
 * - one line per settlement (refd_setl_flag 0, cut on its settlement time) and per refund (1, cut on the refund
 *   time) recorded in the range, CST; amounts positive yuan (a refund line shows what was refunded per leg),
 *   medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay;
 * - last line: `TOTAL`, then the values of DAY_FILE.totalColumns: the range, the line count, and per kind the
 *   count and the sums of each amount column.
 */
export const DAY_FILE = {
  separator: '\t',
  columns: [
    /** 0 settlement, 1 refund */
    'refd_setl_flag',
    'setl_id',
    'pay_ord_id',
    /** 医药机构结算ID: our order number (6201 medOrgOrd) */
    'medins_setl_id',
    /** 6203 appRefdSn on refund lines, "" on settlements */
    'refd_sn',
    'psn_no',
    'insutype',
    /** settlement time, or refund time on refund lines: yyyy-MM-dd HH:mm:ss CST */
    'trns_time',
    'medfee_sumamt',
    'fund_pay_sumamt',
    'acct_pay',
    'psn_cash_pay',
  ],
  totalTag: 'TOTAL',
  totalColumns: [
    'stmt_begndate',
    'stmt_enddate',
    'line_cnt',
    'setl_cnt',
    'setl_medfee_sumamt',
    'setl_fund_pay_sumamt',
    'setl_acct_pay',
    'setl_psn_cash_pay',
    'refd_cnt',
    'refd_medfee_sumamt',
    'refd_fund_pay_sumamt',
    'refd_acct_pay',
    'refd_psn_cash_pay',
  ],
  flag: { SETTLEMENT: '0', REFUND: '1' },
  contentType: 'text/plain; charset=utf-8',
  /** no line of a well-formed file is longer (a reader refuses longer ones rather than buffer them) */
  lineCharsMax: 2_000,
} as const;
export type DayFileColumn = (typeof DAY_FILE.columns)[number];
export type DayFileTotalColumn = (typeof DAY_FILE.totalColumns)[number];

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
