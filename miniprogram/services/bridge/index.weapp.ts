/**
 * weapp bridge: the real WeChat APIs. Login is `Taro.login`; insurance authorization opens the 医保电子凭证
 * mini-program and reads its answer from referrerInfo when we come back (best effort: only testable on a
 * device); payment is wx.requestMedicalInsurancePay (mixed / insurance orders, after the WeChat-version gate)
 * or wx.requestPayment (cash), both through the global `wx`. Subscribe-message consent is
 * Taro.requestSubscribeMessage, called synchronously from the tap (WeChat opens the sheet only then).
 */
import Taro from '@tarojs/taro';
import type { PayParamsView } from '../../../shared/api';
import { loadClientConfig } from '../config';
import { PAGES, openPage } from '../routes';
import { answerOfDecisions, subscribeFailureMessage } from './subscribe';
import { INSURANCE_AUTH, type Bridge, type PayOutcome, type SubscribeAnswer } from './types';
import {
  PayFailure,
  alreadyPaid,
  interpretSheetAnswer,
  isHarmonyPlatform,
  medInsVersionProblem,
  sheetFields,
  upgradeMessage,
  type SheetFields,
  type WeChatClient,
} from './wechatPay';

interface WxCallbacks {
  success?: (res: { errMsg?: string }) => void;
  fail?: (err: { errMsg?: string }) => void;
}

/**
 * The global `wx` of the mini-program, as much of it as the payment needs. Every member is optional: an old
 * base library lacks the newer ones (getAppBaseInfo/getDeviceInfo since 2.20.1; requestMedicalInsurancePay).
 */
export interface WxPayApi {
  requestMedicalInsurancePay?: (options: { mixTradeNo: string } & Partial<SheetFields> & WxCallbacks) => void;
  requestPayment?: (options: SheetFields & WxCallbacks) => void;
  getAppBaseInfo?: () => { version?: string };
  getDeviceInfo?: () => { platform?: string };
  getSystemInfoSync?: () => { version?: string; platform?: string };
}

declare const wx: WxPayApi;

/** WeChat's version and whether it runs on HarmonyOS; unknown parts stay undefined (never throws). */
export function weChatClient(api: WxPayApi): WeChatClient {
  const read = <T>(f: () => T | undefined): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const base = read(() => api.getAppBaseInfo?.());
  const device = read(() => api.getDeviceInfo?.());
  const system = base?.version && device?.platform ? undefined : read(() => api.getSystemInfoSync?.());
  return {
    version: base?.version ?? system?.version,
    harmony: isHarmonyPlatform(device?.platform ?? system?.platform),
  };
}

/** Answers waiting for the page they belong to. */
const returned = new Map<string, Record<string, string>>();
let authorizingPatientId: string | undefined;

Taro.onAppShow((options) => {
  const referrer = (options as { referrerInfo?: { appId?: string; extraData?: Record<string, unknown> } })
    .referrerInfo;
  if (!authorizingPatientId || referrer?.appId !== INSURANCE_AUTH.appId) return;
  const extra = referrer.extraData ?? {};
  const authCode = typeof extra.authCode === 'string' ? extra.authCode : undefined;
  returned.set(PAGES.authorize, {
    patientId: authorizingPatientId,
    ...(authCode
      ? { authCode }
      : { error: typeof extra.error === 'string' ? extra.error : 'user_cancelled' }),
  });
  authorizingPatientId = undefined;
});

/**
 * A medical-insurance order (it has a mixTradeNo): wx.requestMedicalInsurancePay with mixTradeNo and, only when
 * there is a cash part, the five cash fields. A WeChat too old for it (or without the call) gets the upgrade
 * message: never plain requestPayment, which would leave the insurance part unsettled.
 */
