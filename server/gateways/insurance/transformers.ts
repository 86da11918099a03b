/**
 * Insurance adapter, data side (pure): our port types ↔ the platform's wire (shared/protocol/insurance),
 * yuan ↔ fen, status and error mapping, and integrity checks of what comes back against what was sent
 * (order numbers, split sums, totals, refund amounts). Any answer that breaks them is invalid_response.
 */
import type { z } from 'zod';
import { cstDate, cstDateTime } from '../../../shared/clock';
import { fenToYuan, isValidSplit, yuanToFen, assertSplit, type Split } from '../../../shared/money';
import {
  CLR_TYPE_OUTPATIENT,
  DAY_FILE,
  STMT_RSLT,
  reconcileDetailsOutputSchema,
  reconcileTotalsOutputSchema,
  stmtDateSchema,
  type DayFileColumn,
  type FileDownloadInput,
  type FileInfo,
  type ReconcileDetailsInput,
  type ReconcileTotalsInput,
  authUserQueryOutputSchema,
  mobileErrorName,
  mobileResponseSchema,
  ordStasSchema,
  payOrderOutputSchema,
  personInfoOutputSchema,
  psnInsuStasSchema,
  queryOrderOutputSchema,
  refundOutputSchema,
  revokeOutputSchema,
  standardResponseSchema,
  uploadFeesOutputSchema,
  type OrdStas,
  type PayOrderInput,
  type PersonInfoInput,
  type PsnInsuStas,
  type QueryOrderInput,
  type RefundInput,
  type RevokeInput,
  type StandardRequest,
  type UploadFeesInput,
} from '../../../shared/protocol/insurance';
import {
  GatewayError,
  type FeeUpload,
  type FeeUploadResult,
  type InsuranceDayRecord,
  type InsuranceDayTotals,
  type InsuranceRefund,
  type InsuranceTotalsCheck,
  type InsuredIdentity,
  type InsuredPerson,
  type InsuredStatus,
  type PreSettlement,
  type SettlementRef,
  type SettlementState,
  type SettlementStatus,
} from '../ports';

const invalid = (message: string, partyCode?: string, httpStatus?: number) =>
  new GatewayError('insurance', 'invalid_response', message, partyCode, httpStatus);
const rejected = (message: string, partyCode: string, httpStatus?: number) =>
  new GatewayError('insurance', 'rejected', message, partyCode, httpStatus);

