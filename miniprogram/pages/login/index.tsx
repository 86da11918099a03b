/**
 * Login. weapp: wx.login → code → POST /session. H5: the WeChat sandbox login page sends the browser back here
 * with `?code=`, which is exchanged at once. Afterwards: back where the patient was sent from, or to the cards
 * page when no card is bound yet (first visit), else home.
 */
import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { api } from '../../services/api';
import { bridge } from '../../services/bridge/index';
import { hospitalName } from '../../services/config';
import { usePageParams } from '../../services/params';
import { PAGES, restartAt } from '../../services/routes';
import { getAfterLogin, setAfterLogin, setToken } from '../../services/storage';
import { ErrorNotice } from '../../components/PageState';
import './index.css';

type Phase = 'idle' | 'redirecting' | 'exchanging';

async function afterLogin(): Promise<void> {
  const back = getAfterLogin();
  setAfterLogin(undefined);
  if (back && !back.startsWith(PAGES.login)) {
    void Taro.reLaunch({ url: back });
    return;
  }
  try {
    const patients = await api.patients();
    restartAt(patients.length === 0 ? 'cards' : 'home');
  } catch {
    restartAt('home');
  }
}

export default function Login() {
  const params = usePageParams();
  const [phase, setPhase] = useState<Phase>(params.code ? 'exchanging' : 'idle');
  const [error, setError] = useState<unknown>();
  const [hospital, setHospital] = useState('');

  const exchange = async (code: string) => {
    setPhase('exchanging');
    setError(undefined);
    try {
      const { token } = await api.login(code);
      setToken(token);
      await afterLogin();
    } catch (err) {
      setError(err);
      setPhase('idle');
    }
  };

  useEffect(() => {
    void hospitalName().then(setHospital);
    if (params.code) void exchange(params.code);
    // once per visit: a login code is single-use
  }, []);

  const onLogin = async () => {
    setError(undefined);
    setPhase('redirecting');
    try {
      const code = await bridge.obtainLoginCode();
      if (code) await exchange(code);
    } catch (err) {
      setError(err);
      setPhase('idle');
    }
  };

  return (
    <View className="page login">
      <View className="login-hero">
        <View className="login-logo">
          <Text className="login-logo-text">医</Text>
        </View>
        <Text className="login-hospital">{hospital || '医院'}</Text>
        <Text className="login-title">医保移动支付</Text>
        <Text className="login-desc">登录后可绑定就诊卡、授权医保、在线缴纳门诊费用</Text>
      </View>
      {error ? <ErrorNotice error={error} /> : null}
      {params.error ? (
        <View className="notice notice--warning">
          <Text>您已取消登录，可以再次尝试。</Text>
        </View>
      ) : null}
      <Button
        id="login-button"
        className="btn btn--primary"
        disabled={phase !== 'idle' || undefined}
        onClick={onLogin}
      >
        {phase === 'exchanging'
          ? '正在登录…'
          : phase === 'redirecting'
            ? '正在打开微信登录…'
            : '微信一键登录'}
      </Button>
      <Text className="hint login-note">登录即表示您同意医院使用您的微信身份办理缴费业务。</Text>
    </View>
  );
}
