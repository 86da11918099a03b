/**
 * Console login: username, password and the 6-digit one-time code (TOTP) of the cashier's authenticator.
 * A wrong factor → the server's one message for all of them; too many from this address → wait (429) or locked
 * (423), said so with the time. After a supervisor reset the password (`mustChangePassword`), a form to choose a
 * new one comes first; the session is kept only once it is changed. Then back where the cashier was sent from
 * (a 401 elsewhere), or the orders page.
 */
import { useState, type FormEvent } from 'react';
import Taro from '@tarojs/taro';
import type { ConsoleSessionView } from '../../../../shared/api';
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

export const NEW_PASSWORD_MIN = 10;

export function newPasswordProblems(f: { current: string; next: string; again: string }): string[] {
  const problems: string[] = [];
  if (f.next.length < NEW_PASSWORD_MIN) problems.push(`新密码至少 ${NEW_PASSWORD_MIN} 位`);
  else if (f.next === f.current) problems.push('新密码不能与当前密码相同');
  if (f.again !== f.next) problems.push('两次输入的新密码不一致');
  return problems;
}

/** The session and where to go next, once the password needs no change. */
function enterConsole(session: ConsoleSessionView, username: string): void {
  setConsoleSession({
    token: session.token,
    role: session.role,
    username,
    expiresAtMs: Date.now() + session.expiresInS * 1000,
  });
  const back = getConsoleAfterLogin();
  setConsoleAfterLogin(undefined);
  if (back && back.startsWith('/pages/console/') && !back.startsWith(CONSOLE_PAGES.login))
    void Taro.reLaunch({ url: back });
  else switchConsolePage('orders');
}

function lockedText(error: ApiError): string {
  // the server says it in Chinese, with the time in China time
  if (/[\u4e00-\u9fff]/.test(error.message)) return error.message;
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
  /** a login that must change the password first: its token, kept here only (not stored) until it is changed */
  const [mustChange, setMustChange] = useState<{
    session: ConsoleSessionView;
    username: string;
    password: string;
  }>();
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
      if (session.mustChangePassword)
        setMustChange({ session, username: fields.username.trim(), password: fields.password });
      else enterConsole(session, fields.username.trim());
    } catch (err) {
      setError(err);
      // a one-time code is spent or stale after a failure: type the next one
      setFields((f) => ({ ...f, otp: '' }));
    } finally {
      setBusy(false);
    }
  };

  const locked = error instanceof ApiError && error.status === 423;
  if (mustChange)
    return (
      <ChangePassword
        {...mustChange}
        onDone={(session) => enterConsole(session, mustChange.username)}
        onEnded={(err) => {
          setMustChange(undefined);
          setFields((f) => ({ ...f, password: '', otp: '' }));
          setError(err);
        }}
      />
    );
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
        <div className="c-login-foot">
          同一网络地址连续输入错误 3 次后需稍候再试，5 次将锁定该地址 15
          分钟（主管可解锁）。所有操作均记入审计日志。
        </div>
      </div>
    </div>
  );
}

/** The password a supervisor reset must be changed before anything else: new password twice, then the console. */
function ChangePassword({
  session,
  username,
  password,
  onDone,
  onEnded,
}: {
  session: ConsoleSessionView;
  username: string;
  password: string;
  onDone: (session: ConsoleSessionView) => void;
  onEnded: (error: unknown) => void;
}) {
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const found = newPasswordProblems({ current: password, next, again });
    setProblems(found);
    setError(undefined);
    if (found.length > 0 || busy) return;
    setBusy(true);
    try {
      onDone(
        await consoleApi.changePassword({ currentPassword: password, newPassword: next }, session.token),
      );
    } catch (err) {
      // the session ended meanwhile (disabled, reset again): log in afresh
      if (err instanceof ApiError && err.status === 401) onEnded(err);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="c-login">
      <div className="c-login-card" id="change-password">
        <div className="c-login-head">
          <span className="c-brand-mark">医</span>
          <div>
            <h1 className="c-login-title">请修改密码</h1>
            <div className="c-login-sub">{username} 的密码已由主管重置，修改后才能继续使用</div>
          </div>
        </div>
        {error ? <CErrorNotice error={error} id="change-password-error" /> : null}
        <form className="c-login-form" onSubmit={submit} noValidate>
          <label className="c-field">
            新密码（至少 {NEW_PASSWORD_MIN} 位）
            <input
              id="change-password-new"
              className="c-input"
              type="password"
              autoComplete="new-password"
              value={next}
              maxLength={256}
              onChange={(e) => setNext(e.target.value)}
            />
          </label>
          <label className="c-field">
            再次输入新密码
            <input
              id="change-password-again"
              className="c-input"
              type="password"
              autoComplete="new-password"
              value={again}
              maxLength={256}
              onChange={(e) => setAgain(e.target.value)}
            />
          </label>
          {problems.map((p) => (
            <span key={p} className="c-field-error">
              {p}
            </span>
          ))}
          <button type="submit" id="change-password-submit" className="c-btn c-btn--primary" disabled={busy}>
            {busy ? '正在保存…' : '修改密码并进入'}
          </button>
        </form>
        <div className="c-login-foot">修改后，此账号在其他地方的登录会话将全部失效。</div>
      </div>
    </div>
  );
}
