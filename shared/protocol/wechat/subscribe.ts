/**
 * WeChat subscribe messages (订阅消息, subscribeMessage.send on api.weixin.qq.com): the value rules WeChat applies
 * to each keyword type, and the four templates this product sends. The server builds data that must pass these
 * rules; the WeChat mock refuses, as WeChat does (47003), what does not.
 *
 * Template ids are the hospital's own (picked in the mini-program's admin console); the defaults below are the
 * ones the mock knows, and settings may replace them (WECHAT_TEMPLATE_*). A medical mini-program may use long-term
 * subscriptions (长期订阅, open to public services such as hospitals): one consent covers every later message of
 * that template until the user turns it off.
 */

export type KeywordType =
  | 'thing'
  | 'number'
  | 'letter'
  | 'symbol'
  | 'character_string'
  | 'time'
  | 'date'
  | 'amount'
  | 'phone_number'
  | 'car_number'
  | 'name'
  | 'phrase';

const HAN = '\\p{Script=Han}';
const DATE_PART = '\\d{4}年\\d{1,2}月\\d{1,2}日';
const CLOCK_PART = '(?:[01]?\\d|2[0-3]):[0-5]\\d';
const TIME_POINT = new RegExp(`^(?:${DATE_PART} )?${CLOCK_PART}$`, 'u');
const DATE_POINT = new RegExp(`^${DATE_PART}(?: ${CLOCK_PART})?$`, 'u');

/** a range "a~b" is allowed for time and date */
function pointOrRange(value: string, point: RegExp): boolean {
  const parts = value.split('~');
  return parts.length <= 2 && parts.every((p) => point.test(p.trim()));
}

/** WeChat's rule per keyword type (参数值内容限制); null when the value is acceptable. */
export function keywordProblem(type: KeywordType, value: string): string | null {
  const chars = [...value];
  if (chars.length === 0) return 'is empty';
  switch (type) {
    case 'thing':
      return chars.length <= 20 ? null : 'longer than 20 characters';
    case 'number':
      return /^\d+(?:\.\d+)?$/.test(value) && value.replace('.', '').length <= 32 ? null : 'not a number';
    case 'letter':
      return /^[A-Za-z]{1,32}$/.test(value) ? null : 'not letters';
    case 'symbol':
      return /^[^\p{L}\p{N}\s]{1,5}$/u.test(value) ? null : 'not symbols';
    case 'character_string':
      return /^[\x21-\x7e]{1,32}$/.test(value) ? null : 'not 1-32 digits, letters or symbols';
    case 'time':
      return pointOrRange(value, TIME_POINT) ? null : 'not a 24-hour time';
    case 'date':
      return pointOrRange(value, DATE_POINT) ? null : 'not a date';
    case 'amount':
      return /^[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?$/.test(value) && /[¥￥$€£]|元$/.test(value)
        ? null
        : 'not an amount';
    case 'phone_number':
      return /^[\d+\-() ]{1,17}$/.test(value) ? null : 'not a phone number';
    case 'car_number':
      return new RegExp(`^[${HAN}A-Z0-9][A-Z0-9]{0,6}[${HAN}A-Z0-9]?$`, 'u').test(value) && chars.length <= 8
        ? null
        : 'not a car number';
    case 'name':
      // Chinese (or mixed) names count as Chinese: 10 at most; Latin-only names 20 letters or symbols
      if (/\p{Script=Han}/u.test(value))
        return chars.length <= 10 ? null : 'a Chinese name over 10 characters';
      return /^[A-Za-z .·*-]{1,20}$/.test(value) ? null : 'not a name';
    case 'phrase':
      return new RegExp(`^${HAN}{1,5}$`, 'u').test(value) ? null : 'not 1-5 Chinese characters';
  }
}

export type TemplatePurpose = 'payment_success' | 'refund_result' | 'payment_failed' | 'bill_reminder';

export interface SubscribeTemplate {
  purpose: TemplatePurpose;
  /** the default id (the mock's); settings may name the hospital's own */
  templateId: string;
  /** the template's title as the user sees it in the consent sheet */
  title: string;
  /** why we ask, in the patient's words */
  description: string;
  keywords: Record<string, KeywordType>;
}

export const SUBSCRIBE_TEMPLATES: Record<TemplatePurpose, SubscribeTemplate> = {
  payment_success: {
    purpose: 'payment_success',
    templateId: 'q1Zk0PaYmS8uCcEssNoT1fY4rCpTm2VbWx7LhJ3dEg0',
    title: '缴费成功通知',
    description: '缴费完成后告诉您医保和自付各付了多少，以及收据号',
    keywords: {
      thing1: 'thing',
      amount2: 'amount',
      amount3: 'amount',
      character_string4: 'character_string',
      time5: 'time',
    },
  },
  refund_result: {
    purpose: 'refund_result',
    templateId: 'r7Tn2ReFuNdRe5uLtVb9Kq3XwPz8YcLm4HsGa6DjUe1',
    title: '退款结果通知',
    description: '退款到账后告诉您医保统筹、个人账户和微信各退回多少',
    keywords: {
      character_string1: 'character_string',
      amount2: 'amount',
      amount3: 'amount',
      amount4: 'amount',
      phrase5: 'phrase',
    },
  },
  payment_failed: {
    purpose: 'payment_failed',
    templateId: 'f3Xa9PaYfAiLeDw2Rk5Tn8Qm1Zs4Bv7Cy0Lh6Jd2Gu5',
    title: '缴费未成功通知',
    description: '缴费没有成功或款项退回时告诉您原因和下一步',
    keywords: {
      thing1: 'thing',
      amount2: 'amount',
      thing3: 'thing',
      time4: 'time',
    },
  },
  bill_reminder: {
    purpose: 'bill_reminder',
    templateId: 'b5Rm8BiLlReMiNdEr2Wq4Ty6Ui9Op1As3Df5Gh7Jk0L',
    title: '待缴费提醒',
    description: '有未缴的费用时每天最多提醒一次，免打扰时段不提醒',
    keywords: {
      thing1: 'thing',
      thing2: 'thing',
      amount3: 'amount',
      time4: 'time',
      thing5: 'thing',
    },
  },
};

export const TEMPLATE_PURPOSES = Object.keys(SUBSCRIBE_TEMPLATES) as TemplatePurpose[];

/** subscribeMessage.send's body (the data values are always strings here) */
export interface SubscribeSendBody {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
}

/** errcodes of subscribeMessage.send and the token APIs this product handles */
export const WECHAT_ERRCODE = {
  ok: 0,
  invalidCredential: 40001,
  invalidOpenid: 40003,
  invalidTemplateId: 40037,
  accessTokenMissing: 41001,
  accessTokenExpired: 42001,
  userRefused: 43101,
  dataFormat: 47001,
  argumentInvalid: 47003,
  invalidPage: 41030,
  invalidAppid: 40013,
  invalidSecret: 40125,
  invalidGrantType: 40002,
} as const;

/** how long an access token lives (expires_in), and how long the previous one stays valid after a new one */
export const ACCESS_TOKEN_TTL_S = 7200;
export const ACCESS_TOKEN_OVERLAP_MS = 5 * 60_000;
