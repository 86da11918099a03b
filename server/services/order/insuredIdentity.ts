/**
 * The insured identity behind an order, decrypted in one place: the card's person (name, ID number), the
 * authorization's pay_auth_no, the e-voucher holder when a WeChat user pays for a relative, and the reference
 * 6301 / 6401 need to name a settlement. Nothing else in the services reads these sealed columns for an order.
 */
import { InsuranceAuthorizationRow, PatientRow, type OrderRow } from '../../db/entities';
import type { SettlementRef } from '../../gateways/ports';
import type { Deps } from '../deps';

export interface Person {
  name: string;
  idNo: string;
}

export function cardPerson(deps: Deps, patient: PatientRow): Person {
  return { name: deps.pii.decrypt(patient.nameEnc), idNo: deps.pii.decrypt(patient.idNoEnc) };
}

export async function cardPersonOfOrder(deps: Deps, order: OrderRow): Promise<Person> {
  return cardPerson(deps, await deps.db.getRepository(PatientRow).findOneByOrFail({ id: order.patientId }));
}

/** The authorization an insurance order was made under; an order without one has no insurance share. */
export async function authorizationOfOrder(deps: Deps, order: OrderRow): Promise<InsuranceAuthorizationRow> {
  if (!order.authorizationId) throw new Error(`order ${order.id} has no insurance authorization`);
  return deps.db.getRepository(InsuranceAuthorizationRow).findOneByOrFail({ id: order.authorizationId });
}

export function payAuthNoOf(deps: Deps, authorization: InsuranceAuthorizationRow): string {
  return deps.pii.decrypt(authorization.payAuthNoEnc);
}

/** 代亲属支付: the e-voucher holder who authorized for the card's person, when that is somebody else. */
export function holderOf(deps: Deps, authorization: InsuranceAuthorizationRow): Person | undefined {
  return authorization.holderNameEnc && authorization.holderIdNoEnc
    ? {
        name: deps.pii.decrypt(authorization.holderNameEnc),
        idNo: deps.pii.decrypt(authorization.holderIdNoEnc),
      }
    : undefined;
}

/** What 6301 / 6401 need to name an order's settlement. */
export async function settlementRefOf(deps: Deps, order: OrderRow): Promise<SettlementRef> {
  if (!order.payOrdId || !order.payToken) throw new Error(`order ${order.id} has no insurance settlement`);
  return { payOrdId: order.payOrdId, payToken: order.payToken, ...(await cardPersonOfOrder(deps, order)) };
}
