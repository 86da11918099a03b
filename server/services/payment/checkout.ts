/**
 * Checkout (DESIGN 6.5): lock the HIS bills → 6201 upload the fee lines → 6202 pre-settle → PRESETTLED with the
 * split. Outside calls happen outside transactions; each result is recorded in a short one. If a step fails the
 * order is cancelled and the release (unlock, revoke) goes through the outbox, so it survives a crash.
 *
 * The risk rules (issue 13, services/risk/checks.ts): a blocked user is refused first (403 RISK_BLOCKED, before
 * the HIS is asked anything); the other rules judge the checkout once the bills and their amount are known and
 * before anything is locked at the HIS: block → 403 RISK_BLOCKED with nothing written but the risk
 * event; review → the order is created and pre-settled as usual but held (`risk_hold = 'REVIEW'`), so paying
 * it answers 409 RISK_REVIEW until a cashier approves it; step_up → held (`'STEP_UP'`), paying answers 403
 * RISK_STEP_UP until the patient proves the card with a code texted to the HIS phone (services/risk/stepUp.ts).
 */
import type { CreateOrderRequest, OrderView } from '../../../shared/api';
import { assertSplit, cashOnlySplit, sumFen, type Split } from '../../../shared/money';
import { OrderRow, type InsuranceAuthorizationRow, type PatientRow } from '../../db/entities';
import { insertOrderEvent, newId, patchOrder, transitionOrder } from '../../db/orders';
import { closeAndRelease } from './closeAndRelease';
import { cardPerson, payAuthNoOf } from '../order/insuredIdentity';
import { GatewayError, type FeeLine, type HisBill } from '../../gateways/ports';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import { currentAuthorization } from '../patient/insuranceAuthorizations';
import { newOrderNo } from './orderNumbers';
import { ownPatient } from '../patient/cards';
import { forgetBills } from '../patient/bills';
import { orderView } from '../order/views';
import { holdForReview } from '../../db/risk';
import { holdForStepUp } from '../../db/stepUps';
import {
  checkCheckout,
  refuseBlockedCheckout,
  type CheckoutAssessment,
  type RiskContext,
} from '../risk/checks';
import type { Deps } from '../deps';

export async function createOrder(
  deps: Deps,
  openid: string,
  req: CreateOrderRequest,
  risk: RiskContext = {},
): Promise<OrderView> {
  const patient = await ownPatient(deps, openid, req.patientId);
  const billNos = [...new Set(req.billNos)];
  if (billNos.length !== req.billNos.length)
    throw new AppError('VALIDATION_FAILED', '同一张账单被选择了两次，请刷新后重新选择。');
  await refuseBlockedCheckout(deps, { openid, patientId: patient.id }, risk);
  const authorization = req.useInsurance ? await currentAuthorization(deps, patient.id) : null;
  const bills = await payableBills(deps, patient, billNos);
  const feeLines = snapshotFeeLines(bills);
  const total = sumFen(bills.map((b) => b.amountFen));
  const assessment = await checkCheckout(deps, { openid, patientId: patient.id, amountFen: total }, risk);

  const now = new Date(deps.clock.now());
  const order = await insertCreatedOrder(
    deps,
    patient,
    authorization,
    billNos,
    feeLines,
    total,
    deptOf(bills),
    req.useInsurance,
    now,
    assessment,
  );
  await forgetBills(deps, patient.hisPatientId);
  try {
    await lockBills(deps, order, patient, billNos);
    const { split, fundOther } =
      authorization && total > 0
        ? await preSettle(deps, order, patient, authorization, feeLines, total)
        : { split: cashOnlySplit(total), fundOther: 0 };
    assertSplit(split, 'pre-settlement');
    if (split.total !== total)
      throw new GatewayError(
        'insurance',
        'invalid_response',
        `pre-settlement total ${split.total} ≠ bills ${total}`,
      );
    const presettled = await deps.db.transaction((m) =>
      transitionOrder(
        m,
        order.id,
        ['CREATED'],
        'PRESETTLED',
        { split, fundOtherFen: fundOther },
        {
          actor: 'patient',
          reason: 'pre-settled',
          at: new Date(deps.clock.now()),
          externalRef: order.payOrdId ?? undefined,
        },
      ),
    );
    return orderView(presettled, patient.nameMasked);
  } catch (err) {
    await cancelCreated(deps, order.id, err);
    if (err instanceof AppError) throw err;
    if (err instanceof GatewayError && err.kind === 'rejected') {
      // the party's own words (English, codes) go to the log as the cause, never to the patient
      if (err.party === 'his')
        throw new AppError('BILL_NOT_PAYABLE', '医院系统暂不允许支付这张账单，请咨询收费窗口。', undefined, {
          cause: `his refused: ${err.message}`,
        });
      throw new AppError('INSURANCE_REJECTED', '医保结算未通过，请选择自费支付或咨询医保窗口。', undefined, {
        cause: `insurance refused the settlement: ${err.message}`,
      });
    }
    throw upstreamError(err, 'checkout');
  }
}

async function payableBills(deps: Deps, patient: PatientRow, billNos: string[]): Promise<HisBill[]> {
  let unpaid: HisBill[];
  try {
    unpaid = await deps.his.listUnpaidBills(patient.hisPatientId);
  } catch (err) {
    throw upstreamError(err, 'bills');
  }
  const byNo = new Map(unpaid.filter((b) => b.status === 'UNPAID').map((b) => [b.billNo, b]));
  const bills: HisBill[] = [];
  for (const billNo of billNos) {
    const bill = byNo.get(billNo);
    if (bill) {
      bills.push(bill);
      continue;
    }
    const known = await deps.his.getBill(billNo).catch((err: unknown) => {
      throw upstreamError(err, 'bill');
    });
    if (!known || known.hisPatientId !== patient.hisPatientId)
      throw new AppError('BILL_NOT_FOUND', `这位就诊人没有待缴账单 ${billNo}，请刷新账单列表。`);
    throw new AppError(
      'BILL_NOT_PAYABLE',
      `账单 ${billNo} ${known.status === 'PAID' ? '已经缴过费了' : '正在另一笔订单中支付'}，请刷新账单列表。`,
    );
  }
  return bills;
}

