/**
 * Bind a patient card: name + resident ID number, then the 6-digit code the hospital texts to the phone it holds
 * for that patient (proof that the card is yours or your family's). A new code can be asked for after a minute.
 */
import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { VerificationView } from '../../../shared/api';
import { api } from '../../services/api';
import { goBack } from '../../services/routes';
import { setCurrentPatientId } from '../../services/storage';
import { ErrorNotice } from '../../components/PageState';
import { FormField } from '../../components/FormField';
import { useCountdown } from '../../services/useCountdown';
import { validateBinding, validateCode, type BindingErrors } from './validate';
import './index.css';

export default function Bind() {
  const [name, setName] = useState('');
  const [idNo, setIdNo] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<BindingErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [verification, setVerification] = useState<VerificationView>();
  const [resendIn, setResendIn] = useCountdown();

  const askForCode = async () => {
    const checked = validateBinding({ name, idNo, phone: '' });
    setErrors(checked.errors);
    setServerError(undefined);
    if (!checked.request) return;
    setSubmitting(true);
    try {
      const started = await api.bindPatient(checked.request);
      setVerification(started);
      setCode('');
      setResendIn(started.resendAfterS);
    } catch (err) {
      setServerError(err);
    } finally {
      setSubmitting(false);
    }
  };

  const confirmCode = async () => {
    if (!verification) return;
    const problem = validateCode(code);
    setErrors(problem ? { code: problem } : {});
    setServerError(undefined);
    if (problem) return;
    setSubmitting(true);
    try {
      const patient = await api.verifyBinding(verification.verificationId, code.trim());
      setCurrentPatientId(patient.id);
      void Taro.showToast({ title: '绑定成功', icon: 'success' });
      goBack('cards');
    } catch (err) {
      setServerError(err);
    } finally {
      setSubmitting(false);
    }
  };

  if (verification) {
    return (
      <View className="page bind">
        <View className="card">
          <Text className="card-title">输入短信验证码</Text>
          <Text id="bind-code-sent" className="muted">
            验证码已发送至医院登记的手机号 {verification.phoneMasked}，5 分钟内有效。
          </Text>
          <FormField
            label="验证码"
            error={errors.code}
            id="bind-code"
            kind="number"
            placeholder="6 位数字"
            maxLength={6}
            value={code}
            onChange={setCode}
          />
        </View>
        {serverError ? <ErrorNotice error={serverError} /> : null}
        <Button
          id="bind-code-submit"
          className="btn btn--primary"
          disabled={submitting || undefined}
          onClick={confirmCode}
        >
          确认绑定
        </Button>
        <Button
          id="bind-code-resend"
          className="btn"
          disabled={submitting || resendIn > 0 || undefined}
          onClick={askForCode}
        >
          {resendIn > 0 ? `${resendIn} 秒后可重新获取` : '重新获取验证码'}
        </Button>
        <Text className="hint">
          收不到短信？手机号不是本人或已停用，请携带身份证到医院窗口更新登记的手机号后再绑定。
        </Text>
      </View>
    );
  }

  return (
    <View className="page bind">
      <View className="card">
        <Text className="card-title">就诊人信息</Text>
        <FormField
          label="姓名"
          error={errors.name}
          id="bind-name"
          placeholder="与身份证一致"
          maxLength={50}
          value={name}
          onChange={setName}
        />
        <FormField
          label="身份证号"
          error={errors.idNo}
          id="bind-idno"
          kind="idcard"
          placeholder="18 位居民身份证号"
          maxLength={18}
          value={idNo}
          onChange={setIdNo}
        />
      </View>
      {serverError ? <ErrorNotice error={serverError} /> : null}
      <Button
        id="bind-submit"
        className="btn btn--primary"
        disabled={submitting || undefined}
        onClick={askForCode}
      >
        获取验证码
      </Button>
      <Text className="hint">
        为保护就诊信息，医院会向就诊人登记的手机号发送验证码，验证后才能绑定。身份证号加密保存，页面上只显示部分号码。可为家人绑定多张就诊卡。
      </Text>
    </View>
  );
}
