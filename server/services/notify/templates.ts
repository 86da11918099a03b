/** The hospital's template id of each purpose (settings), and back. */
import type { Settings } from '../../../config/settings';
import {
  SUBSCRIBE_TEMPLATES,
  TEMPLATE_PURPOSES,
  type TemplatePurpose,
} from '../../../shared/protocol/wechat/subscribe';
import type { SubscriptionTemplateView } from '../../../shared/api';

export function templateIdOf(settings: Settings, purpose: TemplatePurpose): string {
  switch (purpose) {
    case 'payment_success':
      return settings.WECHAT_TEMPLATE_PAYMENT_SUCCESS;
    case 'refund_result':
      return settings.WECHAT_TEMPLATE_REFUND_RESULT;
    case 'payment_failed':
      return settings.WECHAT_TEMPLATE_PAYMENT_FAILED;
    case 'bill_reminder':
      return settings.WECHAT_TEMPLATE_BILL_REMINDER;
  }
}

export function templateViews(settings: Settings): SubscriptionTemplateView[] {
  return TEMPLATE_PURPOSES.map((purpose) => ({
    templateId: templateIdOf(settings, purpose),
    purpose,
    title: SUBSCRIBE_TEMPLATES[purpose].title,
    description: SUBSCRIBE_TEMPLATES[purpose].description,
  }));
}
