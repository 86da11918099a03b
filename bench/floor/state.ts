/**
 * The floor's state, in Maps of this process: sessions (token → flow), pending verifications, bound patients and
 * orders. Nothing is persisted (the filler's rows stand in for our writes) and nothing expires: a bench run is
 * a few thousand flows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Split } from '../../shared/money';
import type { FeeLine } from '../../server/gateways/ports';
import type { Budget } from './filler';

export interface Flow {
  openid: string;
  budget: Budget;
}

export interface Verification {
  flow: Flow;
  name: string;
  idNo: string;
  hisPatientId: string;
  code: string;
}

export interface Insured {
  payAuthNo: string;
  cityId: string;
  geoLocation: string;
  psnNo: string;
  insutype: string;
}

export interface Patient {
  id: string;
  flow: Flow;
  name: string;
  idNo: string;
  hisPatientId: string;
  insured?: Insured;
}

export type OrderStatus = 'PRESETTLED' | 'AWAITING_PAYMENT' | 'PAID' | 'COMPLETED';

export interface Order {
  id: string;
  orderNo: string;
  patient: Patient;
  status: OrderStatus;
  billNos: string[];
  lines: FeeLine[];
  split: Split;
  fundOther: number;
  createdAtMs: number;
  expiresAtMs: number;
  payOrdId?: string;
  payToken?: string;
  prepayId?: string;
  mixTradeNo?: string;
  receiptNo?: string;
}

export class FloorState {
  readonly sessions = new Map<string, Flow>();
  readonly verifications = new Map<string, Verification>();
  readonly patients = new Map<string, Patient>();
  readonly orders = new Map<string, Order>();
  readonly ordersByNo = new Map<string, Order>();

  addOrder(order: Order): void {
    this.orders.set(order.id, order);
    this.ordersByNo.set(order.orderNo, order);
  }
}

export const newId = (): string => randomUUID();
export const newToken = (): string => randomBytes(24).toString('base64url');

/** F + base-36 time + random: 20 characters at most, as WeChat's serial_no allows. */
export function newOrderNo(nowMs = Date.now()): string {
  return `F${nowMs.toString(36).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 20);
}
