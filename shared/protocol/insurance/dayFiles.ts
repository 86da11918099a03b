/**
 * The day's reconciliation on the standard envelope: 3201 对总账, 3202 对明细账 naming the platform's detail file,
 * 9102 downloading it (the answer is the file itself, not JSON), and DAY_FILE, the layout of that file as the
 * mock writes it and the adapter reads it.
 */
import { z } from 'zod';
import { id } from './common';

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
