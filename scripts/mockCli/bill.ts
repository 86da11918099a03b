/** `bill add | list | pay-at-window <billNo>`: the HIS's unpaid bills, made from insurance catalogue codes. */
import { yuan } from '../../mocks/common/admin-client/format';
import type { BillInput, CatalogueItemView } from '../../mocks/common/admin-client/types';
import { int, UsageError, type Command, type Ctx } from './context';

async function list(ctx: Ctx): Promise<number> {
  const a = await ctx.client.bills(ctx.values.patient);
  const text = () =>
    (a.ok ? a.body : [])
      .map((b) => `${b.billNo}  ${b.patientId}  ${b.status.padEnd(8)}  ${yuan(b.amount)}  ${b.dept ?? ''}`)
      .join('\n');
  return ctx.finish(ctx.show(a, text) ? 0 : 1, a.ok ? a.body : a);
}

async function payAtWindow(ctx: Ctx, billNo: string | undefined): Promise<number> {
  if (!billNo) throw new UsageError('bill pay-at-window <billNo>');
  const a = await ctx.client.payAtWindow(billNo);
  return ctx.finish(ctx.show(a, () => `${billNo} paid at the window`) ? 0 : 1);
}

async function add(ctx: Ctx): Promise<number> {
  const { values } = ctx;
  if (!values.patient || !values.item?.length)
    throw new UsageError('bill add --patient P100001 --item code:qty [--item …]');
  const catalogue = await ctx.quiet.catalogue();
  const known = new Map<string, CatalogueItemView>(
    (catalogue.ok ? catalogue.body : []).map((c) => [c.code, c]),
  );
  const items = values.item.map((spec) => {
    const [code, qty, price] = spec.split(':');
    const c = known.get(code);
    const priceFen = price !== undefined ? int(price, `--item ${spec} price`) : c?.priceFen;
    if (priceFen === undefined)
      throw new UsageError(
        `--item ${spec}: ${code} is not in the insurance catalogue${catalogue.ok ? '' : ` (${catalogue.error})`}; give its price: code:qty:priceFen`,
      );
    const item: BillInput['items'][number] = {
      code,
      name: c ? c.name : code,
      price: priceFen,
      qty: int(qty ?? '1', `--item ${spec} qty`) ?? 1,
    };
    if (c?.class) item.insuranceClass = c.class;
    return item;
  });
  const bill: BillInput = { patientId: values.patient, items };
  if (values.dept) bill.dept = values.dept;
  if (values.doctor) bill.doctor = values.doctor;
  const a = await ctx.client.addBill(bill);
  const text = () =>
    a.ok ? `bill ${a.body.billNo} for ${values.patient}: ${yuan(a.body.amount)}` : undefined;
  return ctx.finish(ctx.show(a, text) ? 0 : 1);
}

export const bill: Command = async (ctx) => {
  const [sub, billNo] = ctx.args;
  if (sub === 'list') return list(ctx);
  if (sub === 'pay-at-window') return payAtWindow(ctx, billNo);
  if (sub === 'add') return add(ctx);
  throw new UsageError('bill add | list | pay-at-window <billNo>');
};
