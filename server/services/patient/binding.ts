/**
 * Binding a patient card with proof of ownership (DESIGN flow 11, issue 10): name + ID number find a patient at
 * the HIS but prove nothing, so a card is bound only when the one-time code texted to the phone the HIS holds for
 * that patient comes back.
 *
 * - The answer to a binding attempt is the same whether or not the HIS knows the person: a verification is
 *   written either way; for a stranger (or a patient without a phone on file) no text is sent, its code is null
 *   and no code can ever succeed, and the masked phone shown is a stable stand-in derived from the ID number.
 * - The text goes out through the outbox (`sms_send`), so answering takes the same time either way.
 * - Codes live VERIFICATION_TTL_MS, VERIFICATION_ATTEMPTS_MAX tries; then the verification is dead.
 * - Limits per WeChat user, per ID number and per phone (VERIFICATION_CODES_PER_HOUR each); the phone's limit
 *   is applied silently (no text), since refusing would say the phone exists.
 * - Until verified, nothing of the card exists: every route for it is 404.
 * - The risk rules (issue 13, services/risk/checks.ts) judge every attempt first: block → 403 RISK_BLOCKED,
 *   review → 409 RISK_REVIEW; step_up is the texted code, which every binding asks for anyway.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { BindPatientRequest, PatientView, VerificationView } from '../../../shared/api';
import { enqueue } from '../../db/outbox';
import { newId } from '../../db/orders';
import {
  findVerification,
  insertVerification,
  markDead,
  markVerified,
  takeAttempt,
  unbindPatient,
  pendingVerificationOpenid,
  upsertBoundPatient,
  type Verification,
} from '../../db/verifications';
import { maskIdNo, maskName, maskPhone } from '../../security/pii';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import { getPatient } from './cards';
import { checkBinding, type RiskContext } from '../risk/checks';
import type { Deps } from '../deps';

export const VERIFICATION_TTL_MS = 5 * 60_000;
export const VERIFICATION_ATTEMPTS_MAX = 5;
export const VERIFICATION_CODES_PER_HOUR = 5;
export const VERIFICATION_RESEND_AFTER_S = 60;
const CODE_DIGITS = 6;
const HOUR_S = 3600;

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '157',
  '158',
  '159',
  '166',
  '176',
  '177',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '198',
  '199',
];

/** A stable, plausible masked number for someone without one at the HIS: the same every time for an ID number. */
function standInPhoneMask(idNoHash: string): string {
  const n = Number.parseInt(idNoHash.slice(0, 8), 16);
  const prefix = MOBILE_PREFIXES[n % MOBILE_PREFIXES.length];
  const tail = String(Number.parseInt(idNoHash.slice(8, 16), 16) % 10_000).padStart(4, '0');
  return `${prefix}****${tail}`;
}

/** A 6-digit code for a text message (card binding, checkout step-up). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

async function withinLimit(
  deps: Deps,
  name: string,
  key: string,
): Promise<{ allowed: boolean; retryAfterS: number }> {
  const decision = await deps.store.consumeRate(name, key, {
    points: VERIFICATION_CODES_PER_HOUR,
    durationS: HOUR_S,
  });
  return { allowed: decision.allowed, retryAfterS: Math.ceil(decision.retryAfterMs / 1000) };
}

function rateLimited(retryAfterS: number): AppError {
  return new AppError(
    'VERIFICATION_RATE_LIMITED',
    `获取验证码过于频繁，请 ${Math.max(1, Math.ceil(retryAfterS / 60))} 分钟后再试。`,
    { retryAfterS },
  );
}

export async function startBinding(
  deps: Deps,
  openid: string,
  req: BindPatientRequest,
  risk: RiskContext = {},
): Promise<VerificationView> {
  const idNoHash = deps.pii.lookupHash(req.idNo);
  await checkBinding(deps, openid, idNoHash, risk);
  for (const [name, key] of [
    ['bind-user', openid],
    ['bind-idno', idNoHash],
  ] as const) {
    const verdict = await withinLimit(deps, name, key);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterS);
  }
  let hisPatient;
  try {
    hisPatient = await deps.his.findPatient(req.name, req.idNo);
  } catch (err) {
    throw upstreamError(err, 'patient lookup');
  }
  const phone = hisPatient?.phone;
  const phoneAllowed = phone
    ? (await withinLimit(deps, 'bind-phone', deps.pii.lookupHash(phone))).allowed
    : false;
  const code = hisPatient && phone && phoneAllowed ? newCode() : null;
  const now = deps.clock.now();
  const verification = {
    id: newId(),
    openid,
    idNoHash,
    nameEnc: deps.pii.encrypt(req.name),
    idNoEnc: deps.pii.encrypt(req.idNo),
    hisPatientId: hisPatient?.hisPatientId ?? null,
    phoneEnc: phone ? deps.pii.encrypt(phone) : null,
    phoneMasked: phone ? maskPhone(phone) : standInPhoneMask(idNoHash),
    codeEnc: code === null ? null : deps.pii.encrypt(code),
    expiresAt: new Date(now + VERIFICATION_TTL_MS),
    createdAt: new Date(now),
  };
  await deps.db.transaction(async (m) => {
    await insertVerification(m, verification);
    if (code !== null)
      await enqueue(
        m,
        'sms_send',
        `sms_send:${verification.id}`,
        null,
        { verificationId: verification.id },
        new Date(now),
      );
  });
  if (code !== null) deps.kickJobs?.();
  return {
    status: 'VERIFICATION_REQUIRED',
    verificationId: verification.id,
    channel: 'sms',
    phoneMasked: verification.phoneMasked,
    expiresAt: verification.expiresAt.toISOString(),
    resendAfterS: VERIFICATION_RESEND_AFTER_S,
  };
}

/** The outbox job `sms_send`: texts the code of a verification still pending (a retry never sends a new code). */
export async function sendVerificationText(deps: Deps, payload: Record<string, unknown>): Promise<void> {
  const id = typeof payload.verificationId === 'string' ? payload.verificationId : '';
  const openid = await pendingVerificationOpenid(deps.db, id, new Date(deps.clock.now()));
  if (openid === null) return; // verified, dead or expired meanwhile: nothing to send
  const v = await findVerification(deps.db.manager, id, openid);
  if (!v?.codeEnc || !v.phoneEnc) return;
  const code = deps.pii.decrypt(v.codeEnc);
  const minutes = Math.round(VERIFICATION_TTL_MS / 60_000);
  await deps.sms.send(
    deps.pii.decrypt(v.phoneEnc),
    `【${deps.settings.HOSPITAL_NAME}】您的验证码为 ${code}，用于在微信小程序绑定就诊人，${minutes} 分钟内有效。如非本人操作，请忽略本短信。`,
  );
}

