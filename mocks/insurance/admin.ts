/**
 * The insurance mock's admin API (DESIGN 13) under /__admin: persons, catalogue, policies, settlements, the
 * mock → mock settle call of the WeChat Pay mock, and discrepancies for reconciliation tests (a refund made at
 * the platform only, settled amounts the books show differently). Ratios are numbers in [0, 1] here, basis
 * points inside; amounts are fen.
 */
import { z } from 'zod';
import { FEN_MAX, type Split } from '../../shared/money';
import { ORD_STAS, settleRequestSchema, type SettleResponse } from '../../shared/protocol/insurance';
import { MockHttpError, parseBody, type MockFrame } from '../common/app';
import {
  bpToRatio,
  INSUTYPES,
  ratioToBp,
  selfPayRatioBpOf,
  type CatalogueItem,
  type InsutypePolicy,
  type Policies,
} from './rules';
import { bindPerson } from './scenarios';
import { InsuranceBizError, type InsuranceState, type Person } from './state';
import type { Order } from './records';
import { latestResult } from './wire';

const LIST_LIMIT_MAX = 500;

const fen = z.number().int().min(0).max(FEN_MAX);
const ratio = z
  .number()
  .min(0)
  .max(1)
  .refine((r) => ratioToBp(r) !== null, 'a ratio in [0, 1] with at most 4 decimals');
const statusSchema = z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA']);
const admdvs = z.string().regex(/^\d{6}$/);

const personCreateSchema = z.object({
  name: z.string().min(1).max(50),
  idNo: z.string().regex(/^\d{17}[\dX]$/, '18-character ID number'),
  insutype: z.enum(INSUTYPES),
  balance: fen,
  status: statusSchema.default('ACTIVE'),
  insuplcAdmdvs: admdvs.optional(),
  /** 代亲属: the e-voucher holder (a WeChat user) who authorizes for this person */
  holder: z
    .object({
      name: z.string().min(1).max(50),
      idNo: z.string().regex(/^\d{17}[\dX]$/, '18-character ID number'),
    })
    .optional(),
});

const personPatchSchema = z.object({
  name: z.string().min(1).max(50).optional(),
  status: statusSchema.optional(),
  balance: fen.optional(),
  insuplcAdmdvs: admdvs.optional(),
  /** sets this year's (or `year`'s) usage, e.g. to test the deductible or the cap */
  deductibleUsedFen: fen.optional(),
  capUsedFen: fen.optional(),
  year: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
});

const catalogueItemSchema = z
  .object({
    name: z.string().min(1).max(200),
    class: z.enum(['A', 'B', 'C']),
    selfPayRatio: ratio.optional(),
    priceFen: fen.default(0),
  })
  .refine(
    (item) => item.selfPayRatio === undefined || item.class === 'B',
    'selfPayRatio is for class B items only',
  );

const insutypePolicyPatch = z.object({
  deductibleFen: fen.optional(),
  fundRatio: ratio.optional(),
  annualCapFen: fen.optional(),
});
const policiesPatchSchema = z.object({
  classBSelfPayRatio: ratio.optional(),
  insutypes: z
    .object({ '310': insutypePolicyPatch.optional(), '390': insutypePolicyPatch.optional() })
    .optional(),
});

const isoTime = z.iso.datetime({ offset: true });

/** A refund recorded at the platform without a 6203 (长款/短款 tests). cash defaults to 0. */
const platformRefundSchema = z
  .object({
    refundNo: z.string().min(1).max(40),
    fund: fen,
    account: fen,
    cash: fen.default(0),
    /** ISO 8601 with offset; default now (mock clock); not before the settlement */
    refundedAt: isoTime.optional(),
  })
  .strict();

