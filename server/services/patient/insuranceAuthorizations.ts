import type { InsuranceAuthorizationView } from '../../../shared/api';
import { InsuranceAuthorizationRow, type OrderRow } from '../../db/entities';
import { recordBalance } from '../../db/insuranceBalances';
import { newId } from '../../db/orders';
import { GatewayError, type InsuredIdentity, type InsuredStatus } from '../../gateways/ports';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import { authorizationView } from './insuranceViews';
import { ownPatient } from './cards';
import { authorizationOfOrder, cardPerson, cardPersonOfOrder } from '../order/insuredIdentity';
import type { Deps } from '../deps';

/** payAuthNo is valid for a limited time; we ask again after this. */
export const AUTHORIZATION_TTL_MS = 24 * 3600_000;

export function ineligibilityReason(status: InsuredStatus): string | undefined {
  switch (status) {
    case 'ACTIVE':
      return undefined;
    case 'SUSPENDED':
      return '医保参保状态为暂停，暂不能使用医保支付，可选择全部自费支付';
    case 'ARREARS':
      return '医保欠费，暂不能使用医保支付，可选择全部自费支付';
    case 'OUT_OF_AREA':
      return '异地参保人员未办理异地就医备案，暂不能使用医保支付，可选择全部自费支付';
  }
}

export async function authorizeInsurance(
  deps: Deps,
  openid: string,
  patientId: string,
  authCode: string,
): Promise<InsuranceAuthorizationView & { psnNo?: string }> {
  const patient = await ownPatient(deps, openid, patientId);
  const { idNo, name } = cardPerson(deps, patient);
  let identity;
  try {
    identity = await deps.insurance.exchangeAuthCode(authCode, openid);
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'rejected')
      throw new AppError('AUTH_CODE_INVALID', '医保授权已失效，请重新授权。');
    throw upstreamError(err, 'insurance authorization');
  }
  if (identity.idNo.toUpperCase() !== idNo.toUpperCase()) {
    throw new AppError('AUTH_CODE_INVALID', '授权的医保身份与这张就诊卡不是同一人，请由就诊人本人重新授权。');
  }
  let person;
  try {
    person = await deps.insurance.queryPerson(idNo, name);
  } catch (err) {
    if (err instanceof GatewayError && err.kind === 'rejected') {
      return saveAuthorization(
        deps,
        patientId,
        identity,
        null,
        false,
        '未查询到医保参保信息，可选择全部自费支付',
      );
    }
    throw upstreamError(err, 'insurance eligibility (1101)');
  }
  const reason = ineligibilityReason(person.status);
  return saveAuthorization(deps, patientId, identity, person, reason === undefined, reason);
}

async function saveAuthorization(
  deps: Deps,
  patientId: string,
  identity: Pick<InsuredIdentity, 'payAuthNo' | 'cityId' | 'geoLocation' | 'holder'>,
  person: { psnNo: string; insutype: string; status: InsuredStatus; accountBalanceFen: number } | null,
  eligible: boolean,
  reason: string | undefined,
): Promise<InsuranceAuthorizationView & { psnNo?: string }> {
  const now = deps.clock.now();
  const row: InsuranceAuthorizationRow = Object.assign(new InsuranceAuthorizationRow(), {
    id: newId(),
    patientId,
    eligible,
    reason: reason ?? null,
    payAuthNoEnc: deps.pii.encrypt(identity.payAuthNo),
    psnNo: person?.psnNo ?? null,
    insutype: person?.insutype ?? null,
    insuredStatus: person?.status ?? null,
    balanceFen: person?.accountBalanceFen ?? null,
    balanceAsOf: person ? new Date(now) : null,
    cityId: identity.cityId,
    geoLocation: identity.geoLocation,
    holderNameEnc: identity.holder ? deps.pii.encrypt(identity.holder.name) : null,
    holderIdNoEnc: identity.holder ? deps.pii.encrypt(identity.holder.idNo) : null,
    expiresAt: new Date(now + AUTHORIZATION_TTL_MS),
    createdAt: new Date(now),
  });
  await deps.db.getRepository(InsuranceAuthorizationRow).insert(row);
  return { ...authorizationView(row), psnNo: row.psnNo ?? undefined };
}

/** The patient's current usable authorization, or a clear refusal. */
export async function currentAuthorization(
  deps: Deps,
  patientId: string,
): Promise<InsuranceAuthorizationRow> {
  const row = await deps.db
    .getRepository(InsuranceAuthorizationRow)
    .findOne({ where: { patientId }, order: { createdAt: 'DESC' } });
  if (!row || row.expiresAt.getTime() <= deps.clock.now()) {
    throw new AppError('INSURANCE_NOT_AUTHORIZED', '还没有完成医保授权，请先授权或选择自费支付。');
  }
  if (!row.eligible)
    throw new AppError('INSURANCE_INELIGIBLE', row.reason ?? '这位就诊人暂时不能使用医保，请选择自费支付。');
  return row;
}

/**
 * The 个人账户 balance a settlement left (6301's setlinfo balc), as of the settlement's time, kept on the order's
 * card. Display only: a failure is logged, never in the way of the payment.
 */
export async function keepSettledBalance(
  deps: Deps,
  order: OrderRow,
  balanceFen: number,
  asOfMs: number,
): Promise<void> {
  try {
    const { psnNo } = await authorizationOfOrder(deps, order);
    if (!psnNo) return;
    await recordBalance(deps.db, { patientId: order.patientId, psnNo, balanceFen, asOf: new Date(asOfMs) });
  } catch (err) {
    deps.logger.warn({ err, orderId: order.id }, 'could not keep the insurance balance of a settlement');
  }
}

/**
 * Asks 1101 for the balance of the order's insured person again (after the account leg came back by 6203, or a
 * settlement whose 6301 gave no balance) and keeps it on the card, as of now. Display only: a failure is logged,
 * never in the way of the payment or refund.
 */
export async function refreshBalance(deps: Deps, order: OrderRow): Promise<void> {
  try {
    const { psnNo } = await authorizationOfOrder(deps, order);
    if (!psnNo) return;
    const { idNo, name } = await cardPersonOfOrder(deps, order);
    const person = await deps.insurance.queryPerson(idNo, name);
    if (person.psnNo !== psnNo) {
      deps.logger.warn({ orderId: order.id }, '1101 answered another insured person than the order’s');
      return;
    }
    await recordBalance(deps.db, {
      patientId: order.patientId,
      psnNo,
      balanceFen: person.accountBalanceFen,
      asOf: new Date(deps.clock.now()),
    });
  } catch (err) {
    deps.logger.warn({ err, orderId: order.id }, 'could not refresh the insurance balance (1101)');
  }
}
