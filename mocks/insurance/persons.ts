/**
 * The insurance mock's insured persons and their authorizations: the person records (seeded, or added by the
 * admin API), each year's deductible and cap used, authorization codes exchanged for payAuthNo, and the checks
 * every order makes of its person (eligible now, payAuthNo theirs). A scenario's effects are laid over a record
 * by view(). The base of InsuranceState (state.ts); business refusals throw InsuranceBizError.
 */
import { cstCompact, cstDate, type Clock } from '../../shared/clock';
import type { MobileErrorName } from '../../shared/protocol/insurance';
import { NO_USAGE, type InsuredStatus, type Insutype, type YearUsage } from './rules';
import type { InsuranceEffects } from '../common/scenarios';
import { HOME_ADMDVS, seedPersons, type SeedPerson } from './seed';

export const PERSONS_MAX = 10_000;
export const PAY_AUTHS_MAX = 100_000;

export interface InsuranceLimits {
  ordersMax: number;
  personsMax: number;
}

export class InsuranceBizError extends Error {
  constructor(
    readonly code: MobileErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'InsuranceBizError';
  }
}

export type Person = SeedPerson;

export const seq = (n: number, width: number) => String(n).padStart(width, '0');

export const INELIGIBLE: Record<
  Exclude<InsuredStatus, 'ACTIVE'>,
  { code: MobileErrorName; message: (p: Person) => string }
> = {
  SUSPENDED: {
    code: 'PERSON_SUSPENDED',
    message: () => '参保人暂停参保，医保待遇暂停，本次不能使用医保结算（可全额自费）',
  },
  ARREARS: {
    code: 'PERSON_ARREARS',
    message: () => '参保人医保欠费，待遇暂不可用，本次不能使用医保结算（可全额自费）',
  },
  OUT_OF_AREA: {
    code: 'PERSON_OUT_OF_AREA',
    message: (p) =>
      `参保人参保地 ${p.insuplcAdmdvs} 非本统筹区且未办理异地就医备案，本次不能使用医保结算（可全额自费）`,
  },
};

/** Persons and authorizations; InsuranceOrders (orders.ts) builds on it. */
export class InsurancePersons {
  readonly persons = new Map<string, Person>();
  private readonly byIdNo = new Map<string, string>();
  private readonly byAuthCode = new Map<string, string>();
  private readonly payAuths = new Map<string, string>();
  private readonly usage = new Map<string, YearUsage>();
  private counter = 0;
  /** the scenario's effects on a person (set by scenarios.ts); none by default */
  effectsFor: (person: Person) => InsuranceEffects | undefined = () => undefined;

  constructor(
    protected readonly clock: Clock,
    readonly limits: InsuranceLimits,
  ) {}

  /** Back to the seeded persons: every record, authorization and year's usage forgotten. */
  protected resetPersons(): void {
    for (const map of [this.persons, this.byIdNo, this.byAuthCode, this.payAuths, this.usage]) {
      map.clear();
    }
    this.counter = 0;
    for (const person of seedPersons()) this.insertPerson(person);
  }

  year(): string {
    return cstDate(this.clock.now()).slice(0, 4);
  }

  protected nextSeq(): number {
    return ++this.counter;
  }

  private insertPerson(person: Person): void {
    this.persons.set(person.psnNo, person);
    this.byIdNo.set(person.idNo, person.psnNo);
    this.byAuthCode.set(person.authCode, person.psnNo);
  }

