/**
 * Scenarios at the insurance mock: the effects (status, insutype, balance, deductible / cap used, 参保地) are
 * applied as the person the platform sees (InsuranceState.view), never to the money rules. A session owns the
 * persons it created (POST /__admin/persons with X-Mock-Session) or chose on the authorization page (cookie
 * mock_session), and then their authCode, payAuthNo, psnNo, idNo, medOrgOrd and payOrdId: 1101 (by idNo or
 * payAuthNo), 6201–6401 and the WeChat mock's settle resolve to it through the person.
 */
import type { MockFrame } from '../common/app';
import { sessionsOf } from '../common/session';
import type { InsuranceState, Person } from './state';

const personIds = (person: Person) => [
  { kind: 'psnNo', value: person.psnNo },
  { kind: 'idNo', value: person.idNo },
];

export function mountInsuranceScenarios(frame: MockFrame, state: InsuranceState): void {
  const sessions = sessionsOf(frame);
  sessions.bindTags(['psnNo', 'payOrdId', 'medOrgOrd']);
  state.effectsFor = (person) => sessions.effects('insurance', personIds(person));
}

/** What a session's request created or chose about a person (and e.g. its authCode, payAuthNo) is its own. */
export function bindPerson(frame: MockFrame, person: Person, more: Record<string, string> = {}): void {
  const sessions = sessionsOf(frame);
  sessions.resolve(personIds(person));
  sessions.bind([
    ...personIds(person),
    { kind: 'authCode', value: person.authCode },
    ...Object.entries(more).map(([kind, value]) => ({ kind, value })),
  ]);
}

/** The person of an authCode, bound to the request's session (the authorization page's choice). */
export function bindAuthCode(frame: MockFrame, state: InsuranceState, authCode: string | undefined): void {
  const person = [...state.persons.values()].find((p) => p.authCode === authCode);
  if (person) bindPerson(frame, person);
}
