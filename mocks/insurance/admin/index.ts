/**
 * The insurance mock's admin API (DESIGN 13) under /__admin: persons, catalogue, policies, settlements, the
 * mock → mock settle call of the WeChat Pay mock, and discrepancies for reconciliation tests (a refund made at
 * the platform only, settled amounts the books show differently). Routes per resource (persons.ts, rules.ts,
 * settlements.ts) over the bodies of schemas.ts; this entry mounts them and writes the OpenAPI description.
 */
import { z } from 'zod';
import { settleRequestSchema } from '../../../shared/protocol/insurance';
import type { MockFrame } from '../../common/app';
import type { InsuranceState } from '../state';
import {
  personCreateSchema,
  personPatchSchema,
  catalogueItemSchema,
  policiesPatchSchema,
  platformRefundSchema,
  reportedSplitSchema,
} from './schemas';
import { mountPersons } from './persons';
import { mountRules } from './rules';
import { mountSettlements } from './settlements';

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
