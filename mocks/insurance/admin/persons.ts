/**
 * Admin routes for insured persons: list, add (bound to the scenario frame like the seeded ones), read and change
 * one (status, balance, this year's deductible and cap used), and whom a payAuthNo was issued to — which the
 * WeChat Pay mock asks when it checks a med-ins order's payer.
 */
import { MockHttpError, parseBody, type MockFrame } from '../../common/app';
import { bindPerson } from '../scenarios';
import { InsuranceBizError, type InsuranceState, type Person } from '../state';
import { personCreateSchema, personPatchSchema } from './schemas';

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

function knownPerson(state: InsuranceState, psnNo: string): Person {
  const person = state.person(psnNo);
  if (!person) throw new MockHttpError(404, 'PERSON_NOT_FOUND', `no person ${psnNo}`);
  return person;
}

export function mountPersons(frame: MockFrame, state: InsuranceState): void {
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
