/** Small helpers for the adapter contract tests: what a call rejected with, and a stream read to the end. */
import { GatewayError, type FeeLine, type FeeUpload } from '../../server/gateways/ports';
import type { HttpInsuranceGateway } from '../../server/gateways/insurance/client';
import { call } from './stack';

/** The GatewayError a call rejected with; anything else (or no rejection) fails the test. */
export async function gatewayRejection(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err;
}

/** Every item of an async stream, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A mock's admin API at `base` (e.g. `${url}/__admin` or the mock's root): `{status, body}`. */
export function adminClient(base: () => string) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const { status, body: answer } = await call<T>(base(), method, path, { body });
    return { status, body: answer };
  };
}

/** A fee line of bill B0001 for the insurance adapter: `qty` of `code` at `priceFen` each. */
export const feeLine = (code: string, name: string, priceFen: number, qty = 1): FeeLine => ({
  code,
  name,
  priceFen,
  qty,
  amountFen: priceFen * qty,
  billNo: 'B0001',
});

/**
 * The fee upload (6201) of `lines` for `person` as the server builds it: the identity from the person's authCode
 * (6101, for `openid`) and the insurance from 1101. The identity and the insurance come back with it.
 */
export async function feeUploadFor(
  gateway: HttpInsuranceGateway,
  person: { name: string; idNo: string; authCode: string },
  lines: FeeLine[],
  order: { medOrgOrd: string; openid: string; accountUsed?: boolean },
) {
  const identity = await gateway.exchangeAuthCode(person.authCode, order.openid);
  const insured = await gateway.queryPerson(person.idNo, person.name);
  const upload: FeeUpload = {
    medOrgOrd: order.medOrgOrd,
    psnNo: insured.psnNo,
    insutype: insured.insutype,
    payAuthNo: identity.payAuthNo,
    idNo: person.idNo,
    name: person.name,
    totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    accountUsed: order.accountUsed ?? true,
    geoLocation: identity.geoLocation,
    lines,
  };
  return { upload, identity, insured };
}