const ORDER_DEPT_MAX_CHARS = 500;

/** The bills' departments, each once, in bill order: 内科门诊、检验科. */
function deptOf(bills: HisBill[]): string | null {
  const depts = [...new Set(bills.map((b) => b.dept.trim()).filter((d) => d !== ''))];
  return depts.length > 0 ? depts.join('、').slice(0, ORDER_DEPT_MAX_CHARS) : null;
}

function snapshotFeeLines(bills: HisBill[]): FeeLine[] {
  return bills.flatMap((bill) =>
    bill.items.map((item) => ({
      code: item.code,
      name: item.name,
      spec: item.spec,
      priceFen: item.priceFen,
      qty: item.qty,
      amountFen: item.amountFen,
      insuranceClass: item.insuranceClass,
      billNo: bill.billNo,
    })),
  );
}

async function insertCreatedOrder(
  deps: Deps,
  patient: PatientRow,
  authorization: InsuranceAuthorizationRow | null,
  billNos: string[],
  feeLines: FeeLine[],
  total: number,
  dept: string | null,
  useInsurance: boolean,
  now: Date,
  assessment: CheckoutAssessment,
): Promise<OrderRow> {
  const split: Split = cashOnlySplit(total);
  const row: OrderRow = Object.assign(new OrderRow(), {
    id: newId(),
    orderNo: newOrderNo(now.getTime()),
    openid: patient.openid,
    patientId: patient.id,
    hisPatientId: patient.hisPatientId,
    status: 'CREATED' as const,
    version: 0,
    useInsurance,
    billNos,
    feeLines,
    totalFen: split.total,
    fundFen: split.fund,
    fundOtherFen: 0,
    accountFen: split.account,
    cashFen: split.cash,
    refundedFen: 0,
    dept,
    authorizationId: authorization?.id ?? null,
    expiresAt: new Date(now.getTime() + deps.settings.ORDER_PAYMENT_WINDOW_MS),
    createdAt: now,
    updatedAt: now,
  });
  await deps.db.transaction(async (m) => {
    await m.getRepository(OrderRow).insert(row);
    await insertOrderEvent(m, row.id, 'CREATED', { actor: 'patient', reason: 'checkout', at: now });
    if (assessment.hold === 'REVIEW') await holdForReview(m, row.id);
    if (assessment.hold === 'STEP_UP') await holdForStepUp(m, row.id);
    await assessment.record(m, row.id);
  });
  return row;
}

async function lockBills(deps: Deps, order: OrderRow, patient: PatientRow, billNos: string[]): Promise<void> {
  await deps.his.lockBills(order.orderNo, patient.hisPatientId, billNos);
}

async function preSettle(
  deps: Deps,
  order: OrderRow,
  patient: PatientRow,
  authorization: InsuranceAuthorizationRow,
  feeLines: FeeLine[],
  total: number,
): Promise<{ split: Split; fundOther: number }> {
  if (!authorization.psnNo || !authorization.insutype)
    throw new AppError('INSURANCE_NOT_AUTHORIZED', '医保授权中没有参保人信息，请重新授权。');
  const payAuthNo = payAuthNoOf(deps, authorization);
  const { idNo, name } = cardPerson(deps, patient);
  const upload = await deps.insurance.uploadFees({
    medOrgOrd: order.orderNo,
    psnNo: authorization.psnNo,
    insutype: authorization.insutype,
    payAuthNo,
    idNo,
    name,
    totalFen: total,
    accountUsed: true,
    geoLocation: authorization.geoLocation,
    lines: feeLines,
  });
  // record the upload before the next call, so a crash after it can still revoke
  await patchOrder(
    deps.db.manager,
    order.id,
    ['CREATED'],
    { payOrdId: upload.payOrdId, payToken: upload.payToken },
    new Date(deps.clock.now()),
  );
  order.payOrdId = upload.payOrdId;
  const pre = await deps.insurance.preSettle({
    payOrdId: upload.payOrdId,
    payToken: upload.payToken,
    idNo,
    name,
    payAuthNo,
    medOrgOrd: order.orderNo,
    accountUsed: true,
    totalFen: total,
  });
  return { split: pre.split, fundOther: pre.fundOther };
}

/** Checkout failed: cancel, and release whatever was taken (bills, fee upload) through the outbox. */
async function cancelCreated(deps: Deps, orderId: string, cause: unknown): Promise<void> {
  const at = new Date(deps.clock.now());
  const reason = cause instanceof Error ? cause.message : String(cause);
  // so the patient's history says 医保结算未通过 rather than a plain 已取消
  const refused = cause instanceof GatewayError && cause.party === 'insurance' && cause.kind === 'rejected';
  await deps.db.transaction(async (m) => {
    await closeAndRelease(m, {
      orderId,
      from: ['CREATED'],
      to: 'CANCELLED',
      patch: {
        lastError: reason.slice(0, 500),
        ...(refused ? { outcome: 'INSURANCE_REFUSED' as const } : {}),
      },
      actor: 'system',
      reason: `checkout failed: ${reason}`.slice(0, 500),
      releaseReason: 'checkout failed',
      at,
    });
  });
}
