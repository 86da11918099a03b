/**
 * `messages [--openid o]`: the subscribe messages WeChat accepted; `messages consent <openid> <templateId>
 * accept|reject|ban`: what the user chose in the consent sheet (wx.requestSubscribeMessage).
 */
import type { ConsentDecision, SubscribeMessageView } from '../../mocks/common/admin-client/types';
import { UsageError, type Command, type Ctx } from './context';

function messageLine(m: SubscribeMessageView): string {
  const values = Object.entries(m.data)
    .map(([k, v]) => `${k}=${v.value}`)
    .join('  ');
  return `${m.sentAt}  ${m.touser}  ${m.templateId}${m.page ? `  → ${m.page}` : ''}\n    ${values}`;
}

async function list(ctx: Ctx): Promise<number> {
  const a = await ctx.client.subscribeMessages(ctx.values.openid);
  const text = () => {
    const all = a.ok ? a.body : [];
    return all.length === 0 ? 'no subscribe messages yet' : all.map(messageLine).join('\n');
  };
  return ctx.finish(ctx.show(a, text) ? 0 : 1, a.ok ? a.body : a);
}

const DECISIONS: readonly ConsentDecision[] = ['accept', 'reject', 'ban'];

async function consent(ctx: Ctx, [openid, templateId, decision]: string[]): Promise<number> {
  const chosen = DECISIONS.find((d) => d === decision);
  if (!openid || !templateId || !chosen)
    throw new UsageError('messages consent <openid> <templateId> accept|reject|ban');
  const a = await ctx.client.consent(openid, templateId, chosen);
  return ctx.finish(ctx.show(a, () => `${openid}: ${templateId} ${chosen}`) ? 0 : 1);
}

export const messages: Command = async (ctx) => {
  const [sub, ...rest] = ctx.args;
  if (sub === undefined || sub === 'list') return list(ctx);
  if (sub === 'consent') return consent(ctx, rest);
  throw new UsageError(`messages: unknown subcommand ${sub}`);
};
