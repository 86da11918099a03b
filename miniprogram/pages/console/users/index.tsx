/**
 * Console users (supervisor): the list with each user's state, a form to create a cashier or supervisor, and per
 * user — each after a confirmation — disable / enable, reset the password (a temporary one, shown once), re-enrol
 * the authenticator (a new QR code, shown once), unlock the addresses locked out by failed logins. The TOTP
 * enrolment (at creation or re-enrolment) is shown once: as a QR code (qrcode → SVG) and as the base32 secret.
 */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type {
  ConsoleEnrolmentView,
  ConsolePasswordResetView,
  ConsoleRole,
  ConsoleUserListItem,
} from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { ROLE_LABEL } from '../../../services/console/labels';
import { useConsoleData } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { ConsoleShell } from '../../../components/console/Shell';
import { Dialog } from '../../../components/console/Dialog';
import { CEmpty, CErrorNotice, CNotice, CTag, DataState } from '../../../components/console/States';

const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;
const PASSWORD_MIN = 10;

export function userProblems(f: { username: string; password: string }): string[] {
  const problems: string[] = [];
  if (!USERNAME.test(f.username.trim())) problems.push('用户名为 3–32 位小写字母、数字或 _ . -，以字母开头');
  if (f.password.length < PASSWORD_MIN) problems.push(`初始密码至少 ${PASSWORD_MIN} 位`);
  return problems;
}

/** 'JBSWY3DPEHPK3PXP' → 'JBSW Y3DP EHPK 3PXP' (easier to type) */
export const groupSecret = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

export type UserAction = 'disable' | 'enable' | 'reset' | 'totp' | 'unlock';

interface ActionText {
  button: string;
  title: string;
  confirm: string;
  danger: boolean;
  /** what will happen, said before it happens */
  body: (u: ConsoleUserListItem) => string;
}

export const USER_ACTIONS: Record<UserAction, ActionText> = {
  disable: {
    button: '停用',
    title: '停用用户',
    confirm: '确认停用',
    danger: true,
    body: (u) => `停用后 ${u.username} 不能再登录，已登录的会话立即失效。之后可随时重新启用。`,
  },
  enable: {
    button: '启用',
    title: '启用用户',
    confirm: '确认启用',
    danger: false,
    body: (u) => `重新启用后 ${u.username} 可以再次登录（停用前的会话不会恢复）。`,
  },
  reset: {
    button: '重置密码',
    title: '重置密码',
    confirm: '确认重置',
    danger: true,
    body: (u) =>
      `将为 ${u.username} 生成一个临时密码（只显示一次），其已登录的会话立即失效；该用户下次登录须先修改密码。`,
  },
  totp: {
    button: '重新绑定验证器',
    title: '重新绑定身份验证器',
    confirm: '确认重新绑定',
    danger: true,
    body: (u) =>
      `将为 ${u.username} 生成新的身份验证器密钥（只显示一次），原验证器的动态码立即作废，已登录的会话立即失效。`,
  },
  unlock: {
    button: '解除锁定',
    title: '解除登录锁定',
    confirm: '确认解除',
    danger: false,
    body: (u) =>
      `将清除 ${u.username} 在所有地址的登录失败记录${
        u.lockedAddresses > 0 ? `（当前有 ${u.lockedAddresses} 个地址被锁定）` : ''
      }，被锁定的地址可以立即重新登录。`,
  },
};

/** The actions a row offers, in order: disable or enable, then the rest. */
export const actionsFor = (u: ConsoleUserListItem): UserAction[] => [
  u.disabled ? 'enable' : 'disable',
  'reset',
  'totp',
  'unlock',
];

type Outcome = { kind: 'password'; view: ConsolePasswordResetView } | { kind: 'done'; text: string };

