/**
 * Console login: username, password and the 6-digit one-time code (TOTP) of the cashier's authenticator.
 * A wrong factor → the server's one message for all of them; locked (423) → said so, with the time. Then back
 * where the cashier was sent from (a 401 elsewhere), or the orders page.
 */
import { useState, type FormEvent } from 'react';
import Taro from '@tarojs/taro';
import { ApiError } from '../../../services/errors';
import { consoleApi } from '../../../services/console/api';
import { CONSOLE_PAGES, switchConsolePage } from '../../../services/console/routes';
import {
  getConsoleAfterLogin,
  setConsoleAfterLogin,
  setConsoleSession,
} from '../../../services/console/session';
import { CErrorNotice, CNotice } from '../../../components/console/States';
import '../../../components/console/console.css';

export const OTP_PATTERN = /^\d{6}$/;

interface Fields {
  username: string;
  password: string;
  otp: string;
}

export function loginProblems(f: Fields): Partial<Record<keyof Fields, string>> {
  const problems: Partial<Record<keyof Fields, string>> = {};
  if (!f.username.trim()) problems.username = '请输入用户名';
  if (!f.password) problems.password = '请输入密码';
  if (!OTP_PATTERN.test(f.otp.trim())) problems.otp = '动态码为身份验证器上的 6 位数字';
  return problems;
}

function lockedText(error: ApiError): string {
  const until = /(\d{4}-\d{2}-\d{2}T[\d:.]+Z)/.exec(error.message)?.[1];
  if (!until) return '连续登录失败次数过多，账号已被暂时锁定，请稍后再试或联系主管。';
  const cst = new Date(Date.parse(until) + 8 * 3600_000).toISOString();
  return `连续登录失败次数过多，账号已被暂时锁定，请在北京时间 ${cst.slice(0, 10)} ${cst.slice(11, 16)} 之后再试，或联系主管。`;
}

export default function ConsoleLogin() {
  const [fields, setFields] = useState<Fields>({ username: '', password: '', otp: '' });
  const [problems, setProblems] = useState<Partial<Record<keyof Fields, string>>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Fields) => (value: string) => setFields((f) => ({ ...f, [key]: value }));

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const found = loginProblems(fields);
    setProblems(found);
    setError(undefined);
    if (Object.keys(found).length > 0 || busy) return;
    setBusy(true);
    try {
      const session = await consoleApi.login({
        username: fields.username.trim(),
        password: fields.password,
        otp: fields.otp.trim(),
      });
      setConsoleSession({
        token: session.token,
        role: session.role,
        username: fields.username.trim(),
        expiresAtMs: Date.now() + session.expiresInS * 1000,
      });
      const back = getConsoleAfterLogin();
      setConsoleAfterLogin(undefined);
      if (back && back.startsWith('/pages/console/') && !back.startsWith(CONSOLE_PAGES.login))
        void Taro.reLaunch({ url: back });
      else switchConsolePage('orders');
    } catch (err) {
      setError(err);
      // a one-time code is spent or stale after a failure: type the next one
      setFields((f) => ({ ...f, otp: '' }));
    } finally {
      setBusy(false);
    }
  };

  const locked = error instanceof ApiError && error.status === 423;
  return (
    <div className="c-login">
      <div className="c-login-card">
        <div className="c-login-head">
          <span className="c-brand-mark">医</span>
          <div>
            <h1 className="c-login-title">收费管理后台</h1>
            <div className="c-login-sub">医保脱卡支付 · 收费员 / 主管登录</div>
          </div>
        </div>
        {locked ? (
          <CNotice tone="danger" id="login-locked">
            <strong>账号已锁定</strong>：{lockedText(error)}
          </CNotice>
        ) : error ? (
          <CErrorNotice error={error} id="login-error" />
        ) : null}
        <form className="c-login-form" onSubmit={submit} noValidate>
          <label className="c-field">
            用户名
            <input
              id="login-username"
              className="c-input"
              autoComplete="username"
              value={fields.username}
              maxLength={64}
              onChange={(e) => set('username')(e.target.value)}
            />
            {problems.username ? <span className="c-field-error">{problems.username}</span> : null}
          </label>
          <label className="c-field">
            密码
            <input
              id="login-password"
              className="c-input"
              type="password"
              autoComplete="current-password"
              value={fields.password}
              maxLength={256}
              onChange={(e) => set('password')(e.target.value)}
            />
            {problems.password ? <span className="c-field-error">{problems.password}</span> : null}
          </label>
          <label className="c-field">
            动态码（身份验证器 6 位数字）
            <input
              id="login-otp"
              className="c-input c-input--otp"
              inputMode="numeric"
              autoComplete="one-time-code"
              placeholder="000000"
              value={fields.otp}
              maxLength={6}
              onChange={(e) => set('otp')(e.target.value.replace(/\D/g, ''))}
            />
            {problems.otp ? <span className="c-field-error">{problems.otp}</span> : null}
          </label>
          <button type="submit" id="login-submit" className="c-btn c-btn--primary" disabled={busy}>
            {busy ? '正在登录…' : '登录'}
          </button>
        </form>
        <div className="c-login-foot">连续 5 次输入错误将锁定账号 15 分钟。所有操作均记入审计日志。</div>
      </div>
    </div>
  );
}