/** What the platform's books show for a settlement; total = fund + account + cash follows. */
const reportedSplitSchema = z
  .object({ fund: fen.optional(), account: fen.optional(), cash: fen.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of fund, account, cash');

const bp = (r: number) => ratioToBp(r) as number;

function personView(state: InsuranceState, p: Person): Record<string, unknown> {
  return {
    psnNo: p.psnNo,
    name: p.name,
    idNo: p.idNo,
    insutype: p.insutype,
    status: p.status,
    balance: p.balanceFen,
    authCode: p.authCode,
    insuplcAdmdvs: p.insuplcAdmdvs,
    holder: p.holder,
    usageThisYear: state.usageOf(p.psnNo),
    usage: state.usageYears(p.psnNo),
  };
}

function catalogueView(item: CatalogueItem, policies: Policies): Record<string, unknown> {
  return {
    code: item.code,
    name: item.name,
    class: item.class,
    selfPayRatio: bpToRatio(selfPayRatioBpOf(item, policies)),
    priceFen: item.priceFen,
  };
}

function policiesView(p: Policies): Record<string, unknown> {
  const one = (x: InsutypePolicy) => ({
    deductibleFen: x.deductibleFen,
    fundRatio: bpToRatio(x.fundRatioBp),
    annualCapFen: x.annualCapFen,
  });
  return {
    classBSelfPayRatio: bpToRatio(p.classBSelfPayRatioBp),
    insutypes: { '310': one(p.insutypes['310']), '390': one(p.insutypes['390']) },
  };
}

function settlementView(order: Order): Record<string, unknown> {
  const result = latestResult(order);
  return {
    payOrdId: order.payOrdId,
    medOrgOrd: order.medOrgOrd,
    psnNo: order.psnNo,
    status: order.status,
    ordStas: ORD_STAS[order.status],
    accountUsed: order.accountUsed,
    split: result?.split ?? null,
    /** what 3201 and the 3202 file show, when an admin changed it (else they show split) */
    reportedSplit: order.settlement?.reportedSplit,
    setlId: order.settlement?.setlId,
    settledAt: order.settlement ? new Date(order.settlement.settledAtMs).toISOString() : undefined,
    deductibleConsumedFen: result?.deductibleConsumedFen,
    lines: order.lines.map((line, i) => {
      const classified = result?.lines[i];
      if (!classified) return line;
      return {
        ...line,
        class: classified.class,
        selfPayRatio: bpToRatio(classified.selfPayRatioBp),
        inCatalogue: classified.inCatalogue,
      };
    }),
    refunded: order.refunded,
    refunds: order.refunds.map((r) => ({
      appRefdSn: r.appRefdSn,
      split: r.split,
      at: new Date(r.atMs).toISOString(),
      origin: r.origin,
    })),
    failureReason: order.failureReason,
    createdAt: new Date(order.createdAtMs).toISOString(),
  };
}

function settleAnswer(order: Order): SettleResponse {
  const split: Split | undefined = order.settlement?.result.split;
  switch (order.status) {
    case 'SETTLED':
    case 'PARTIALLY_REFUNDED':
      return { payOrdId: order.payOrdId, status: 'SETTLED', setlId: order.settlement?.setlId, split };
    case 'REFUNDED':
      return { payOrdId: order.payOrdId, status: 'REFUNDED', setlId: order.settlement?.setlId, split };
    case 'FAILED':
      return { payOrdId: order.payOrdId, status: 'FAILED', reason: order.failureReason };
    case 'UPLOADED':
    case 'PRESETTLED':
    case 'REVOKED':
      throw new Error(`settle left order ${order.payOrdId} in ${order.status}`);
  }
}

function knownOrder(state: InsuranceState, payOrdId: string): Order {
  const order = state.orders.get(payOrdId);
  if (!order) throw new MockHttpError(404, 'ORDER_NOT_FOUND', `no order ${payOrdId}`);
  return order;
}

/** A business refusal of the state as an admin answer: 409 for state and reuse, 422 for amounts. */
function bizToHttp<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof InsuranceBizError)) throw err;
    switch (err.code) {
      case 'ORDER_NOT_FOUND':
        throw new MockHttpError(404, err.code, err.message);
      case 'ORDER_STATE_INVALID':
      case 'REFUND_SN_CONFLICT':
        throw new MockHttpError(409, err.code, err.message);
      default:
        throw new MockHttpError(422, err.code, err.message);
    }
  }
}

function knownPerson(state: InsuranceState, psnNo: string): Person {
  const person = state.person(psnNo);
  if (!person) throw new MockHttpError(404, 'PERSON_NOT_FOUND', `no person ${psnNo}`);
  return person;
}

