/**
 * Step-up at checkout (issue 13): a checkout the risk rules step up (many cancelled orders, refused insurance
 * authorizations) is created but held until the patient proves the card again — a 6-digit code texted to the
 * phone the HIS holds for the card (never a number the patient types), 5 minutes, 5 tries, a new code after
 * 60 s and at most 5 an hour per order. Proven → the hold goes and the order can be paid. A card without a
 * phone at the HIS cannot be stepped up: its order goes to a cashier's review instead.
 */
import { randomUUID } from 'node:crypto';
import type { StepUpView } from '../../../shared/api';
import { enqueue } from '../../db/outbox';
import { releaseHold } from '../../db/risk';
import { PatientRow } from '../../db/entities';
import {
  findStepUp,
  insertStepUp,
  markStepUp,
  pendingStepUp,
  stepUpsSince,
  stepUpToReview,
  takeStepUpAttempt,
} from '../../db/stepUps';
import { AppError } from '../errors';
import {
  newCode,
  sameCode,
  VERIFICATION_ATTEMPTS_MAX,
  VERIFICATION_CODES_PER_HOUR,
  VERIFICATION_RESEND_AFTER_S,
  VERIFICATION_TTL_MS,
} from '../patient/binding';
import { ownOrder, orderView } from '../order/views';
import type { OrderView } from '../../../shared/api';
import type { Deps } from '../deps';
import { riskReview } from './checks';

const HOUR_MS = 3_600_000;

function notHeld(): AppError {
  return new AppError('ORDER_STATE_CONFLICT', '这笔订单不需要再验证，可直接支付或刷新页面查看。');
}

export async function startStepUp(deps: Deps, openid: string, orderId: string): Promise<StepUpView> {
  const order = await ownOrder(deps, openid, orderId);
  if (order.riskHold !== 'STEP_UP' || order.status !== 'PRESETTLED') throw notHeld();
  const patient = await deps.db.getRepository(PatientRow).findOneByOrFail({ id: order.patientId });
  if (!patient.phoneEnc || !patient.phoneMasked) {
    await stepUpToReview(deps.db, order.id);
    throw riskReview();
  }
  const now = deps.clock.now();
  const resend = await deps.store.consumeRate('step-up-resend', order.id, {
    points: 1,
    durationS: VERIFICATION_RESEND_AFTER_S,
  });
  if (
    !resend.allowed ||
    (await stepUpsSince(deps.db, order.id, new Date(now - HOUR_MS))) >= VERIFICATION_CODES_PER_HOUR
  )
    throw new AppError('VERIFICATION_RATE_LIMITED', '获取验证码过于频繁，请稍后再试。', {
      retryAfterS: Math.max(1, Math.ceil(resend.retryAfterMs / 1000)),
    });
  const stepUp = {
    id: randomUUID(),
    orderId: order.id,
    openid,
    phoneEnc: patient.phoneEnc,
    phoneMasked: patient.phoneMasked,
    codeEnc: deps.pii.encrypt(newCode()),
    expiresAt: new Date(now + VERIFICATION_TTL_MS),
    createdAt: new Date(now),
  };
  await deps.db.transaction(async (m) => {
    await insertStepUp(m, stepUp);
    await enqueue(
      m,
      'sms_send',
      `sms_send:step_up:${stepUp.id}`,
      order.id,
      { stepUpId: stepUp.id },
      new Date(now),
    );
  });
  deps.kickJobs?.();
  return {
    stepUpId: stepUp.id,
    channel: 'sms',
    phoneMasked: stepUp.phoneMasked,
    expiresAt: stepUp.expiresAt.toISOString(),
    resendAfterS: VERIFICATION_RESEND_AFTER_S,
  };
}

/** The outbox job `sms_send` of a step-up: texts its code while it is pending (a retry never makes a new one). */
export async function sendStepUpText(deps: Deps, stepUpId: string): Promise<void> {
  const s = await pendingStepUp(deps.db, stepUpId, new Date(deps.clock.now()));
  if (!s) return;
  const minutes = Math.round(VERIFICATION_TTL_MS / 60_000);
  await deps.sms.send(
    deps.pii.decrypt(s.phoneEnc),
    `【${deps.settings.HOSPITAL_NAME}】您的验证码为 ${deps.pii.decrypt(s.codeEnc)}，用于确认在微信小程序缴费的是您本人，${minutes} 分钟内有效。如非本人操作，请勿告诉他人。`,
  );
}

function expired(): AppError {
  return new AppError(
    'VERIFICATION_EXPIRED',
    '验证码已失效（超过 5 分钟或错误次数过多），请重新获取验证码。',
  );
}

export async function verifyStepUp(
  deps: Deps,
  openid: string,
  orderId: string,
  stepUpId: string,
  code: string,
): Promise<OrderView> {
  const order = await ownOrder(deps, openid, orderId);
  const existing = await findStepUp(deps.db, stepUpId, order.id, openid);
  if (!existing) throw new AppError('NOT_FOUND', '没有找到这次验证，请重新获取验证码。');
  const now = new Date(deps.clock.now());
  if (existing.status !== 'VERIFIED') {
    const s = await takeStepUpAttempt(deps.db, stepUpId, now, VERIFICATION_ATTEMPTS_MAX);
    if (!s) throw expired();
    if (!sameCode(deps.pii.decrypt(s.codeEnc), code)) {
      const left = VERIFICATION_ATTEMPTS_MAX - s.attempts;
      if (left <= 0) {
        await markStepUp(deps.db, s.id, 'DEAD');
        throw expired();
      }
      throw new AppError('VERIFICATION_CODE_INVALID', `验证码不正确，还可以再试 ${left} 次。`, {
        attemptsLeft: left,
      });
    }
    await deps.db.transaction(async (m) => {
      await markStepUp(m, s.id, 'VERIFIED');
      await releaseHold(m, order.id, 'STEP_UP', now, deps.settings.ORDER_PAYMENT_WINDOW_MS);
    });
    deps.logger.info({ orderId: order.id }, 'checkout step-up passed: the card was proven by a texted code');
  }
  const fresh = await ownOrder(deps, openid, orderId);
  const patient = await deps.db.getRepository(PatientRow).findOneByOrFail({ id: fresh.patientId });
  return orderView(fresh, patient.nameMasked);
}
