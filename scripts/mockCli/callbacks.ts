/** `callbacks list | replay <id> | send --url u --event e --resource json`: WeChat Pay's callbacks. */
import type { NotificationView } from '../../mocks/common/admin-client/types';
import { UsageError, type Command, type Ctx } from './context';

function notificationLine(n: NotificationView): string {
  return (
    `${n.id}  ${n.eventType}  ${n.outTradeNo ?? ''}  attempts ${n.attempts}` +
    `  history ${n.history.length}  ${n.delivered ? 'delivered' : 'NOT delivered'}` +
    `${n.lastStatus !== undefined ? `  last HTTP ${n.lastStatus}` : ''}  → ${n.url}`
  );
}

async function list(ctx: Ctx): Promise<number> {
  const a = await ctx.client.notifications();
  const text = () => {
    const all = a.ok ? a.body : [];
    return all.length === 0 ? 'no callbacks yet' : all.map(notificationLine).join('\n');
  };
  return ctx.finish(ctx.show(a, text) ? 0 : 1, a.ok ? a.body : a);
}

async function replay(ctx: Ctx, id: string | undefined): Promise<number> {
  if (!id) throw new UsageError('callbacks replay <id>');
  const a = await ctx.client.replayNotification(id);
  const text = () =>
    a.ok
      ? `replayed ${id}: ${a.body.status !== undefined ? `HTTP ${a.body.status}` : ''}${a.body.error ? ` ${a.body.error}` : ''}`
      : undefined;
  return ctx.finish(ctx.show(a, text) ? 0 : 1);
}

async function send(ctx: Ctx): Promise<number> {
  const { values } = ctx;
  if (!values.url || !values.event || !values.resource)
    throw new UsageError('callbacks send --url u --event e --resource json');
  let resource: Record<string, unknown>;
  try {
    resource = JSON.parse(values.resource) as Record<string, unknown>;
  } catch {
    throw new UsageError('--resource: JSON (the plaintext resource)');
  }
  const signature = values.invalid ? 'invalid' : values.signtest ? 'signtest' : 'valid';
  const a = await ctx.client.sendCallback({ url: values.url, eventType: values.event, resource, signature });
  return ctx.finish(
    ctx.show(a, () => `sent ${values.event} to ${values.url}: ${JSON.stringify(a.body)}`) ? 0 : 1,
  );
}

export const callbacks: Command = async (ctx) => {
  const [sub, id] = ctx.args;
  if (sub === 'list' || sub === undefined) return list(ctx);
  if (sub === 'replay') return replay(ctx, id);
  if (sub === 'send') return send(ctx);
  throw new UsageError('callbacks list | replay <id> | send');
};