  addPerson(input: {
    name: string;
    idNo: string;
    insutype: Insutype;
    balanceFen: number;
    status: InsuredStatus;
    insuplcAdmdvs?: string;
    holder?: { name: string; idNo: string };
  }): Person {
    if (this.byIdNo.has(input.idNo))
      throw new InsuranceBizError('PARAM_ERROR', 'a person with this idNo already exists');
    if (this.persons.size >= this.limits.personsMax)
      throw new InsuranceBizError('CAPACITY_EXCEEDED', `at most ${this.limits.personsMax} persons`);
    const psnNo = `3601${seq(100 + this.persons.size, 16)}`;
    const person: Person = {
      psnNo,
      name: input.name,
      idNo: input.idNo,
      insutype: input.insutype,
      status: input.status,
      balanceFen: input.balanceFen,
      authCode: `AUTH-${psnNo}`,
      insuplcAdmdvs: input.insuplcAdmdvs ?? (input.status === 'OUT_OF_AREA' ? '440300' : HOME_ADMDVS),
      ...(input.holder ? { holder: input.holder } : {}),
    };
    this.insertPerson(person);
    return person;
  }

  person(psnNo: string): Person | undefined {
    return this.persons.get(psnNo);
  }

  personByIdNo(idNo: string): Person | undefined {
    const psnNo = this.byIdNo.get(idNo);
    return psnNo === undefined ? undefined : this.persons.get(psnNo);
  }

  personByPayAuthNo(payAuthNo: string): Person | undefined {
    const psnNo = this.payAuths.get(payAuthNo);
    return psnNo === undefined ? undefined : this.persons.get(psnNo);
  }

  /** A person as the platform sees them now: the scenario's effects (status, insutype, balance…) over the record. */
  view(person: Person): Person {
    const e = this.effectsFor(person);
    if (!e) return person;
    return {
      ...person,
      status: e.status ?? person.status,
      insutype: e.insutype ?? person.insutype,
      balanceFen: e.balanceFen ?? person.balanceFen,
      insuplcAdmdvs: e.insuplcAdmdvs ?? person.insuplcAdmdvs,
    };
  }

  /** A year's usage as the rules see it: the scenario's deductible / cap used over the record. */
  protected usageView(person: Person): YearUsage {
    const usage = this.usageOf(person.psnNo);
    const e = this.effectsFor(person);
    return {
      ...usage,
      deductibleUsedFen: e?.deductibleUsedFen ?? usage.deductibleUsedFen,
      capUsedFen: e?.capUsedFen ?? usage.capUsedFen,
    };
  }

  usageOf(psnNo: string, year = this.year()): YearUsage {
    return this.usage.get(`${psnNo}:${year}`) ?? NO_USAGE;
  }

  setUsage(psnNo: string, year: string, usage: YearUsage): void {
    this.usage.set(`${psnNo}:${year}`, usage);
  }

  usageYears(psnNo: string): Record<string, YearUsage> {
    const out: Record<string, YearUsage> = {};
    for (const [key, value] of this.usage)
      if (key.startsWith(`${psnNo}:`)) out[key.slice(psnNo.length + 1)] = value;
    return out;
  }

  /** An authorization code (reusable in this mock) → a fresh payAuthNo for its person. */
  issuePayAuth(authCode: string): { person: Person; payAuthNo: string } {
    const psnNo = this.byAuthCode.get(authCode);
    const person = psnNo === undefined ? undefined : this.persons.get(psnNo);
    if (!person) throw new InsuranceBizError('AUTH_CODE_INVALID', 'authCode 无效或已过期');
    if (this.payAuths.size >= PAY_AUTHS_MAX)
      this.payAuths.delete(this.payAuths.keys().next().value as string);
    const payAuthNo = `PAN${cstCompact(this.clock.now())}${seq(this.nextSeq(), 8)}`;
    this.payAuths.set(payAuthNo, person.psnNo);
    return { person, payAuthNo };
  }

  protected assertEligible(record: Person): void {
    const person = this.view(record);
    if (person.status === 'ACTIVE') return;
    const rule = INELIGIBLE[person.status];
    throw new InsuranceBizError(rule.code, rule.message(person));
  }

  protected assertPayAuth(payAuthNo: string, person: Person): void {
    if (this.payAuths.get(payAuthNo) !== person.psnNo)
      throw new InsuranceBizError('PAY_AUTH_INVALID', 'payAuthNo 无效或不属于该参保人');
  }

  // ───────── orders ─────────
}
