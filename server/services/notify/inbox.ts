/** The patient's 消息 page: their messages, newest first, with what became of each on WeChat. */
import type { MessageDelivery, MessagesView } from '../../../shared/api';
import {
  SUBSCRIBE_TEMPLATES,
  TEMPLATE_PURPOSES,
  type TemplatePurpose,
} from '../../../shared/protocol/wechat/subscribe';
import { listPatientMessages, type Delivery } from '../../db/patientMessages';
import type { Deps } from '../deps';

export const MESSAGES_PAGE_SIZE = 20;

const DELIVERY_VIEW: Record<Delivery, MessageDelivery> = {
  PENDING: 'pending',
  SENT: 'sent',
  NOT_SUBSCRIBED: 'not_subscribed',
  REFUSED: 'refused',
  FAILED: 'failed',
};

const purposeOf = (p: string): TemplatePurpose => TEMPLATE_PURPOSES.find((t) => t === p) ?? 'payment_success';

export async function listMessages(deps: Deps, openid: string, before: string | null): Promise<MessagesView> {
  const rows = await listPatientMessages(deps.db, openid, before, MESSAGES_PAGE_SIZE + 1);
  const page = rows.slice(0, MESSAGES_PAGE_SIZE);
  return {
    messages: page.map((r) => {
      const purpose = purposeOf(r.purpose);
      return {
        id: r.id,
        purpose,
        title: SUBSCRIBE_TEMPLATES[purpose].title,
        summary: r.summary,
        lines: r.lines,
        orderId: r.orderId,
        delivery: DELIVERY_VIEW[r.delivery],
        createdAt: r.createdAt.toISOString(),
        sentAt: r.sentAt?.toISOString() ?? null,
      };
    }),
    nextBefore: rows.length > MESSAGES_PAGE_SIZE ? page[page.length - 1].id : null,
  };
}