/** Compares codes in constant time. */
export function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function verifyBinding(
  deps: Deps,
  openid: string,
  verificationId: string,
  code: string,
): Promise<PatientView> {
  const existing = await findVerification(deps.db.manager, verificationId, openid);
  if (!existing) throw new AppError('NOT_FOUND', '没有找到这次绑定，请重新填写就诊人信息。');
  if (existing.status === 'VERIFIED' && existing.patientId)
    return getPatient(deps, openid, existing.patientId);
  const now = new Date(deps.clock.now());
  const v = await takeAttempt(deps.db.manager, verificationId, openid, now, VERIFICATION_ATTEMPTS_MAX);
  if (!v) throw expired();
  if (v.codeEnc === null || v.hisPatientId === null || !sameCode(deps.pii.decrypt(v.codeEnc), code)) {
    const left = VERIFICATION_ATTEMPTS_MAX - v.attempts;
    if (left <= 0) {
      await markDead(deps.db.manager, v.id);
      throw expired();
    }
    throw new AppError('VERIFICATION_CODE_INVALID', `验证码不正确，还可以再试 ${left} 次。`, {
      attemptsLeft: left,
    });
  }
  return bindVerified(deps, v, now);
}

function expired(): AppError {
  return new AppError(
    'VERIFICATION_EXPIRED',
    '验证码已失效（超过 5 分钟或错误次数过多），请重新获取验证码。',
  );
}

async function bindVerified(deps: Deps, v: Verification, now: Date): Promise<PatientView> {
  if (v.hisPatientId === null) throw new Error(`verification ${v.id} has no HIS patient`);
  const hisPatientId = v.hisPatientId;
  const name = deps.pii.decrypt(v.nameEnc);
  const idNo = deps.pii.decrypt(v.idNoEnc);
  const phone = v.phoneEnc ? deps.pii.decrypt(v.phoneEnc) : null;
  const patientId = await deps.db.transaction(async (m) => {
    const id = await upsertBoundPatient(m, {
      id: newId(),
      openid: v.openid,
      hisPatientId,
      nameEnc: v.nameEnc,
      nameMasked: maskName(name),
      idNoEnc: v.idNoEnc,
      idNoHash: v.idNoHash,
      idNoMasked: maskIdNo(idNo),
      phoneEnc: v.phoneEnc,
      phoneMasked: phone ? maskPhone(phone) : null,
      createdAt: now,
    });
    await markVerified(m, v.id, id);
    return id;
  });
  return getPatient(deps, v.openid, patientId);
}

export async function unbind(deps: Deps, openid: string, patientId: string): Promise<void> {
  const done = await unbindPatient(deps.db.manager, patientId, openid, new Date(deps.clock.now()));
  if (!done) throw new AppError('PATIENT_NOT_FOUND', '没有找到这位就诊人。');
}