export default function ConsoleUsers() {
  const users = useConsoleData(() => consoleApi.users());
  const [form, setForm] = useState<{ username: string; password: string; role: ConsoleRole }>({
    username: '',
    password: '',
    role: 'cashier',
  });
  const [problems, setProblems] = useState<string[]>([]);
  const [enrolment, setEnrolment] = useState<{ view: ConsoleEnrolmentView; reenrolled: boolean }>();
  const [pending, setPending] = useState<{ action: UserAction; user: ConsoleUserListItem }>();
  const [outcome, setOutcome] = useState<Outcome>();
  const submit = useSubmit();
  const acting = useSubmit();

  const open = (action: UserAction, user: ConsoleUserListItem) => {
    acting.reset();
    setPending({ action, user });
  };

  const confirmAction = async () => {
    if (!pending) return;
    const { action, user } = pending;
    const done = await acting.run(async (): Promise<true> => {
      if (action === 'reset') {
        setOutcome({ kind: 'password', view: await consoleApi.resetPassword(user.id) });
      } else if (action === 'totp') {
        setEnrolment({ view: await consoleApi.reenrolTotp(user.id), reenrolled: true });
        setOutcome({
          kind: 'done',
          text: `已为 ${user.username} 重新生成身份验证器密钥，请在右侧扫码绑定。`,
        });
      } else if (action === 'unlock') {
        const answer = await consoleApi.unlockUser(user.id);
        setOutcome({
          kind: 'done',
          text: `已解除 ${answer.username} 的登录锁定（${answer.unlockedAddresses} 个地址）。`,
        });
      } else {
        const answer = await (action === 'disable' ? consoleApi.disableUser : consoleApi.enableUser)(user.id);
        setOutcome({ kind: 'done', text: `已${answer.disabled ? '停用' : '启用'} ${answer.username}。` });
      }
      return true;
    });
    if (done) {
      setPending(undefined);
      void users.reload();
    }
  };

  const create = async () => {
    const found = userProblems(form);
    setProblems(found);
    if (found.length > 0) return;
    const answer = await submit.run(() =>
      consoleApi.createUser({ username: form.username.trim(), password: form.password, role: form.role }),
    );
    if (answer) {
      setEnrolment({ view: answer, reenrolled: false });
      setForm({ username: '', password: '', role: 'cashier' });
      void users.reload();
    }
  };

  return (
    <ConsoleShell
      active="users"
      title="用户管理"
      subtitle="收费员与主管账号；登录需密码 + 身份验证器动态码"
      supervisorOnly
    >
      <div className="c-grid-2">
        <div className="c-panel">
          <div className="c-panel-title">新建用户</div>
          <div className="c-form-grid">
            <label className="c-form-label" htmlFor="user-username">
              用户名
            </label>
            <input
              id="user-username"
              className="c-input"
              autoComplete="off"
              placeholder="如 cashier01"
              value={form.username}
              maxLength={32}
              onChange={(e) => setForm((f) => ({ ...f, username: e.target.value }))}
            />
            <label className="c-form-label" htmlFor="user-password">
              初始密码
            </label>
            <input
              id="user-password"
              className="c-input"
              type="password"
              autoComplete="new-password"
              placeholder={`至少 ${PASSWORD_MIN} 位`}
              value={form.password}
              onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))}
            />
            <label className="c-form-label" htmlFor="user-role">
              角色
            </label>
            <select
              id="user-role"
              className="c-select"
              value={form.role}
              onChange={(e) => setForm((f) => ({ ...f, role: e.target.value as ConsoleRole }))}
            >
              <option value="cashier">收费员（查询、对账、处理差异、退款申请）</option>
              <option value="supervisor">主管（另可补单、退款、日结、审计、用户管理）</option>
            </select>
            <span />
            <div>
              {problems.map((p) => (
                <div key={p} className="c-field-error">
                  {p}
                </div>
              ))}
              {submit.error ? <CErrorNotice error={submit.error} id="user-error" /> : null}
              <button
                type="button"
                id="user-create"
                className="c-btn c-btn--primary"
                disabled={submit.busy}
                onClick={() => void create()}
              >
                {submit.busy ? '创建中…' : '创建用户'}
              </button>
            </div>
          </div>
        </div>
        <div className="c-panel" id="user-enrolment-panel">
          <div className="c-panel-title">身份验证器绑定</div>
          {enrolment ? (
            <Enrolment enrolment={enrolment.view} reenrolled={enrolment.reenrolled} />
          ) : (
            <CEmpty title="创建用户后在此显示绑定二维码">
              二维码与密钥只显示一次，请让新用户当场扫码绑定。
            </CEmpty>
          )}
        </div>
      </div>
      <div className="c-panel" style={{ marginTop: 16 }}>
        <div className="c-panel-title">全部用户</div>
        {outcome?.kind === 'password' ? (
          <CNotice tone="warning" id="user-temp-password">
            {outcome.view.username} 的临时密码（<strong>只显示这一次</strong>）：
            <span className="c-secret" id="user-temp-password-value">
              {outcome.view.temporaryPassword}
            </span>
            请当面或通过安全渠道交给本人；登录后须先修改密码。
          </CNotice>
        ) : outcome?.kind === 'done' ? (
          <CNotice tone="success" id="user-action-done">
            {outcome.text}
          </CNotice>
        ) : null}
        <DataState
          state={users.state}
          onRetry={users.reload}
          isEmpty={(list) => list.length === 0}
          empty={<CEmpty title="暂无用户" />}
        >
          {(list) => (
            <table className="c-table" id="users-table">
              <thead>
                <tr>
                  <th>用户名</th>
                  <th>角色</th>
                  <th>状态</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.username} id={`user-row-${u.username}`}>
                    <td className="c-mono">{u.username}</td>
                    <td>
                      <CTag tone={u.role === 'supervisor' ? 'info' : 'muted'}>{ROLE_LABEL[u.role]}</CTag>
                    </td>
                    <td>
                      <UserState user={u} />
                    </td>
                    <td>
                      <div className="c-actions">
                        {actionsFor(u).map((action) => (
                          <button
                            key={action}
                            type="button"
                            id={`user-${action}-${u.username}`}
                            className="c-btn c-btn--small"
                            onClick={() => open(action, u)}
                          >
                            {USER_ACTIONS[action].button}
                          </button>
                        ))}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </DataState>
      </div>
      {pending ? (
        <Dialog
          id="user-action-dialog"
          title={`${USER_ACTIONS[pending.action].title}：${pending.user.username}`}
          confirmText={USER_ACTIONS[pending.action].confirm}
          tone={USER_ACTIONS[pending.action].danger ? 'danger' : 'primary'}
          busy={acting.busy}
          error={acting.error}
          onConfirm={() => void confirmAction()}
          onCancel={() => setPending(undefined)}
        >
          <p id="user-action-dialog-text">{USER_ACTIONS[pending.action].body(pending.user)}</p>
        </Dialog>
      ) : null}
    </ConsoleShell>
  );
}

