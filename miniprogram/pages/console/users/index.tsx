/**
 * Console users (supervisor): the list, and a form to create a cashier or supervisor. The answer carries the
 * TOTP enrolment once: shown as a QR code (qrcode → SVG) and as the base32 secret to type by hand.
 */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { ConsoleEnrolmentView, ConsoleRole } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { ROLE_LABEL } from '../../../services/console/labels';
import { useConsoleData } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { ConsoleShell } from '../../../components/console/Shell';
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

export default function ConsoleUsers() {
  const users = useConsoleData(() => consoleApi.users());
  const [form, setForm] = useState<{ username: string; password: string; role: ConsoleRole }>({
    username: '',
    password: '',
    role: 'cashier',
  });
  const [problems, setProblems] = useState<string[]>([]);
  const [enrolment, setEnrolment] = useState<ConsoleEnrolmentView>();
  const submit = useSubmit();

  const create = async () => {
    const found = userProblems(form);
    setProblems(found);
    if (found.length > 0) return;
    const answer = await submit.run(() =>
      consoleApi.createUser({ username: form.username.trim(), password: form.password, role: form.role }),
    );
    if (answer) {
      setEnrolment(answer);
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
            <Enrolment enrolment={enrolment} />
          ) : (
            <CEmpty title="创建用户后在此显示绑定二维码">
              二维码与密钥只显示一次，请让新用户当场扫码绑定。
            </CEmpty>
          )}
        </div>
      </div>
      <div className="c-panel" style={{ marginTop: 16 }}>
        <div className="c-panel-title">全部用户</div>
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
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.username}>
                    <td className="c-mono">{u.username}</td>
                    <td>
                      <CTag tone={u.role === 'supervisor' ? 'info' : 'muted'}>{ROLE_LABEL[u.role]}</CTag>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </DataState>
      </div>
    </ConsoleShell>
  );
}

function Enrolment({ enrolment }: { enrolment: ConsoleEnrolmentView }) {
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
        已创建 {ROLE_LABEL[enrolment.role]} <strong>{enrolment.username}</strong>。以下二维码和密钥
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
