/**
 * The outbox handler of a patient message: subscribeMessage.send with the shared access token. What WeChat
 * answers decides what follows:
 * - 0: SENT;
 * - 43101 (the user refused, or turned it off in WeChat): REFUSED, and the consent recorded as withdrawn so
 *   nothing more is sent under it until they accept again — never retried;
 * - 40001 / 42001 (token refused or expired): the token is refreshed and the send tried once more at once;
 * - 40003 / 40037 / 41030 / 47003 (our request broke a rule): FAILED for a person to look at, never retried;
 * - anything else, an outage or a timeout: thrown, so the outbox retries with backoff (DEAD after the last).
 * A send is not idempotent at WeChat; a crash between its answer and our record may repeat one message, which
 * is the price of never losing one.
 */
import { WECHAT_ERRCODE as E, type SubscribeSendBody } from '../../../shared/protocol/wechat/subscribe';
import { readPatientMessage, settleDelivery } from '../../db/patientMessages';
import { withdrawConsent } from '../../db/subscriptions';
import type { SendAnswer } from '../../gateways/ports';
import type { Deps } from '../deps';
import { accessToken } from './accessToken';

const TOKEN_ERRORS: readonly number[] = [E.invalidCredential, E.accessTokenExpired];
const OUR_MISTAKES: readonly number[] = [
  E.invalidOpenid,
  E.invalidTemplateId,
  E.invalidPage,
  E.argumentInvalid,
  E.dataFormat,
];

/** What became of one send, for the metrics. */
export type SendOutcome = 'sent' | 'refused' | 'failed' | 'skipped';

export async function sendPatientMessage(deps: Deps, payload: Record<string, unknown>): Promise<SendOutcome> {
  const id = String(payload.messageId ?? '');
  const message = await readPatientMessage(deps.db, id);
  if (!message) throw new Error(`patient message ${id} not found`);
  if (message.delivery !== 'PENDING') return 'skipped';
  const body: SubscribeSendBody = {
    touser: message.openid,
    template_id: message.templateId,
    ...(message.page ? { page: message.page } : {}),
    data: message.data,
    miniprogram_state: deps.settings.WECHAT_MINIPROGRAM_STATE,
    lang: 'zh_CN',
  };
  let token = await accessToken(deps);
  let answer: SendAnswer = await deps.miniProgram.sendSubscribeMessage(token, body);
  if (!answer.ok && TOKEN_ERRORS.includes(answer.errcode)) {
    token = await accessToken(deps, token);
    answer = await deps.miniProgram.sendSubscribeMessage(token, body);
  }
  const at = new Date(deps.clock.now());
  if (answer.ok) {
    await settleDelivery(deps.db, id, 'SENT', { errcode: 0, error: null }, at);
    return 'sent';
  }
  const outcome = { errcode: answer.errcode, error: answer.errmsg.slice(0, 500) };
  if (answer.errcode === E.userRefused) {
    await deps.db.transaction(async (m) => {
      if (await settleDelivery(m, id, 'REFUSED', outcome, at))
        await withdrawConsent(m, message.openid, message.templateId, message.createdAt, at);
    });
    deps.logger.info(
      { messageId: id, templateId: message.templateId },
      'subscribe message refused by the user (43101)',
    );
    return 'refused';
  }
  if (OUR_MISTAKES.includes(answer.errcode)) {
    await settleDelivery(deps.db, id, 'FAILED', outcome, at);
    deps.logger.error({ messageId: id, ...outcome }, 'WeChat refused a subscribe message we built');
    return 'failed';
  }
  throw new Error(`subscribeMessage.send answered ${answer.errcode}: ${answer.errmsg}`);
}
