/**
 * The standard infno envelope (PROTOCOLS 3.1) at POST /fsi/api/rsfComIfsService/callService: x-tif headers
 * checked first (bad → HTTP 401 with infcode -1), then the body, then the transaction: 1101, and the daily
 * reconciliation 3201 / 3202 / 9102 (recon.ts; a successful 9102 answers the file itself, not JSON).
 */
import { cstCompact } from '../../shared/clock';
import { checkTifHeaders } from '../../shared/crypto/smEnvelope';
import {
  DAY_FILE,
  INFNO,
  INSURANCE_PATHS,
  personInfoInputSchema,
  standardRequestSchema,
  type FileInfo,
  type PersonInfoInput,
} from '../../shared/protocol/insurance';
import type { MockKeys } from '../../shared/crypto/keyring';
import type { MockFrame } from '../common/app';
import { journalTags } from './mobile';
import type { Reconciliation, StandardOutcome } from './recon';
import { HOME_ADMDVS } from './seed';
import type { InsuranceState, Person } from './state';
import { personInfoOutput } from './wire';

/** The err_msg of 1101 for an unknown person; the adapter recognises "未查询到…人员". */
export const PERSON_NOT_FOUND_MSG = 'FSI-未查询到人员参保信息';

const msTime = (ms: number) => `${cstCompact(ms)}${String(ms % 1000).padStart(3, '0')}`;

export function mountStandardRoutes(
  frame: MockFrame,
  state: InsuranceState,
  keys: MockKeys['insurance'],
  recon: Reconciliation,
): void {
  let refSeq = 0;
  frame.onReset(() => {
    refSeq = 0;
  });

  function respond(receivedMs: number, outcome: StandardOutcome): Record<string, unknown> {
    const now = frame.clock.now();
    refSeq = (refSeq + 1) % 10_000_000_000;
    return {
      infcode: 'output' in outcome ? 0 : -1,
      inf_refmsgid: `${HOME_ADMDVS}${cstCompact(now)}${String(refSeq).padStart(10, '0')}`,
      refmsg_time: msTime(receivedMs),
      respond_time: msTime(now),
      err_msg: 'errMsg' in outcome ? outcome.errMsg : null,
      warn_msg: null,
      output: 'output' in outcome ? outcome.output : null,
    };
  }

  function personInfo(data: unknown, tags: Record<string, string>): StandardOutcome {
    const input = personInfoInputSchema.safeParse(data);
    if (!input.success) {
      return { errMsg: `FSI-入参校验失败：input.data.${input.error.issues[0].path.join('.')}` };
    }
    const person = findPerson(input.data);
    if (!person) return { errMsg: PERSON_NOT_FOUND_MSG };
    tags.psnNo = person.psnNo;
    return { output: personInfoOutput(state.view(person), frame.clock.now()) };
  }

  function findPerson(input: PersonInfoInput): Person | undefined {
    const person =
      input.mdtrt_cert_type === '01'
        ? state.personByPayAuthNo(input.mdtrt_cert_no)
        : state.personByIdNo(input.mdtrt_cert_no);
    if (!person) return undefined;
    if (input.certno && input.certno !== person.idNo) return undefined;
    if (input.psn_name && input.psn_name !== person.name) return undefined;
    return person;
  }

  frame.router.post(INSURANCE_PATHS.standard, (ctx) => {
    const receivedMs = frame.clock.now();
    const tags = journalTags(ctx);
    const authProblem = checkTifHeaders(ctx.headers, keys.paasId, keys.paasToken);
    if (authProblem) {
      tags.error = 'TIF_AUTH_FAILED';
      ctx.status = 401;
      ctx.body = respond(receivedMs, { errMsg: `FSI-网关鉴权失败：${authProblem}` });
      return;
    }
    const request = standardRequestSchema.safeParse(ctx.request.body);
    if (!request.success) {
      const issue = request.error.issues[0];
      ctx.body = respond(receivedMs, {
        errMsg: `FSI-入参校验失败：${issue.path.join('.')} ${issue.message}`,
      });
      return;
    }
    const { infno, input, fixmedins_code: fixmedinsCode } = request.data;
    tags.infno = infno;
    switch (infno) {
      case INFNO.personInfo:
        ctx.body = respond(receivedMs, personInfo(input.data, tags));
        return;
      case INFNO.reconcileTotals:
        ctx.body = respond(receivedMs, recon.totals(input.data));
        return;
      case INFNO.reconcileDetails: {
        const outcome = recon.details(input.data, fixmedinsCode);
        if ('output' in outcome)
          tags.fileQuryNo = (outcome.output as { fileinfo: FileInfo }).fileinfo.file_qury_no;
        ctx.body = respond(receivedMs, outcome);
        return;
      }
      case INFNO.fileDownload: {
        const download = recon.download(input);
        if ('errMsg' in download) {
          ctx.body = respond(receivedMs, download);
          return;
        }
        tags.filename = download.filename;
        ctx.type = DAY_FILE.contentType;
        ctx.set('content-disposition', `attachment; filename="${download.filename}"`);
        ctx.body = download.body;
        return;
      }
      default:
        ctx.body = respond(receivedMs, { errMsg: `FSI-交易编号 ${infno} 未开通` });
    }
  });
}
