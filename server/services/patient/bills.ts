import type { BillView } from '../../../shared/api';
import type { HisBill } from '../../gateways/ports';
import { ownPatient } from './cards';
import { upstreamError } from '../gatewayErrors';
import type { Deps } from '../deps';

export function billView(bill: HisBill): BillView {
  return {
    billNo: bill.billNo,
    amount: bill.amountFen,
    dept: bill.dept,
    doctor: bill.doctor,
    createdAt: new Date(bill.createdAtMs).toISOString(),
    items: bill.items.map((i) => ({
      code: i.code,
      name: i.name,
      spec: i.spec,
      price: i.priceFen,
      qty: i.qty,
      amount: i.amountFen,
      insuranceClass: i.insuranceClass,
    })),
  };
}

/** Unpaid bills of the caller's patient card, cached briefly (the order snapshot is authoritative later). */
export async function listUnpaidBills(deps: Deps, openid: string, patientId: string): Promise<BillView[]> {
  const patient = await ownPatient(deps, openid, patientId);
  const cacheKey = `bills:${patient.hisPatientId}`;
  const cached = await deps.store.get(cacheKey);
  if (cached) return JSON.parse(cached) as BillView[];
  let bills: HisBill[];
  try {
    bills = await deps.his.listUnpaidBills(patient.hisPatientId);
  } catch (err) {
    throw upstreamError(err, 'unpaid bills');
  }
  const views = bills.filter((b) => b.status === 'UNPAID').map(billView);
  await deps.store.set(cacheKey, JSON.stringify(views), deps.settings.BILLS_CACHE_TTL_MS);
  return views;
}

export async function forgetBills(deps: Deps, hisPatientId: string): Promise<void> {
  await deps.store.del(`bills:${hisPatientId}`);
}