function payMedIns(api: WxPayApi, mixTradeNo: string, cash: PayParamsView | undefined): Promise<PayOutcome> {
  const client = weChatClient(api);
  const tooOld = medInsVersionProblem(client);
  if (tooOld) return Promise.reject(new PayFailure(tooOld));
  if (typeof api.requestMedicalInsurancePay !== 'function')
    return Promise.reject(new PayFailure(upgradeMessage(client.harmony)));
  return new Promise<PayOutcome>((resolve, reject) => {
    const settle = (errMsg: string) => {
      const answer = interpretSheetAnswer('medIns', errMsg, client.harmony);
      if (answer instanceof PayFailure) reject(answer);
      else resolve(answer);
    };
    api.requestMedicalInsurancePay?.({
      mixTradeNo,
      ...(cash ? sheetFields(cash) : {}),
      success: (res) => settle(res?.errMsg ?? 'requestMedicalInsurancePay:ok'),
      fail: (err) => settle(err?.errMsg ?? 'requestMedicalInsurancePay:fail'),
    });
  });
}

/** A cash-only order: wx.requestPayment with the five fields. */
function payCash(api: WxPayApi, cash: PayParamsView): Promise<PayOutcome> {
  return new Promise<PayOutcome>((resolve, reject) => {
    const settle = (errMsg: string) => {
      const answer = interpretSheetAnswer('cash', errMsg);
      if (answer instanceof PayFailure) reject(answer);
      else resolve(answer);
    };
    if (typeof api.requestPayment !== 'function') {
      settle('requestPayment:fail not available');
      return;
    }
    api.requestPayment({
      ...sheetFields(cash),
      success: (res) => settle(res?.errMsg ?? 'requestPayment:ok'),
      fail: (err) => settle(err?.errMsg ?? 'requestPayment:fail'),
    });
  });
}

/** WeChat's limit: one wx.requestSubscribeMessage asks for three templates at most. */
const SUBSCRIBE_LIMIT = 3;

/**
 * wx.requestSubscribeMessage, started at once (no await before it: WeChat refuses a call that is not in a tap's
 * handler). Answers accepted / rejected per template; a sheet that could not open rejects with a Chinese message.
 */
function requestSubscribe(templateIds: string[]): Promise<SubscribeAnswer> {
  const tmplIds = templateIds.slice(0, SUBSCRIBE_LIMIT);
  // Taro's type asks for alipay's entityIds too; WeChat takes tmplIds only
  const option = { tmplIds } as unknown as Taro.requestSubscribeMessage.Option;
  return Taro.requestSubscribeMessage(option).then(
    (res) => answerOfDecisions(res as unknown as Record<string, unknown>, tmplIds),
    (err: { errCode?: number; errMsg?: string }) => {
      console.warn('requestSubscribeMessage failed', err?.errCode, err?.errMsg);
      throw new Error(subscribeFailureMessage(err?.errCode));
    },
  );
}

export const bridge: Bridge = {
  platform: 'weapp',
  subscribeLimit: SUBSCRIBE_LIMIT,

  takeReturnedParams(pagePath) {
    const path = pagePath.split('?')[0];
    const params = returned.get(path) ?? {};
    returned.delete(path);
    return params;
  },

  async obtainLoginCode() {
    const { code } = await Taro.login();
    return code;
  },

  async startInsuranceAuthorization(patientId) {
    const config = await loadClientConfig();
    const { appId, authType, isDepart, bizType, cityCode } = INSURANCE_AUTH;
    authorizingPatientId = patientId;
    await Taro.navigateToMiniProgram({
      appId,
      extraData: { authType, isDepart, bizType, cityCode, appid: config.appId },
    });
    // the answer arrives with onAppShow; the authorize page shows it
    openPage('authorize', { patientId });
  },

  async pay(_orderId, payment) {
    if (alreadyPaid(payment.status)) return 'ok';
    if (payment.mixTradeNo) return payMedIns(wx, payment.mixTradeNo, payment.payParams);
    if (payment.payParams) return payCash(wx, payment.payParams);
    throw new PayFailure('服务器未返回支付参数，暂时无法打开微信支付，请稍后重试。');
  },

  requestSubscribe,
};