function mountPersons(frame: MockFrame, state: InsuranceState): void {
  frame.admin.post('/persons', (ctx) => {
    const body = parseBody(personCreateSchema, ctx.request.body);
    try {
      const person = state.addPerson({ ...body, balanceFen: body.balance });
      bindPerson(frame, person);
      ctx.status = 201;
      ctx.body = { psnNo: person.psnNo, authCode: person.authCode };
    } catch (err) {
      if (err instanceof InsuranceBizError)
        throw new MockHttpError(409, err.code === 'PARAM_ERROR' ? 'PERSON_EXISTS' : err.code, err.message);
      throw err;
    }
  });
  frame.admin.get('/persons', (ctx) => {
    ctx.body = [...state.persons.values()].map((p) => personView(state, p));
  });
  // who a payAuthNo was issued to, and by whom: the WeChat mock checks a med-ins order's payer / relative with it
  frame.admin.get('/pay-auths/:payAuthNo', (ctx) => {
    const person = state.personByPayAuthNo(ctx.params.payAuthNo);
    if (!person) throw new MockHttpError(404, 'NOT_FOUND', `no payAuthNo ${ctx.params.payAuthNo}`);
    ctx.body = { psnNo: person.psnNo, name: person.name, idNo: person.idNo, holder: person.holder };
  });
  frame.admin.get('/persons/:psnNo', (ctx) => {
    ctx.body = personView(state, knownPerson(state, ctx.params.psnNo));
  });
  frame.admin.patch('/persons/:psnNo', (ctx) => {
    const person = knownPerson(state, ctx.params.psnNo);
    const body = parseBody(personPatchSchema, ctx.request.body);
    if (body.name !== undefined) person.name = body.name;
    if (body.status !== undefined) person.status = body.status;
    if (body.balance !== undefined) person.balanceFen = body.balance;
    if (body.insuplcAdmdvs !== undefined) person.insuplcAdmdvs = body.insuplcAdmdvs;
    if (body.deductibleUsedFen !== undefined || body.capUsedFen !== undefined) {
      const year = body.year ?? state.year();
      const usage = state.usageOf(person.psnNo, year);
      state.setUsage(person.psnNo, year, {
        deductibleUsedFen: body.deductibleUsedFen ?? usage.deductibleUsedFen,
        capUsedFen: body.capUsedFen ?? usage.capUsedFen,
      });
    }
    ctx.body = personView(state, person);
  });
}

function mountRules(frame: MockFrame, state: InsuranceState): void {
  frame.admin.get('/catalogue', (ctx) => {
    ctx.body = [...state.catalogue.values()].map((item) => catalogueView(item, state.policies));
  });
  frame.admin.put('/catalogue/:code', (ctx) => {
    const body = parseBody(catalogueItemSchema, ctx.request.body);
    const code = ctx.params.code;
    if (!/^[\w.-]{1,50}$/.test(code))
      throw new MockHttpError(400, 'PARAM_ERROR', 'code: 1–50 letters, digits, . _ -');
    const item: CatalogueItem = { code, name: body.name, class: body.class, priceFen: body.priceFen };
    if (body.selfPayRatio !== undefined) item.selfPayRatioBp = bp(body.selfPayRatio);
    state.catalogue.set(code, item);
    ctx.body = catalogueView(item, state.policies);
  });
  frame.admin.get('/policies', (ctx) => {
    ctx.body = policiesView(state.policies);
  });
  frame.admin.put('/policies', (ctx) => {
    const body = parseBody(policiesPatchSchema, ctx.request.body);
    const next: Policies = structuredClone(state.policies);
    if (body.classBSelfPayRatio !== undefined) next.classBSelfPayRatioBp = bp(body.classBSelfPayRatio);
    for (const insutype of INSUTYPES) {
      const patch = body.insutypes?.[insutype];
      if (!patch) continue;
      const target = next.insutypes[insutype];
      if (patch.deductibleFen !== undefined) target.deductibleFen = patch.deductibleFen;
      if (patch.fundRatio !== undefined) target.fundRatioBp = bp(patch.fundRatio);
      if (patch.annualCapFen !== undefined) target.annualCapFen = patch.annualCapFen;
    }
    state.policies = next;
    ctx.body = policiesView(next);
  });
}

