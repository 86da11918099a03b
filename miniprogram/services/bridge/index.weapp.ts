/**
 * weapp bridge: the real WeChat APIs. Login is `Taro.login`; insurance authorization opens the 医保电子凭证
 * mini-program and reads its answer from referrerInfo when we come back (best effort: only testable on a
 * device); payment is wx.requestMedicalInsurancePay (mixed / insurance orders) or wx.requestPayment (cash).
 */
import Taro from '@tarojs/taro';
import type { PayParamsView } from '../../../shared/api';
import { loadClientConfig } from '../config';
import { PAGES, openPage } from '../routes';
import { INSURANCE_AUTH, type Bridge, type PayOutcome } from './types';

interface WxCallbacks {
  success?: (res: unknown) => void;
  fail?: (err: { errMsg?: string }) => void;
}

/** The payment sheet's fields (PayParamsView without appId, which the sheet does not take). */
type SheetFields = Omit<PayParamsView, 'appId'>;

declare const wx: {
  requestMedicalInsurancePay?: (options: { mixTradeNo: string } & Partial<SheetFields> & WxCallbacks) => void;
};

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

const outcomeOf = (err: { errMsg?: string }): PayOutcome =>
  /cancel/i.test(err?.errMsg ?? '') ? 'cancel' : 'fail';

function sheetFields(p: PayParamsView): SheetFields {
  return {
    timeStamp: p.timeStamp,
    nonceStr: p.nonceStr,
    package: p.package,
    signType: p.signType,
    paySign: p.paySign,
  };
}

export const bridge: Bridge = {
  platform: 'weapp',

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

  pay(_orderId, payment) {
    return new Promise<PayOutcome>((resolve) => {
      const callbacks: WxCallbacks = { success: () => resolve('ok'), fail: (err) => resolve(outcomeOf(err)) };
      if (payment.mixTradeNo) {
        if (!wx.requestMedicalInsurancePay) {
          resolve('fail');
          return;
        }
        wx.requestMedicalInsurancePay({
          mixTradeNo: payment.mixTradeNo,
          ...(payment.payParams ? sheetFields(payment.payParams) : {}),
          ...callbacks,
        });
      } else if (payment.payParams) {
        void Taro.requestPayment({ ...sheetFields(payment.payParams), ...callbacks }).catch(() => {
          // settled through the callbacks
        });
      } else {
        resolve('fail');
      }
    });
  },
};