/** Parses an answer with its schema; a mismatch is invalid_response naming the first bad field. */
export function parseAnswer<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`${what}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

function fen(yuan: string, what: string): number {
  try {
    return yuanToFen(yuan);
  } catch {
    throw invalid(`${what}: not a yuan amount: ${JSON.stringify(yuan)}`);
  }
}

/** The legs of an answer as a split; legs that do not sum to the total are invalid_response. */
export function splitFromWire(
  yuan: { total: string; fund: string; account: string; cash: string },
  what: string,
): Split {
  const split = {
    total: fen(yuan.total, what),
    fund: fen(yuan.fund, what),
    account: fen(yuan.account, what),
    cash: fen(yuan.cash, what),
  };
  if (!isValidSplit(split)) {
    throw invalid(
      `${what}: split does not add up: total ${split.total} ≠ fund ${split.fund} + account ${split.account} + cash ${split.cash}`,
      'SPLIT_MISMATCH',
    );
  }
  return split;
}

/** yyyyMMddHHmmss in China Standard Time → ms; undefined for "" or a malformed value. */
export function parseCstCompact(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
}

// ───────────────────────────── status mapping (exhaustive, no default) ─────────────────────────────

export function settlementStatusOf(ordStas: OrdStas): SettlementStatus {
  switch (ordStas) {
    case '0':
      return 'UPLOADED';
    case '1':
      return 'PRESETTLED';
    case '4':
    case '6': // partly refunded: still settled
      return 'SETTLED';
    case '7':
      return 'REFUNDED';
    case '9':
      return 'REVOKED';
    case '14':
      return 'FAILED';
  }
}

export function insuredStatusOf(stas: PsnInsuStas): InsuredStatus {
  switch (stas) {
    case '1':
      return 'ACTIVE';
    case '2':
    case '4': // terminated: as ineligible as suspended
      return 'SUSPENDED';
    case '3':
      return 'ARREARS';
    case '5':
      return 'OUT_OF_AREA';
  }
}

export function refundStatusOf(refStatus: 'SUCC' | 'FAIL' | 'EXP'): 'SUCCEEDED' | 'FAILED' | 'PROCESSING' {
  switch (refStatus) {
    case 'SUCC':
      return 'SUCCEEDED';
    case 'FAIL':
      return 'FAILED';
    case 'EXP': // abnormal: the outcome is not final; query again
      return 'PROCESSING';
  }
}

function ordStasOf(value: string, what: string): OrdStas {
  const parsed = ordStasSchema.safeParse(value);
  if (!parsed.success) throw invalid(`${what}: unknown ordStas ${JSON.stringify(value)}`, 'UNKNOWN_ORD_STAS');
  return parsed.data;
}

// ───────────────────────────── standard envelope (1101) ─────────────────────────────

export interface StandardContext {
  nowMs: number;
  /** fixmedins_code(12) + yyyyMMddHHmmss + 4-digit sequence */
  msgid: string;
  admdvs: string;
  fixmedinsCode: string;
  fixmedinsName: string;
}

export function msgidOf(fixmedinsCode: string, compactTime: string, seq: number): string {
  return `${fixmedinsCode}${compactTime}${String(seq % 10_000).padStart(4, '0')}`;
}

export function standardRequest(
  infno: string,
  data: Record<string, unknown>,
  ctx: StandardContext,
): StandardRequest {
  return standardRequestWithInput(infno, { data }, ctx);
}

/** The envelope around any `input` (9102 sends `{fsDownloadIn}` rather than `{data}`). */
export function standardRequestWithInput(
  infno: string,
  input: Record<string, unknown>,
  ctx: StandardContext,
): StandardRequest {
  return {
    infno,
    msgid: ctx.msgid,
    mdtrtarea_admvs: ctx.admdvs,
    insuplc_admdvs: '',
    recer_sys_code: 'FSI_LOCAL',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: 'SM2',
    infver: 'V1.0',
    opter_type: '3',
    opter: 'MINIAPP',
    opter_name: '小程序',
    inf_time: cstDateTime(ctx.nowMs),
    fixmedins_code: ctx.fixmedinsCode,
    fixmedins_name: ctx.fixmedinsName,
    sign_no: '',
    input,
  };
}

/** err_msg is free text (no national code table): the few we act on, recognised by their words. */
const ERR_MSG_CODES: readonly [RegExp, string][] = [
  [/未查询到.*人员|人员.*不存在|无参保信息/, 'PERSON_NOT_FOUND'],
  [/鉴权|签名/, 'TIF_AUTH_FAILED'],
  [/尚未生成|晚于当前日期/, 'STATEMENT_NOT_READY'],
  [/文件.*(不存在|过期)/, 'FILE_NOT_FOUND'],
];

export function standardErrorCode(errMsg: string): string {
  return ERR_MSG_CODES.find(([pattern]) => pattern.test(errMsg))?.[1] ?? 'INFCODE_-1';
}

/** The output of a standard answer; infcode ≠ 0 is rejected with a code recognised from err_msg. */
export function standardOutput(httpStatus: number, body: unknown, infno: string): unknown {
  const parsed = standardResponseSchema.safeParse(body);
  if (!parsed.success) {
    if (httpStatus >= 400) throw rejected(`${infno}: HTTP ${httpStatus}`, `HTTP_${httpStatus}`, httpStatus);
    throw invalid(`${infno}: not a standard answer`);
  }
  const { infcode, err_msg } = parsed.data;
  if (infcode !== 0) {
    const message = err_msg ?? '';
    throw rejected(
      `${infno} infcode ${infcode}: ${message}`,
      httpStatus === 401 ? 'TIF_AUTH_FAILED' : standardErrorCode(message),
      httpStatus,
    );
  }
  if (httpStatus >= 300) throw invalid(`${infno}: infcode 0 with HTTP ${httpStatus}`, undefined, httpStatus);
  return parsed.data.output;
}

/** 1101 by ID card (mdtrt_cert_type 02). */
export function toPersonInfoInput(idNo: string, name: string): PersonInfoInput {
  return {
    mdtrt_cert_type: '02',
    mdtrt_cert_no: idNo,
    card_sn: '',
    begntime: '',
    psn_cert_type: '01',
    certno: idNo,
    psn_name: name,
  };
}

/** 1101 output → the insured person; the first active insurance wins, else the first listed. */
export function fromPersonInfo(output: unknown): InsuredPerson {
  const info = parseAnswer(personInfoOutputSchema, output, '1101');
  const chosen = info.insuinfo.find((i) => i.psn_insu_stas === '1') ?? info.insuinfo[0];
  if (!chosen) throw rejected('1101: the person has no insurance record', 'PERSON_NOT_INSURED');
  const stas = psnInsuStasSchema.safeParse(chosen.psn_insu_stas);
  if (!stas.success)
    throw invalid(
      `1101: unknown psn_insu_stas ${JSON.stringify(chosen.psn_insu_stas)}`,
      'UNKNOWN_PSN_INSU_STAS',
    );
  return {
    psnNo: info.baseinfo.psn_no,
    name: info.baseinfo.psn_name,
    insutype: chosen.insutype,
    status: insuredStatusOf(stas.data),
    accountBalanceFen: fen(chosen.balc, '1101 balc'),
    insuplcAdmdvs: chosen.insuplc_admdvs,
  };
}

// ───────────────────────────── auth-code exchange ─────────────────────────────

/** Outer body of a mobile-payment or auth answer: code 0 passes, anything else is rejected with its name. */
export function mobileOutcome(httpStatus: number, body: unknown, what: string): unknown {
  const parsed = mobileResponseSchema.safeParse(body);
  if (!parsed.success) {
    if (httpStatus >= 400) throw rejected(`${what}: HTTP ${httpStatus}`, `HTTP_${httpStatus}`, httpStatus);
    throw invalid(`${what}: answer has no numeric code`);
  }
  if (parsed.data.code !== 0) {
    throw rejected(
      `${what}: ${parsed.data.message ?? ''} (code ${parsed.data.code})`,
      mobileErrorName(parsed.data.code),
      httpStatus,
    );
  }
  if (httpStatus >= 300) throw invalid(`${what}: code 0 with HTTP ${httpStatus}`, undefined, httpStatus);
  return body;
}

export function fromAuthUserQuery(httpStatus: number, body: unknown): InsuredIdentity {
  const answer = parseAnswer(
    authUserQueryOutputSchema,
    mobileOutcome(httpStatus, body, 'auth user-query'),
    'auth user-query',
  );
  const { longitude, latitude } = answer.userLongitudeLatitude;
  if ((answer.holderName === undefined) !== (answer.holderCardNo === undefined))
    throw invalid('auth user-query: holderName and holderCardNo come together');
  return {
    payAuthNo: answer.payAuthNo,
    name: answer.userName,
    idNo: answer.userCardNo,
    ...(answer.holderName !== undefined && answer.holderCardNo !== undefined
      ? { holder: { name: answer.holderName, idNo: answer.holderCardNo } }
      : {}),
    cityId: answer.cityId,
    geoLocation: `${String(longitude)},${String(latitude)}`,
  };
}

// ───────────────────────────── 6201 ─────────────────────────────

export interface MobileContext {
  orgCodg: string;
  admdvs: string;
  nowMs: number;
}

export function toUploadFees(upload: FeeUpload, ctx: MobileContext): UploadFeesInput {
  const linesTotal = upload.lines.reduce((sum, line) => sum + line.amountFen, 0);
  if (linesTotal !== upload.totalFen)
    throw new RangeError(`fee lines sum to ${linesTotal} fen, upload total is ${upload.totalFen}`);
  const now = cstDateTime(ctx.nowMs);
  return {
    orgCodg: ctx.orgCodg,
    psnNo: upload.psnNo,
    insutype: upload.insutype,
    medOrgOrd: upload.medOrgOrd,
    initRxOrd: upload.medOrgOrd,
    rxCircFlag: '0',
    begntime: now,
    idNo: upload.idNo,
    userName: upload.name,
    idType: '01',
    payAuthNo: upload.payAuthNo,
    insuCode: ctx.admdvs,
    iptOtpNo: upload.medOrgOrd,
    medType: '11',
    medfeeSumamt: fenToYuan(upload.totalFen),
    acctUsedFlag: upload.accountUsed ? '1' : '0',
    psnSetlway: '01',
    chrgBchno: upload.medOrgOrd,
    uldLatlnt: upload.geoLocation,
    mdtrtCertType: '01',
    feedetailList: upload.lines.map((line, i) => ({
      feedetlSn: String(i + 1).padStart(4, '0'),
      rxno: line.billNo,
      feeOcurTime: now,
      medListCodg: line.code,
      medinsListCodg: line.code,
      medinsListName: line.name.slice(0, 200),
      detItemFeeSumamt: fenToYuan(line.amountFen),
      cnt: String(line.qty),
      pric: fenToYuan(line.priceFen),
    })),
  };
}

export function fromUploadFees(data: unknown): FeeUploadResult {
  const out = parseAnswer(uploadFeesOutputSchema, data, '6201');
  return { payOrdId: out.payOrdId, payToken: out.payToken };
}

// ───────────────────────────── 6202 ─────────────────────────────

export type PreSettleRef = SettlementRef & {
  payAuthNo: string;
  medOrgOrd: string;
  accountUsed: boolean;
  totalFen?: number;
};

export function toPayOrder(ref: PreSettleRef, orgCodg: string): PayOrderInput {
  return {
    payAuthNo: ref.payAuthNo,
    payOrdId: ref.payOrdId,
    payToken: ref.payToken,
    orgCodg,
    orgBizSer: ref.medOrgOrd,
    chrgBchno: ref.medOrgOrd,
    acctUsedFlag: ref.accountUsed ? '1' : '0',
  };
}

export function fromPayOrder(data: unknown, sent: { payOrdId: string; totalFen?: number }): PreSettlement {
  const out = parseAnswer(payOrderOutputSchema, data, '6202');
  if (out.payOrdId !== sent.payOrdId)
    throw invalid(`6202 answered for ${out.payOrdId}, asked ${sent.payOrdId}`, 'PAY_ORD_ID_MISMATCH');
  const status = settlementStatusOf(ordStasOf(out.ordStas, '6202'));
  if (status !== 'PRESETTLED' && status !== 'SETTLED')
    throw invalid(`6202 answered ordStas ${out.ordStas} (${status})`, 'UNEXPECTED_ORD_STAS');
  const split = splitFromWire(
    { total: out.feeSumamt, fund: out.fundPay, account: out.psnAcctPay, cash: out.ownPayAmt },
    '6202',
  );
  if (sent.totalFen !== undefined && split.total !== sent.totalFen) {
    throw invalid(`6202 total ${split.total} fen ≠ uploaded total ${sent.totalFen} fen`, 'TOTAL_MISMATCH');
  }
  return { payOrdId: out.payOrdId, split, fundOther: fundOtherOf(out.extData?.preSetl, split.fund) };
}

/**
 * The part of the fund that is not 统筹, from the 2206-style pre-settlement detail: fund_pay_sumamt − hifp_pay.
 * Without hifp_pay the whole fund is taken as 统筹; a hifp_pay above the fund is invalid_response.
 */
function fundOtherOf(preSetl: Record<string, unknown> | undefined, fundFen: number): number {
  const hifp = preSetl?.hifp_pay;
  if (hifp === undefined || hifp === null || hifp === '') return 0;
  if (typeof hifp !== 'string') throw invalid(`6202 preSetl.hifp_pay is not a yuan string: ${String(hifp)}`);
  const poolFen = fen(hifp, '6202 preSetl.hifp_pay');
  if (poolFen > fundFen)
    throw invalid(`6202 preSetl.hifp_pay ${poolFen} fen exceeds the fund ${fundFen} fen`, 'SPLIT_MISMATCH');
  return fundFen - poolFen;
}

// ───────────────────────────── 6301 / 6401 ─────────────────────────────

export function toQueryOrder(ref: SettlementRef, orgCodg: string): QueryOrderInput {
  return {
    payOrdId: ref.payOrdId,
    orgCodg,
    payToken: ref.payToken,
    idNo: ref.idNo,
    userName: ref.name,
    idType: '01',
  };
}

export function fromQueryOrder(data: unknown, sent: { payOrdId: string }): SettlementState {
  const out = parseAnswer(queryOrderOutputSchema, data, '6301');
  if (out.payOrdId !== sent.payOrdId)
    throw invalid(`6301 answered for ${out.payOrdId}, asked ${sent.payOrdId}`, 'PAY_ORD_ID_MISMATCH');
  const state: SettlementState = {
    payOrdId: out.payOrdId,
    medOrgOrd: out.medOrgOrd,
    status: settlementStatusOf(ordStasOf(out.ordStas, '6301')),
    split: splitFromWire(
      { total: out.feeSumamt, fund: out.fundPay, account: out.psnAcctPay, cash: out.ownpayAmt },
      '6301',
    ),
  };
  if (out.setlId) state.setlId = out.setlId;
  const settledAtMs = parseCstCompact(out.hiChrgTime);
  if (settledAtMs !== undefined) state.settledAtMs = settledAtMs;
  return state;
}

export function toRevoke(ref: SettlementRef, orgCodg: string): RevokeInput {
  return {
    payOrdId: ref.payOrdId,
    orgCodg,
    payToken: ref.payToken,
    idNo: ref.idNo,
    userName: ref.name,
    idType: '01',
  };
}

export function fromRevoke(data: unknown): void {
  const out = parseAnswer(revokeOutputSchema, data, '6401');
  if (!out.success) throw rejected(`6401: ${out.message}`, 'REVOKE_FAILED');
}

// ───────────────────────────── 6203 ─────────────────────────────

export function toRefund(refund: InsuranceRefund, appRefdTime: string): RefundInput {
  assertSplit(refund.split, 'insurance refund');
  const { fund, account, cash } = refund.split;
  const insurance = fund + account;
  return {
    payOrdId: refund.payOrdId,
    appRefdSn: refund.refundNo,
    appRefdTime,
    totlRefdAmt: fenToYuan(refund.split.total),
    psnAcctRefdAmt: fenToYuan(account),
    fundRefdAmt: fenToYuan(fund),
    cashRefdAmt: fenToYuan(cash),
    payAuthNo: refund.payAuthNo,
    refdType: cash > 0 && insurance > 0 ? 'ALL' : cash > 0 ? 'CASH' : 'HI',
    expContent: '',
  };
}

export function fromRefund(
  data: unknown,
  sent: RefundInput,
): { status: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' } {
  const out = parseAnswer(refundOutputSchema, data, '6203');
  if (out.payOrdId !== sent.payOrdId || out.appRefdSn !== sent.appRefdSn) {
    throw invalid(
      `6203 answered for ${out.payOrdId}/${out.appRefdSn}, asked ${sent.payOrdId}/${sent.appRefdSn}`,
      'REFUND_NO_MISMATCH',
    );
  }
  const legs = ['totlRefdAmt', 'psnAcctRefdAmt', 'fundRefdAmt', 'cashRefdAmt'] as const;
  for (const leg of legs) {
    if (fen(out[leg], '6203') !== fen(sent[leg], '6203 request')) {
      throw invalid(`6203 ${leg} answered ${out[leg]}, sent ${sent[leg]}`, 'REFUND_AMOUNT_MISMATCH');
    }
  }
  return { status: refundStatusOf(out.refStatus) };
}

// ───────────────────────────── 3201 对总账 ─────────────────────────────

/** yyyy-MM-dd HH:mm:ss in China Standard Time → ms; undefined when malformed or not a real time. */
export function parseCstDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
  return cstDateTime(ms) === value ? ms : undefined;
}

function assertDate(date: string): void {
  if (!stmtDateSchema.safeParse(date).success) throw new RangeError(`not a yyyy-MM-dd date: ${date}`);
}

/** One day, every insutype (insutype blank), outpatient clearing; amounts net of refunds, may be negative. */
export function toReconcileTotals(totals: InsuranceDayTotals, setlOptins: string): ReconcileTotalsInput {
  assertDate(totals.date);
  const { count, totalFen, fundFen, accountFen, cashFen } = totals;
  if (![count, totalFen, fundFen, accountFen, cashFen].every(Number.isSafeInteger))
    throw new RangeError(`day totals must be integers: ${JSON.stringify(totals)}`);
  if (totalFen !== fundFen + accountFen + cashFen)
    throw new RangeError(`day totals break total = fund + account + cash: ${JSON.stringify(totals)}`);
  return {
    insutype: '',
    clr_type: CLR_TYPE_OUTPATIENT,
    setl_optins: setlOptins,
    stmt_begndate: totals.date,
    stmt_enddate: totals.date,
    medfee_sumamt: fenToYuan(totalFen),
    fund_pay_sumamt: fenToYuan(fundFen),
    acct_pay: fenToYuan(accountFen),
    fixmedins_setl_cnt: count,
  };
}

function signedFen(yuan: string, what: string): number {
  try {
    return yuanToFen(yuan);
  } catch {
    throw invalid(`${what}: not a yuan amount: ${JSON.stringify(yuan)}`);
  }
}

/**
 * 3201 output → the verdict and the platform's totals (stmt_totals, a mock extension). A platform that says
 * "balanced" while its totals differ from ours contradicts itself: invalid_response.
 */
export function fromReconcileTotals(output: unknown, sent: InsuranceDayTotals): InsuranceTotalsCheck {
  const out = parseAnswer(reconcileTotalsOutputSchema, output, '3201');
  const { stmt_rslt: rslt, stmt_rslt_dscr: dscr } = out.stmtinfo;
  if (rslt !== STMT_RSLT.BALANCED && rslt !== STMT_RSLT.UNBALANCED)
    throw invalid(`3201: unknown stmt_rslt ${JSON.stringify(rslt)}`, 'UNKNOWN_STMT_RSLT');
  const t = out.stmt_totals;
  const theirs: InsuranceDayTotals = {
    date: sent.date,
    count: t.fixmedins_setl_cnt,
    totalFen: signedFen(t.medfee_sumamt, '3201 medfee_sumamt'),
    fundFen: signedFen(t.fund_pay_sumamt, '3201 fund_pay_sumamt'),
    accountFen: signedFen(t.acct_pay, '3201 acct_pay'),
    cashFen: signedFen(t.psn_cash_pay, '3201 psn_cash_pay'),
  };
  if (theirs.totalFen !== theirs.fundFen + theirs.accountFen + theirs.cashFen)
    throw invalid(`3201: platform totals do not add up: ${JSON.stringify(theirs)}`, 'SPLIT_MISMATCH');
  const balanced = rslt === STMT_RSLT.BALANCED;
  const same = (['count', 'totalFen', 'fundFen', 'accountFen', 'cashFen'] as const).every(
    (k) => theirs[k] === sent[k],
  );
  if (balanced && !same) {
    throw invalid(
      `3201 says balanced but its totals ${JSON.stringify(theirs)} differ from ours ${JSON.stringify(sent)}`,
      'TOTALS_CONTRADICTION',
    );
  }
  return { balanced, theirs, message: dscr ?? (balanced ? '对账平' : '对账不平') };
}

// ───────────────────────────── 3202 对明细账 + 9102 文件下载 ─────────────────────────────

/** One day, every insutype, no file of ours uploaded (file_qury_no blank): the platform's own detail. */
export function toReconcileDetails(date: string, setlOptins: string): ReconcileDetailsInput {
  assertDate(date);
  return {
    setl_optins: setlOptins,
    file_qury_no: '',
    stmt_begndate: date,
    stmt_enddate: date,
    clr_type: CLR_TYPE_OUTPATIENT,
    insutype: '',
  };
}

export function fromReconcileDetails(output: unknown): FileInfo {
  return parseAnswer(reconcileDetailsOutputSchema, output, '3202').fileinfo;
}

export function toFileDownload(info: FileInfo, fixmedinsCode: string): { fsDownloadIn: FileDownloadInput } {
  return {
    fsDownloadIn: {
      file_qury_no: info.file_qury_no,
      filename: info.filename,
      fixmedins_code: fixmedinsCode,
    },
  };
}

/**
 * Text lines of a byte stream, pulled one chunk at a time (nothing is read ahead of the consumer), "\n" or
 * "\r\n" ended; a line longer than maxChars, or bytes that are not UTF-8, are invalid_response rather than
 * something to buffer.
 */
export async function* linesOf(
  chunks: AsyncIterable<Uint8Array>,
  maxChars: number,
  what = '3202 file',
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw invalid(`${what}: not UTF-8 text`, 'DAY_FILE_MALFORMED');
    }
  };
  const tooLong = () => invalid(`${what}: a line longer than ${maxChars} characters`, 'DAY_FILE_MALFORMED');
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decode(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
      if (end - start > maxChars) throw tooLong();
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > maxChars + 1) throw tooLong();
  }
  rest += decode();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

interface KindTally {
  count: number;
  sum: Split;
}

const emptyTally = (): KindTally => ({ count: 0, sum: { total: 0, fund: 0, account: 0, cash: 0 } });

/**
 * Reads the 3202 detail file of one day line by line (DAY_FILE): the header, then a record per line, then the
 * totals line, which must agree with the lines read (counts and every sum, per kind). Keeps only running
 * totals, so memory does not grow with the file. Every line must fall on the day asked for (China time).
 * Problems are invalid_response naming the line; a file that ends without its totals line is truncated. The
 * totals are only known at the end: a caller must discard what it read when finish() (or a later read) throws.
 */
export class DayFileReader {
  private columns: Map<string, number> | undefined;
  private lineNo = 0;
  private totalsSeen = false;
  private readonly settled = emptyTally();
  private readonly refunded = emptyTally();

  constructor(private readonly date: string) {
    assertDate(date);
  }

  /** One line of the file (without its line break) → a record, or undefined for the header and totals. */
  read(line: string): InsuranceDayRecord | undefined {
    this.lineNo += 1;
    const cells = line.split(DAY_FILE.separator);
    if (this.columns === undefined) {
      this.columns = this.header(cells);
      return undefined;
    }
    if (this.totalsSeen) throw this.bad('a line after the totals line');
    if (cells[0] === DAY_FILE.totalTag) {
      this.checkTotals(cells.slice(1));
      this.totalsSeen = true;
      return undefined;
    }
    return this.record(cells, this.columns);
  }

  /** The end of the file: header and totals line must have been read. */
  finish(): void {
    if (this.columns === undefined) throw invalid('3202 file: empty', 'DAY_FILE_MALFORMED');
    if (!this.totalsSeen)
      throw invalid(
        `3202 file: no totals line after ${this.lineNo} lines (truncated?)`,
        'DAY_FILE_TRUNCATED',
      );
  }

  private bad(message: string, code = 'DAY_FILE_MALFORMED'): GatewayError {
    return invalid(`3202 file line ${this.lineNo}: ${message}`, code);
  }

  private header(cells: string[]): Map<string, number> {
    const columns = new Map(cells.map((name, i) => [name.trim(), i]));
    if (columns.size !== cells.length) throw this.bad('duplicate column names in the header');
    const missing = DAY_FILE.columns.filter((name) => !columns.has(name));
    if (missing.length > 0) throw this.bad(`header lacks ${missing.join(', ')}`);
    return columns;
  }

  private record(cells: string[], columns: Map<string, number>): InsuranceDayRecord {
    if (cells.length !== columns.size)
      throw this.bad(`${cells.length} fields, the header has ${columns.size}`);
    const get = (name: DayFileColumn) => cells[columns.get(name) as number].trim();
    const flag = get('refd_setl_flag');
    if (flag !== DAY_FILE.flag.SETTLEMENT && flag !== DAY_FILE.flag.REFUND)
      throw this.bad(`refd_setl_flag ${JSON.stringify(flag)}`);
    const kind = flag === DAY_FILE.flag.SETTLEMENT ? 'SETTLEMENT' : 'REFUND';
    const ids = { setlId: get('setl_id'), payOrdId: get('pay_ord_id'), medOrgOrd: get('medins_setl_id') };
    const refundNo = get('refd_sn');
    if (!ids.setlId || !ids.payOrdId || !ids.medOrgOrd)
      throw this.bad('setl_id, pay_ord_id or medins_setl_id empty');
    if (kind === 'REFUND' && !refundNo) throw this.bad('a refund line without refd_sn');
    const atMs = parseCstDateTime(get('trns_time'));
    if (atMs === undefined) throw this.bad(`trns_time ${JSON.stringify(get('trns_time'))}`);
    if (cstDate(atMs) !== this.date)
      throw this.bad(`trns_time ${get('trns_time')} is not on ${this.date}`, 'DAY_FILE_DATE_MISMATCH');
    const split = this.split({
      total: get('medfee_sumamt'),
      fund: get('fund_pay_sumamt'),
      account: get('acct_pay'),
      cash: get('psn_cash_pay'),
    });
    const tally = kind === 'SETTLEMENT' ? this.settled : this.refunded;
    tally.count += 1;
    for (const leg of ['total', 'fund', 'account', 'cash'] as const) tally.sum[leg] += split[leg];
    const record: InsuranceDayRecord = { kind, ...ids, split, atMs };
    if (kind === 'REFUND') record.refundNo = refundNo;
    return record;
  }

  private split(yuan: { total: string; fund: string; account: string; cash: string }): Split {
    if (Object.values(yuan).some((v) => v.startsWith('-')))
      throw this.bad(`a negative amount: ${JSON.stringify(yuan)}`);
    try {
      return splitFromWire(yuan, 'amounts');
    } catch (err) {
      if (err instanceof GatewayError) throw this.bad(err.message, err.partyCode ?? 'DAY_FILE_MALFORMED');
      throw err;
    }
  }

  private checkTotals(values: string[]): void {
    const expected = DAY_FILE.totalColumns.length;
    if (values.length !== expected)
      throw this.bad(`totals line has ${values.length} values, not ${expected}`);
    const at = (name: (typeof DAY_FILE.totalColumns)[number]) =>
      values[DAY_FILE.totalColumns.indexOf(name)].trim();
    if (at('stmt_begndate') !== this.date || at('stmt_enddate') !== this.date) {
      throw this.bad(
        `totals of ${at('stmt_begndate')}…${at('stmt_enddate')}, asked for ${this.date}`,
        'DAY_FILE_DATE_MISMATCH',
      );
    }
    const fenOf = (name: (typeof DAY_FILE.totalColumns)[number]) => {
      const value = at(name);
      if (!/^\d{1,15}(\.\d{1,2})?$/.test(value)) throw this.bad(`${name} ${JSON.stringify(value)}`);
      const [whole, decimals = ''] = value.split('.');
      return Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
    };
    const countOf = (name: (typeof DAY_FILE.totalColumns)[number]) => {
      const value = at(name);
      if (!/^\d{1,9}$/.test(value)) throw this.bad(`${name} ${JSON.stringify(value)}`);
      return Number(value);
    };
    const s = this.settled;
    const r = this.refunded;
    const pairs: [string, number, number][] = [
      ['line_cnt', countOf('line_cnt'), s.count + r.count],
      ['setl_cnt', countOf('setl_cnt'), s.count],
      ['setl_medfee_sumamt', fenOf('setl_medfee_sumamt'), s.sum.total],
      ['setl_fund_pay_sumamt', fenOf('setl_fund_pay_sumamt'), s.sum.fund],
      ['setl_acct_pay', fenOf('setl_acct_pay'), s.sum.account],
      ['setl_psn_cash_pay', fenOf('setl_psn_cash_pay'), s.sum.cash],
      ['refd_cnt', countOf('refd_cnt'), r.count],
      ['refd_medfee_sumamt', fenOf('refd_medfee_sumamt'), r.sum.total],
      ['refd_fund_pay_sumamt', fenOf('refd_fund_pay_sumamt'), r.sum.fund],
      ['refd_acct_pay', fenOf('refd_acct_pay'), r.sum.account],
      ['refd_psn_cash_pay', fenOf('refd_psn_cash_pay'), r.sum.cash],
    ];
    const wrong = pairs.filter(([, stated, counted]) => stated !== counted);
    if (wrong.length > 0) {
      const what = wrong.map(([name, stated, counted]) => `${name} says ${stated}, lines make ${counted}`);
      throw this.bad(`totals disagree with the lines: ${what.join('; ')}`, 'DAY_FILE_TOTALS_MISMATCH');
    }
  }
}
