/**
 * The floor's patient flow, one function per inbound request: the same outgoing hops our services make for that
 * request (parties.ts), the flow's share of SQL and Redis work (filler.ts), the state in Maps (state.ts), and an
 * answer shaped as scripts/journey.ts reads it. No risk rules, rate limits, PII vault, ledger, outbox or state
 * machine: the few checks left (whose session, which code) are what any server must do to answer at all.
 *
 * As in our server, the payment callback is answered at once and the confirmation runs after the answer (ours:
 * the outbox jobs confirm_payment and his_confirm): 6301 and the cash leg's query when insurance paid, then the
 * HIS confirm, and the order is COMPLETED.
 */
import { randomInt } from 'node:crypto';
import { cashOnlySplit } from '../../shared/money';
import { feeLinesOf, type Parties, type VerifiedCallback } from './parties';
import type { Filler } from './filler';
import { newId, newOrderNo, newToken, type Flow, type FloorState, type Order, type Patient } from './state';

export interface FloorDeps {
  parties: Parties;
  filler: Filler;
  state: FloorState;
  hospitalName: string;
  paymentWindowMs: number;
  log(message: string): void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body?: unknown;
}

type Body = Record<string, unknown>;

const str = (body: Body, field: string): string => {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'VALIDATION_FAILED', `${field}?`);
  return value;
};

const SESSION_TTL_S = 7200;
const CODE_TTL_MS = 5 * 60_000;

export async function login(d: FloorDeps, body: Body): Promise<Reply> {
  const openid = await d.parties.wechat.code2session(str(body, 'code'));
  const token = newToken();
  const flow: Flow = { openid, budget: d.filler.budget(token) };
  d.state.sessions.set(token, flow);
  await d.filler.step(flow.budget);
  return { status: 200, body: { token, expiresInS: SESSION_TTL_S } };
}

/** The code goes to the phone the HIS holds (ours texts it from the outbox, moments later). */
export async function startBinding(d: FloorDeps, flow: Flow, body: Body): Promise<Reply> {
  const name = str(body, 'name');
  const idNo = str(body, 'idNo');
  const { hisPatientId, phone } = await d.parties.his.findPatient(name, idNo);
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const verificationId = newId();
  d.state.verifications.set(verificationId, { flow, name, idNo, hisPatientId, code });
  await d.parties.his.sendText(
    phone,
    `【${d.hospitalName}】您的验证码为 ${code}，用于在微信小程序绑定就诊人，5 分钟内有效。如非本人操作，请忽略本短信。`,
  );
  await d.filler.step(flow.budget);
  const expiresAt = new Date(Date.now() + CODE_TTL_MS).toISOString();
  return {
    status: 202,
    body: {
      status: 'VERIFICATION_REQUIRED',
      verificationId,
      channel: 'sms',
      phoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      expiresAt,
      resendAfterS: 60,
    },
  };
}

export async function verifyBinding(d: FloorDeps, flow: Flow, id: string, body: Body): Promise<Reply> {
  const v = d.state.verifications.get(id);
  if (!v || v.flow !== flow) throw new HttpError(404, 'NOT_FOUND', 'no such verification');
  if (v.code !== str(body, 'code')) throw new HttpError(400, 'VERIFICATION_CODE_INVALID', 'wrong code');
  d.state.verifications.delete(id);
  const patient: Patient = { id: newId(), flow, name: v.name, idNo: v.idNo, hisPatientId: v.hisPatientId };
  d.state.patients.set(patient.id, patient);
  await d.filler.step(flow.budget);
  return { status: 201, body: patientView(patient) };
}

export async function authorizeInsurance(d: FloorDeps, flow: Flow, id: string, body: Body): Promise<Reply> {
  const patient = ownPatient(d, flow, id);
  const identity = await d.parties.insurance.authUserQuery(str(body, 'authCode'), flow.openid);
  if (identity.idNo.toUpperCase() !== patient.idNo.toUpperCase())
    throw new HttpError(400, 'AUTH_CODE_INVALID', 'another person');
  const person = await d.parties.insurance.personInfo(patient.idNo, patient.name);
  patient.insured = { ...identity, ...person };
  await d.filler.step(flow.budget);
  return { status: 201, body: { eligible: true, psnNo: person.psnNo, cityId: identity.cityId } };
}

export async function listBills(d: FloorDeps, flow: Flow, id: string): Promise<Reply> {
  const patient = ownPatient(d, flow, id);
  const bills = await d.parties.his.unpaidBills(patient.hisPatientId);
  await d.filler.step(flow.budget);
  return {
    status: 200,
    body: bills
      .filter((b) => b.status === 'UNPAID')
      .map((b) => ({ billNo: b.bill_no, amount: b.amount, dept: b.dept_name, doctor: b.doctor_name })),
  };
}

/** Checkout: the bills asked again, locked at the HIS, and with insurance 6201 + 6202 for the split. */
export async function createOrder(d: FloorDeps, flow: Flow, body: Body): Promise<Reply> {
  const patient = ownPatient(d, flow, str(body, 'patientId'));
  const billNos = Array.isArray(body.billNos) ? body.billNos.map(String) : [];
  const bills = (await d.parties.his.unpaidBills(patient.hisPatientId)).filter((b) =>
    billNos.includes(b.bill_no),
  );
  if (bills.length !== billNos.length) throw new HttpError(404, 'BILL_NOT_FOUND', 'no such unpaid bill');
  const lines = feeLinesOf(bills);
  const total = bills.reduce((sum, b) => sum + b.amount, 0);
  const now = Date.now();
  const orderNo = newOrderNo(now);
  await d.parties.his.lockBills(orderNo, patient.hisPatientId, billNos);
  const order: Order = {
    id: newId(),
    orderNo,
    patient,
    status: 'PRESETTLED',
    billNos,
    lines,
    split: cashOnlySplit(total),
    fundOther: 0,
    createdAtMs: now,
    expiresAtMs: now + d.paymentWindowMs,
  };
  const insured = body.useInsurance === true ? patient.insured : undefined;
  if (insured) {
    const base = { idNo: patient.idNo, name: patient.name, payAuthNo: insured.payAuthNo, medOrgOrd: orderNo };
    const upload = await d.parties.insurance.uploadFees({
      ...base,
      psnNo: insured.psnNo,
      insutype: insured.insutype,
      totalFen: total,
      geoLocation: insured.geoLocation,
      lines,
    });
    Object.assign(order, upload, await d.parties.insurance.payOrder({ ...base, ...upload }));
  }
  d.state.addOrder(order);
  await d.filler.step(flow.budget);
  return { status: 201, body: orderView(order) };
}

