/** `person add | list | set <psnNo>`: the insurance platform's insured persons. */
import { yuan } from '../../mocks/common/admin-client/format';
import type { PersonInput, PersonPatch, PersonStatus } from '../../mocks/common/admin-client/types';
import { int, UsageError, type Command, type Ctx } from './context';

async function list(ctx: Ctx): Promise<number> {
  const a = await ctx.client.persons();
  const text = () =>
    (a.ok ? a.body : [])
      .map(
        (p) =>
          `${p.psnNo}  ${p.name}  ${p.idNo}  ${p.insutype}  ${p.status}  balance ${yuan(p.balance)}  authCode ${p.authCode}`,
      )
      .join('\n');
  return ctx.finish(ctx.show(a, text) ? 0 : 1, a.ok ? a.body : a);
}

async function add(ctx: Ctx): Promise<number> {
  const { values } = ctx;
  if (!values.name || !values['id-no']) throw new UsageError('person add --name n --id-no 18 characters');
  const person: PersonInput = {
    name: values.name,
    idNo: values['id-no'],
    insutype: values.insutype ?? '310',
    balance: int(values.balance ?? '0', '--balance') ?? 0,
  };
  if (values.status) person.status = values.status.toUpperCase() as PersonStatus;
  const a = await ctx.client.addPerson(person);
  const text = () => (a.ok ? `insured person ${a.body.psnNo} added; authCode ${a.body.authCode}` : undefined);
  return ctx.finish(ctx.show(a, text) ? 0 : 1);
}

async function set(ctx: Ctx, psnNo: string | undefined): Promise<number> {
  const { values } = ctx;
  if (!psnNo) throw new UsageError('person set <psnNo> [--status S] [--balance fen]');
  const patch: PersonPatch = {};
  if (values.status) patch.status = values.status.toUpperCase() as PersonStatus;
  if (values.balance !== undefined) patch.balance = int(values.balance, '--balance');
  if (values.name) patch.name = values.name;
  const a = await ctx.client.updatePerson(psnNo, patch);
  return ctx.finish(ctx.show(a, () => `person ${psnNo} updated`) ? 0 : 1);
}

export const person: Command = async (ctx) => {
  const [sub, psnNo] = ctx.args;
  if (sub === 'list') return list(ctx);
  if (sub === 'add') return add(ctx);
  if (sub === 'set') return set(ctx, psnNo);
  throw new UsageError('person add | list | set');
};
