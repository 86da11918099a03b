/**
 * The standard interface family (1101-style): the envelope every standard call is wrapped in (infno, msgid,
 * fixmedins fields, input), reading its answer (infcode ≠ 0 is rejected with a code recognised from err_msg),
 * and 1101 人员信息获取 itself. The reconciliation calls (3201/3202/9102) use this envelope too.
 */
import { cstDateTime } from '../../../../shared/clock';
import {
  personInfoOutputSchema,
  psnInsuStasSchema,
  standardResponseSchema,
  type PersonInfoInput,
  type StandardRequest,
} from '../../../../shared/protocol/insurance';
import type { InsuredPerson } from '../../ports';
import { invalid, rejected, parseAnswer, fen, insuredStatusOf } from './common';

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
