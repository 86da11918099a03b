/**
 * What both wire families share: the paths we call, the infno codes, and the scalar schemas every body is built
 * from (yuan strings, bounded ids, '0'/'1' flags). Amounts on the wire are yuan strings ("12.30"); convert with
 * shared/money only.
 */
import { z } from 'zod';

export const INSURANCE_PATHS = {
  /** standard infno envelope (1101, 3201, 3202) */
  standard: '/fsi/api/rsfComIfsService/callService',
  /** Tencent's authCode → payAuthNo user query; unverified path and shape */
  authUserQuery: '/wecity/api/auth/user-query',
  /** H5 authorization page (card.wecity.qq.com/oauth/code in real life) */
  authPage: '/oauth/code',
  /** the page's confirm form posts here (mock only) */
  authConfirm: '/oauth/code/confirm',
  uploadFees: '/org/local/api/hos/uldFeeInfo',
  payOrder: '/org/local/api/hos/pay_order',
  refundOrder: '/org/local/api/hos/refund_Order',
  queryOrder: '/org/local/api/hos/query_order_info',
  revokeOrder: '/org/local/api/hos/revoke_order',
} as const;

export const INFNO = {
  personInfo: '1101',
  reconcileTotals: '3201',
  reconcileDetails: '3202',
  /** 文件下载: the detail file of a 3202 */
  fileDownload: '9102',
  uploadFees: '6201',
  payOrder: '6202',
  refundOrder: '6203',
  queryOrder: '6301',
  revokeOrder: '6401',
} as const;

export const yuanSchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'a non-negative yuan amount such as "12.30"');
export const id = (max: number) => z.string().min(1).max(max);
export const flagSchema = z.enum(['0', '1']);