/** Pay: the JSAPI order for the cash, the med-ins order when insurance pays, the signed pay parameters. */
export async function startPayment(d: FloorDeps, flow: Flow, id: string): Promise<Reply> {
  const order = ownOrder(d, flow, id);
  if (order.status !== 'PRESETTLED') throw new HttpError(409, 'ORDER_STATE_CONFLICT', order.status);
  order.status = 'AWAITING_PAYMENT';
  const { split, patient } = order;
  const { wechat } = d.parties;
  if (split.cash > 0) {
    order.prepayId = await wechat.createJsapi({
      outTradeNo: order.orderNo,
      amountFen: split.cash,
      openid: flow.openid,
      expireAtMs: order.expiresAtMs,
      attach: order.id,
    });
  }
  if (split.fund + split.account > 0 && patient.insured && order.payOrdId) {
    order.mixTradeNo = await wechat.createMedIns({
      outTradeNo: order.orderNo,
      openid: flow.openid,
      payer: { name: patient.name, idNo: patient.idNo },
      payOrderId: order.payOrdId,
      payAuthNo: patient.insured.payAuthNo,
      geoLocation: patient.insured.geoLocation,
      cityId: patient.insured.cityId,
      createdAtMs: order.createdAtMs,
      split,
      fundOther: order.fundOther,
      prepayId: order.prepayId,
    });
  }
  const payParams = order.prepayId ? wechat.payParams(order.prepayId) : undefined;
  await d.filler.step(flow.budget);
  return {
    status: 200,
    body: { status: order.status, outTradeNo: order.orderNo, mixTradeNo: order.mixTradeNo, payParams },
  };
}

export function getOrder(d: FloorDeps, flow: Flow, id: string): Reply {
  return { status: 200, body: orderView(ownOrder(d, flow, id)) };
}

/** WeChat Pay's callback: verified and decrypted, answered 204, then confirmed after the answer. */
export async function paymentCallback(
  d: FloorDeps,
  headers: Record<string, string | undefined>,
  rawBody: string,
): Promise<Reply> {
  let callback: VerifiedCallback;
  try {
    callback = d.parties.wechat.openCallback(headers, rawBody);
  } catch (err) {
    return { status: 401, body: { code: 'FAIL', message: err instanceof Error ? err.message : String(err) } };
  }
  const order = d.state.ordersByNo.get(callback.outTradeNo);
  if (!order) return { status: 404, body: { code: 'FAIL', message: 'unknown out_trade_no' } };
  if (order.status !== 'AWAITING_PAYMENT') return { status: 204 };
  order.status = 'PAID';
  await d.filler.step(order.patient.flow.budget);
  void confirm(d, order, callback).catch((err: unknown) =>
    d.log(`confirming ${order.orderNo} failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  return { status: 204 };
}

async function confirm(d: FloorDeps, order: Order, callback: VerifiedCallback): Promise<void> {
  const { split, patient } = order;
  const ref = { payOrdId: order.payOrdId ?? '', payToken: order.payToken ?? '' };
  const setlId =
    split.fund + split.account > 0
      ? await d.parties.insurance.queryOrder({ ...ref, idNo: patient.idNo, name: patient.name })
      : undefined;
  let { transactionId } = callback;
  if (!transactionId && split.cash > 0)
    ({ transactionId } = await d.parties.wechat.queryTransaction(order.orderNo));
  order.receiptNo = await d.parties.his.confirmCharge({
    orderNo: order.orderNo,
    hisPatientId: patient.hisPatientId,
    billNos: order.billNos,
    split,
    transactionId,
    payOrdId: order.payOrdId,
    setlId,
    paidAtMs: callback.paidAtMs ?? Date.now(),
  });
  await d.filler.step(patient.flow.budget, true);
  order.status = 'COMPLETED';
}

function ownPatient(d: FloorDeps, flow: Flow, id: string): Patient {
  const patient = d.state.patients.get(id);
  if (!patient || patient.flow !== flow) throw new HttpError(404, 'PATIENT_NOT_FOUND', 'no such patient');
  return patient;
}

function ownOrder(d: FloorDeps, flow: Flow, id: string): Order {
  const order = d.state.orders.get(id);
  if (!order || order.patient.flow !== flow) throw new HttpError(404, 'ORDER_NOT_FOUND', 'no such order');
  return order;
}

function patientView(p: Patient) {
  return {
    id: p.id,
    hisPatientId: p.hisPatientId,
    idNoMasked: `${p.idNo.slice(0, 3)}***********${p.idNo.slice(-4)}`,
  };
}

function orderView(o: Order) {
  return {
    id: o.id,
    orderNo: o.orderNo,
    status: o.status,
    split: o.split,
    billNos: o.billNos,
    expiresAt: new Date(o.expiresAtMs).toISOString(),
    ...(o.receiptNo ? { receiptNo: o.receiptNo } : {}),
  };
}
