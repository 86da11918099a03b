/**
 * Proving the card before paying (the risk rules' step-up): a code texted to the phone the hospital holds for
 * this card, typed here. Proven → the order can be paid, and the page reloads it.
 */
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { OrderView, StepUpView } from '../../../shared/api';
import { api } from '../../services/api';
import { useCountdown } from '../../services/useCountdown';
import { ErrorNotice } from '../../components/PageState';
import { FormField } from '../../components/FormField';
import { validateCode } from '../bind/validate';

export function StepUpPanel({ order, onProven }: { order: OrderView; onProven: () => void }) {
  const [stepUp, setStepUp] = useState<StepUpView>();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [resendIn, setResendIn] = useCountdown();

  const askForCode = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const started = await api.startStepUp(order.id);
      setStepUp(started);
      setCode('');
      setResendIn(started.resendAfterS);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!stepUp) return;
    const problem = validateCode(code);
    setCodeError(problem);
    setError(undefined);
    if (problem) return;
    setBusy(true);
    try {
      await api.verifyStepUp(order.id, stepUp.stepUpId, code.trim());
      onProven();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card step-up" id="step-up">
      <Text className="card-title">请先验证就诊人身份</Text>
      <Text className="muted">
        {stepUp
          ? `验证码已发送至医院登记的手机号 ${stepUp.phoneMasked}，5 分钟内有效。`
          : '为保障您的账户安全，这笔缴费需要先验证：我们会向医院登记的该就诊人手机号发送验证码。'}
      </Text>
      {stepUp ? (
        <FormField
          label="验证码"
          error={codeError}
          id="step-up-code"
          kind="number"
          placeholder="6 位数字"
          maxLength={6}
          value={code}
          onChange={setCode}
        />
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {stepUp ? (
        <View>
          <Button
            id="step-up-submit"
            className="btn btn--primary"
            disabled={busy || undefined}
            onClick={confirm}
          >
            验证并继续缴费
          </Button>
          <Button
            id="step-up-resend"
            className="btn"
            disabled={busy || resendIn > 0 || undefined}
            onClick={askForCode}
          >
            {resendIn > 0 ? `${resendIn} 秒后可重新获取` : '重新获取验证码'}
          </Button>
        </View>
      ) : (
        <Button
          id="step-up-start"
          className="btn btn--primary"
          disabled={busy || undefined}
          onClick={askForCode}
        >
          获取验证码
        </Button>
      )}
      <Text className="hint">收不到短信？手机号已停用时，请到医院收费窗口缴费或更新登记的手机号。</Text>
    </View>
  );
}
