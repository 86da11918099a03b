/**
 * Friendly checks before the request, in Chinese, with the same rules as the server's schema
 * (shared/api bindPatientRequest); the server still validates, and its message is shown when it refuses.
 */
import type { BindPatientRequest } from '../../../shared/api';

export interface BindingErrors {
  name?: string;
  idNo?: string;
  phone?: string;
  code?: string;
}

/** The texted code: 6 digits; a message when it is not. */
export function validateCode(input: string): string | undefined {
  const code = input.trim();
  if (!code) return '请填写短信验证码';
  if (!/^\d{6}$/.test(code)) return '验证码为 6 位数字';
  return undefined;
}

const ID_NO = /^(\d{17}[\dX]|\d{15})$/;
const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** GB 11643: the 18th character is the check digit of the first 17 (15-digit numbers carry none). */
export function idCheckDigitOk(idNo: string): boolean {
  if (idNo.length !== 18) return true;
  const sum = CHECK_WEIGHTS.reduce((acc, weight, i) => acc + Number(idNo[i]) * weight, 0);
  return CHECK_CHARS[sum % 11] === idNo[17];
}
const MOBILE = /^1\d{10}$/;

export function validateBinding(input: { name: string; idNo: string; phone: string }): {
  request?: BindPatientRequest;
  errors: BindingErrors;
} {
  const name = input.name.trim();
  const idNo = input.idNo.trim().toUpperCase();
  const phone = input.phone.trim();
  const errors: BindingErrors = {};
  if (!name) errors.name = '请填写姓名';
  else if (name.length > 50) errors.name = '姓名最多 50 个字';
  if (!idNo) errors.idNo = '请填写身份证号';
  else if (!ID_NO.test(idNo)) errors.idNo = '身份证号应为 18 位（最后一位可为 X）';
  else if (!idCheckDigitOk(idNo)) errors.idNo = '身份证号校验位不对，请核对后重新填写';
  if (phone && !MOBILE.test(phone)) errors.phone = '手机号应为 11 位数字';
  if (Object.keys(errors).length > 0) return { errors };
  return { errors, request: phone ? { name, idNo, phone } : { name, idNo } };
}
