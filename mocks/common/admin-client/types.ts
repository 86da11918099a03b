/**
 * What the mocks' admin API takes and answers, for its client (client.ts). Where a mock's admin route validates
 * with an exported zod schema, the body type is that schema's input type (`z.input`) and the answer type is the
 * mock's own view type; type-only imports, so nothing of the mocks (Koa, node:*) reaches the browser bundle.
 * A few routes keep their schema private to the mock's admin.ts: their bodies are written out here, field for
 * field as that schema reads.
 */
import type { z } from 'zod';
import type { Fault, faultSchema } from '../faults';
import type { JournalEntry, Verification } from '../journal';
import type { MockName, Scenario } from '../scenarios';
import type { clockSchema, verifySchema } from '../tools';
import type { Bill, Patient } from '../../his/state';
import type { ConfirmAnswer, confirmSchema } from '../../wechatpay/confirm';
import type { Attempt, NotificationView } from '../../wechatpay/notifications';

export type { MockName, Fault, JournalEntry, Verification, Attempt, NotificationView };

// ── common to the three mocks ──

/** POST /__admin/faults */
export type FaultInput = z.input<typeof faultSchema>;
export type FaultKind = Fault['kind'];
/** POST /__admin/journal/verify */
export type VerifyInput = z.input<typeof verifySchema>;
/** POST /__admin/clock */
export type ClockMove = z.input<typeof clockSchema>;

export interface ClockView {
  nowMs: number;
  now: string;
  nowCst: string;
  frozen: boolean;
}
export interface ClockMoved extends ClockView {
  /** the instants the clock stopped at on the way (callback retries and other timed work) */
  stops: number;
}

/** GET /__admin/scenarios: a scenario as this mock sees it */
export type ScenarioView = Omit<Scenario, 'file'> & { file?: string; appliesHere: boolean };

export interface SessionView {
  session: string;
  scenario?: string | null;
  identities?: Record<string, unknown>;
  [more: string]: unknown;
}
/** GET /__admin/sessions */
export interface SessionList {
  mock: MockName;
  global: string | null;
  sessions: SessionView[];
}

/** GET /__admin/journal: the filters, as the route reads its query string */
export interface JournalSearch {
  /** substring of the path */
  path?: string;
  method?: string;
  /** "key=value"; several must all match */
  tag?: string | string[];
  /** 503 or "5xx" */
  status?: string;
  /** text in the request or response body */
  q?: string;
  /** ISO 8601 or mock-clock ms */
  from?: string;
  to?: string;
  sinceMs?: string;
  faulted?: 'true' | 'false';
  limit?: string;
}

// ── insurance ──

export type PersonStatus = 'ACTIVE' | 'SUSPENDED' | 'ARREARS' | 'OUT_OF_AREA';
export const PERSON_STATUSES: readonly PersonStatus[] = ['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA'];

/** POST /__admin/persons (personCreateSchema in mocks/insurance/admin/schemas.ts) */
export interface PersonInput {
  name: string;
  idNo: string;
  insutype: string;
  /** fen */
  balance: number;
  status?: PersonStatus;
  insuplcAdmdvs?: string;
  holder?: { name: string; idNo: string };
}
/** PATCH /__admin/persons/:psnNo (personPatchSchema) */
export interface PersonPatch {
  name?: string;
  status?: PersonStatus;
  balance?: number;
  insuplcAdmdvs?: string;
  deductibleUsedFen?: number;
  capUsedFen?: number;
  year?: string;
}
export interface PersonView {
  psnNo: string;
  name: string;
  idNo: string;
  insutype: string;
  status: PersonStatus;
  balance: number;
  authCode: string;
  insuplcAdmdvs?: string;
  holder?: { name: string; idNo: string };
  usageThisYear?: { deductibleUsedFen: number; capUsedFen: number };
}
export interface CatalogueItemView {
  code: string;
  name: string;
  class: string;
  selfPayRatio?: number;
  priceFen: number;
}

// ── HIS ──

export type PatientView = Patient & { billNos: string[] };
export type BillView = Omit<Bill, 'createdAtMs' | 'lockedAtMs' | 'paidAtMs'> & { createdAt: string };
/** POST /__admin/bills (newBillSchema in mocks/his/admin.ts) */
export interface BillInput {
  patientId: string;
  items: { code: string; name: string; price: number; qty: number; spec?: string; insuranceClass?: string }[];
  dept?: string;
  doctor?: string;
}
/** POST /__admin/patients (newPatientSchema) */
export interface PatientInput {
  name: string;
  idNo: string;
  phone?: string;
}
export interface SmsView {
  phone: string;
  text: string;
  code?: string;
  sentAt: string;
}

// ── WeChat Pay ──

/** A subscribe message WeChat accepted (GET /__admin/messages) */
export interface SubscribeMessageView {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
}

export type ConsentDecision = 'accept' | 'reject' | 'ban';

export type ConfirmInput = z.input<typeof confirmSchema>;
export type { ConfirmAnswer };
export type NotificationDetail = NotificationView & {
  body: string;
  plaintext: Record<string, unknown>;
  lastHeaders?: Record<string, string>;
};
export type CallbackSignature = 'valid' | 'invalid' | 'signtest';
/** POST /__admin/callbacks/send (sendSchema in mocks/wechatpay/callbackTools.ts) */
export interface CallbackSend {
  url: string;
  eventType?: string;
  resource: Record<string, unknown>;
  signature?: CallbackSignature;
  serial?: string;
  mode?: 'certificate' | 'publicKey';
  id?: string;
  originalType?: string;
  timestampOffsetS?: number;
}
/** what the merchant's endpoint answered to a replay or a sent callback */
export interface MerchantAnswer {
  status?: number;
  error?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** what the mock sent (callbacks/send) */
  sent?: { body: string; headers: Record<string, string> };
}
/** POST /__admin/callbacks (callbacksSchema) */
export interface CallbackModes {
  suppress?: boolean;
  duplicate?: boolean;
  badSignature?: boolean;
}
