/**
 * Scenarios at the HIS mock. `billPaidAtWindow`: when the online order comes to lock the bills, a cashier has
 * just taken the money at the window — every unpaid bill of the request is paid at the window first, so the
 * lock is refused BILL_NOT_PAYABLE. A session owns the patients it created (POST /__admin/patients with
 * X-Mock-Session) and their bills, and then the orders that name them; the server's calls resolve to it by
 * patient id, ID number, bill no or order no.
 */
import type { MockFrame } from '../common/app';
import { sessionsOf } from '../common/session';
import { payAtWindow } from './charges';
import type { HisState } from './state';

export function mountHisScenarios(frame: MockFrame): void {
  sessionsOf(frame).bindTags(['patientId', 'billNo', 'orderNo']);
}

/** Binds what a session's admin call created to the session of `owner` (the patient) or of the request. */
export function bindHis(frame: MockFrame, ids: Record<string, string>, owner?: string): void {
  const sessions = sessionsOf(frame);
  if (owner !== undefined) sessions.resolve([{ kind: 'patientId', value: owner }]);
  sessions.bind(Object.entries(ids).map(([kind, value]) => ({ kind, value })));
}

/** Before a lock: the scenario's window payment of the bills asked for. */
export function applyLockScenario(
  frame: MockFrame,
  state: HisState,
  request: { order_no: string; patient_id: string; bill_nos: string[] },
): void {
  const effects = sessionsOf(frame).effects('his', [
    { kind: 'patientId', value: request.patient_id },
    ...request.bill_nos.map((value) => ({ kind: 'billNo', value })),
    { kind: 'orderNo', value: request.order_no },
  ]);
  if (!effects?.billPaidAtWindow) return;
  for (const billNo of request.bill_nos) {
    const bill = state.bills.get(billNo);
    if (bill && bill.status === 'UNPAID') payAtWindow(state, bill);
  }
}