function mountSettlements(frame: MockFrame, state: InsuranceState): void {
  frame.admin.get('/settlements', (ctx) => {
    const q = ctx.query;
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), LIST_LIMIT_MAX);
    const out = [...state.orders.values()]
      .reverse()
      .filter(
        (o) =>
          (typeof q.psnNo !== 'string' || o.psnNo === q.psnNo) &&
          (typeof q.medOrgOrd !== 'string' || o.medOrgOrd === q.medOrgOrd),
      )
      .slice(0, limit);
    ctx.body = out.map(settlementView);
  });
  frame.admin.get('/settlements/:payOrdId', (ctx) => {
    ctx.body = settlementView(knownOrder(state, ctx.params.payOrdId));
  });
  frame.admin.patch('/settlements/:payOrdId', (ctx) => {
    const body = parseBody(reportedSplitSchema, ctx.request.body);
    knownOrder(state, ctx.params.payOrdId);
    ctx.body = settlementView(bizToHttp(() => state.reportSettlementAs(ctx.params.payOrdId, body)));
  });
  frame.admin.post('/settlements/:payOrdId/refunds', (ctx) => {
    const body = parseBody(platformRefundSchema, ctx.request.body);
    const order = knownOrder(state, ctx.params.payOrdId);
    const split: Split = {
      total: body.fund + body.account + body.cash,
      fund: body.fund,
      account: body.account,
      cash: body.cash,
    };
    const atMs = body.refundedAt === undefined ? undefined : Date.parse(body.refundedAt);
    const record = bizToHttp(() => state.refundAtPlatform(order.payOrdId, body.refundNo, split, atMs));
    ctx.status = 201;
    ctx.body = {
      payOrdId: order.payOrdId,
      refundNo: record.appRefdSn,
      split: record.split,
      refundedAt: new Date(record.atMs).toISOString(),
      status: order.status,
      ordStas: ORD_STAS[order.status],
    };
  });
  frame.admin.post('/settlements/:payOrdId/settle', (ctx) => {
    const body = parseBody(settleRequestSchema, ctx.request.body ?? {});
    knownOrder(state, ctx.params.payOrdId);
    const outcome = state.settle(ctx.params.payOrdId, body.result ?? 'SUCCESS');
    if (outcome.kind === 'refused') throw new MockHttpError(409, outcome.code, outcome.message);
    ctx.body = settleAnswer(outcome.order);
  });
}

const json = (schema: z.ZodType) => ({
  content: { 'application/json': { schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) } },
});

function describeOpenApi(frame: MockFrame): void {
  Object.assign(frame.openapi, {
    '/__admin/persons': {
      get: { summary: 'All insured persons with balance, status, authCode and usage of deductible and cap' },
      post: {
        summary:
          'Add an insured person → {psnNo, authCode}; balance in fen; holder {name, idNo}: the WeChat user who ' +
          'authorizes for this person (代亲属)',
        requestBody: json(personCreateSchema),
      },
    },
    '/__admin/persons/{psnNo}': {
      get: { summary: 'One person, with usage per year' },
      patch: {
        summary: 'Change status, balance, or this year’s deductible/cap usage',
        requestBody: json(personPatchSchema),
      },
    },
    '/__admin/pay-auths/{payAuthNo}': {
      get: { summary: 'Whom a payAuthNo was issued to → {psnNo, name, idNo, holder?}; 404 when unknown' },
    },
    '/__admin/catalogue': {
      get: { summary: 'Catalogue [{code, name, class A|B|C, selfPayRatio in [0,1], priceFen}]' },
    },
    '/__admin/catalogue/{code}': {
      put: { summary: 'Add or replace a catalogue item', requestBody: json(catalogueItemSchema) },
    },
    '/__admin/policies': {
      get: {
        summary:
          'Settlement policies: class B default self-pay ratio; per insutype deductible, fund ratio, annual cap',
      },
      put: {
        summary: 'Change policies (fields given are replaced, others kept)',
        requestBody: json(policiesPatchSchema),
      },
    },
    '/__admin/settlements': { get: { summary: 'Orders newest first; query psnNo, medOrgOrd, limit' } },
    '/__admin/settlements/{payOrdId}': {
      get: { summary: 'One order: status, ordStas, split, reportedSplit, lines, refunds (with origin)' },
      patch: {
        summary:
          'Reconciliation scenario "amount differs": the legs 3201 and the 3202 file show for this settlement (total = fund + account + cash); 6301, refunds and balances keep the real split. Not settled → 409 ORDER_STATE_INVALID',
        requestBody: json(reportedSplitSchema),
      },
    },
    '/__admin/settlements/{payOrdId}/refunds': {
      post: {
        summary:
          'Reconciliation scenario: a refund made at the platform only (no 6203 came) → 201 {payOrdId, refundNo, split, refundedAt, status}; beyond a leg → 422 REFUND_EXCEEDS_SETTLED, refundNo reused → 409 REFUND_SN_CONFLICT, not settled → 409, unknown → 404',
        requestBody: json(platformRefundSchema),
      },
    },
    '/__admin/settlements/{payOrdId}/settle': {
      post: {
        summary:
          'Settle a pre-settled order (called by the WeChat Pay mock) → {payOrdId, status, setlId, split}; 409 NOT_PRESETTLED / ORDER_REVOKED',
        requestBody: json(settleRequestSchema),
      },
    },
  });
}

export function mountAdminRoutes(frame: MockFrame, state: InsuranceState): void {
  mountPersons(frame, state);
  mountRules(frame, state);
  mountSettlements(frame, state);
  describeOpenApi(frame);
}
