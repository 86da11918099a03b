/**
 * Admin routes for the money rules the settlements follow: the catalogue (class and self-pay ratio per item) and
 * the policies (class B default self-pay ratio; per insutype deductible, fund ratio, annual cap).
 */
import { MockHttpError, parseBody, type MockFrame } from '../../common/app';
import {
  bpToRatio,
  INSUTYPES,
  ratioToBp,
  selfPayRatioBpOf,
  type CatalogueItem,
  type InsutypePolicy,
  type Policies,
} from '../rules';
import type { InsuranceState } from '../state';
import { catalogueItemSchema, policiesPatchSchema } from './schemas';

const bp = (r: number) => ratioToBp(r) as number;

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

export function mountRules(frame: MockFrame, state: InsuranceState): void {
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
