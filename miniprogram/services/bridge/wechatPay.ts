/**
 * What the weapp bridge (wx.requestMedicalInsurancePay / wx.requestPayment) and the H5 bridge inside WeChat
 * (WeixinJSBridge.invoke('requestMedicalInsurancePay' | 'getBrandWCPayRequest')) share: the client-version
 * gate for medical-insurance payment, the sheet's five cash fields, and how WeChat's answers become a
 * PayOutcome or a failure with a Chinese message the confirm page shows.
 *
 * WeChat's rules (小程序调起医保支付说明 / JSAPI调起医保支付说明):
 * - med-ins payment needs WeChat ≥ 8.0.44 on iOS/Android and ≥ 8.0.13 on HarmonyOS; below that the patient is
 *   told to upgrade, and the order is NEVER paid through plain requestPayment instead (the insurance part would
 *   not be settled);
 * - the five cash fields go with the call only when there is a cash part: none of them for INSURANCE_ONLY;
 * - `…:ok` means the sheet was closed, not that the money moved: the result page asks the server.
 */
import type { PayParamsView } from '../../../shared/api';
import type { PayOutcome } from './types';

/** Minimum WeChat versions for medical-insurance payment. */
export const MED_INS_MIN_VERSION = { default: '8.0.44', harmony: '8.0.13' } as const;

/** A payment the sheet could not start or finish; `message` is for the patient (plain Chinese). */
export class PayFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayFailure';
  }
}

export function upgradeMessage(harmony: boolean): string {
  return harmony
    ? `当前微信版本过低，无法使用医保支付。请将鸿蒙版微信升级到 ${MED_INS_MIN_VERSION.harmony} 或以上版本后再试。`
    : `当前微信版本过低，无法使用医保支付。请将微信升级到 ${MED_INS_MIN_VERSION.default} 或以上版本后再试。`;
}

/** The payment sheet's cash fields (PayParamsView without appId). */
export type SheetFields = Omit<PayParamsView, 'appId'>;

/** Exactly the five fields, in the documented order, nothing else from the server's object. */
export function sheetFields(p: PayParamsView): SheetFields {
  return {
    timeStamp: p.timeStamp,
    nonceStr: p.nonceStr,
    package: p.package,
    signType: p.signType,
    paySign: p.paySign,
  };
}

/** Numeric comparison of dotted versions ('8.0.44.2502' > '8.0.44'); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * HarmonyOS WeChat: `platform` is 'ohos' (phone) or 'ohos_pc' in wx.getDeviceInfo(); 'harmony' is accepted too
 * in case a base library spells it so.
 */
export function isHarmonyPlatform(platform: string | undefined): boolean {
  return /^(ohos|ohos_pc|harmony|harmonyos)$/i.test(platform ?? '');
}

export interface WeChatClient {
  /** WeChat's own version (not the base library's), e.g. '8.0.44' */
  version?: string;
  harmony: boolean;
}

/**
 * The Chinese upgrade message when this WeChat is too old for medical-insurance payment, undefined when it is
 * recent enough or its version is unknown (then WeChat itself answers the call).
 */
export function medInsVersionProblem(client: WeChatClient): string | undefined {
  if (!client.version || !/^\d+(\.\d+)*/.test(client.version)) return undefined;
  const min = client.harmony ? MED_INS_MIN_VERSION.harmony : MED_INS_MIN_VERSION.default;
  return compareVersions(client.version, min) < 0 ? upgradeMessage(client.harmony) : undefined;
}

/**
 * The WeChat client of an H5 page, from its user agent: `MicroMessenger/8.0.44.2502(0x28002C36)`; HarmonyOS
 * (ArkWeb) user agents say `OpenHarmony`.
 */
export function weChatClientOfUserAgent(ua: string): WeChatClient {
  const version = /MicroMessenger\/(\d+(?:\.\d+)*)/i.exec(ua)?.[1];
  return { version, harmony: /OpenHarmony|HarmonyOS|ArkWeb/i.test(ua) };
}

const detailOf = (errMsg: string) => errMsg.replace(/^[^:]*:\s*(fail)?\s*/i, '').trim();
const withDetail = (message: string, errMsg: string) => {
  const detail = detailOf(errMsg);
  return detail ? `${message}（微信返回：${detail}）` : message;
};

const MED_INS_FAILED =
  '医保支付未能完成。请确认已激活医保电子凭证（微信「我 → 服务 → 医疗健康 → 医保电子凭证」）后重试；' +
  '如仍无法支付，请到医院收费窗口缴费。';
const MED_INS_UNAVAILABLE = '医保支付暂不可用，请稍后再试或到医院收费窗口缴费。';
const CASH_FAILED = '微信支付未能完成，请稍后重试。';

/**
 * What a sheet's answer means. `errMsg` is the mini-program's `errMsg` or JSAPI's `err_msg`:
 * `requestMedicalInsurancePay:ok`, `…:fail cancel` / `…:cancel`, `…:fail …`; `requestPayment:…`;
 * `get_brand_wcpay_request:ok|cancel|fail`; `system:function_not_exist` when this WeChat lacks the call.
 * Returns the outcome for ok and cancel, a PayFailure (with a Chinese message) for anything else.
 */
export function interpretSheetAnswer(
  kind: 'medIns' | 'cash',
  errMsg: string,
  harmony = false,
): PayOutcome | PayFailure {
  const msg = errMsg.trim();
  if (/:\s*ok$/i.test(msg)) return 'ok';
  if (/:\s*(fail\s*)?cancel/i.test(msg)) return 'cancel';
  if (kind === 'medIns') {
    if (/function_not_exist|not\s*exist|not\s*support/i.test(msg))
      return new PayFailure(upgradeMessage(harmony));
    if (/errno\s*102|access\s*denied|access_denied|permission/i.test(msg))
      return new PayFailure(withDetail(MED_INS_UNAVAILABLE, msg));
    return new PayFailure(withDetail(MED_INS_FAILED, msg));
  }
  return new PayFailure(withDetail(CASH_FAILED, msg));
}

/** Nothing left to pay (the server says the order is already paid): no sheet, the result page shows it. */
export const alreadyPaid = (status: string): boolean => status === 'PAID' || status === 'COMPLETED';