function UserState({ user }: { user: ConsoleUserListItem }) {
  return (
    <div className="c-actions" id={`user-state-${user.username}`}>
      {user.disabled ? <CTag tone="danger">已停用</CTag> : <CTag tone="success">在用</CTag>}
      {user.mustChangePassword ? <CTag tone="warning">待修改密码</CTag> : null}
      {user.lockedAddresses > 0 ? <CTag tone="danger">{`已锁定 ${user.lockedAddresses} 个地址`}</CTag> : null}
    </div>
  );
}

function Enrolment({ enrolment, reenrolled }: { enrolment: ConsoleEnrolmentView; reenrolled: boolean }) {
  const [svg, setSvg] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    QRCode.toString(enrolment.otpauthUri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(
      (s) => live && setSvg(s),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [enrolment.otpauthUri]);
  return (
    <div id="user-enrolment">
      <CNotice tone="warning">
        {reenrolled ? '已为' : '已创建'} {ROLE_LABEL[enrolment.role]} <strong>{enrolment.username}</strong>
        {reenrolled ? ' 重新生成密钥，原验证器的动态码已作废' : ''}。以下二维码和密钥
        <strong>只显示这一次</strong>
        ，离开本页后无法再查看；请新用户立即用身份验证器（如 Google Authenticator、Microsoft
        Authenticator）扫码。
      </CNotice>
      <div className="c-enrol">
        <div className="c-qr">
          {svg ? (
            <img
              id="user-qr"
              alt={`身份验证器二维码：${enrolment.username}`}
              src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`}
            />
          ) : failed ? (
            <span className="c-muted">二维码生成失败，请手动输入密钥</span>
          ) : (
            <span className="c-muted">生成中…</span>
          )}
        </div>
        <div>
          <div className="c-field">
            手动输入密钥（Base32）
            <span className="c-secret" id="user-secret">
              {groupSecret(enrolment.secret)}
            </span>
          </div>
          <div className="c-sub c-enrol-note">
            账号：{enrolment.username} · 类型：基于时间（TOTP），30 秒，6 位数字
          </div>
        </div>
      </div>
    </div>
  );
}
