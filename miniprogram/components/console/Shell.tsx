/**
 * The console's frame on a desktop: a left navigation (pages the role may open), the signed-in user with a
 * logout, and the page's title bar with its actions. Without a session it sends the browser to the login.
 */
import { useEffect, type ReactNode } from 'react';
import { consoleApi, sendToConsoleLogin } from '../../services/console/api';
import { ROLE_LABEL } from '../../services/console/labels';
import { consoleHref, switchConsolePage, type ConsolePage } from '../../services/console/routes';
import { getConsoleSession, setConsoleSession, type ConsoleSession } from '../../services/console/session';
import { CNotice } from './States';
import './console.css';

const NAV: { page: ConsolePage; label: string; supervisorOnly?: boolean }[] = [
  { page: 'orders', label: '订单查询' },
  { page: 'recon', label: '对账与日结' },
  { page: 'requests', label: '退款申请' },
  { page: 'risk', label: '风险审核' },
  { page: 'audit', label: '审计日志', supervisorOnly: true },
  { page: 'users', label: '用户管理', supervisorOnly: true },
  { page: 'ops', label: '运行监控', supervisorOnly: true },
];

interface Props {
  active: ConsolePage;
  title: ReactNode;
  /** under the title: a back link, the date, tags */
  subtitle?: ReactNode;
  actions?: ReactNode;
  /** the page is for supervisors: a cashier sees a notice instead of its content */
  supervisorOnly?: boolean;
  children: ReactNode;
}

export function ConsoleShell({ active, title, subtitle, actions, supervisorOnly, children }: Props) {
  const session = getConsoleSession();
  useEffect(() => {
    if (!session) sendToConsoleLogin();
  }, []);
  if (!session) return <div className="console console--blank" />;
  const forbidden = supervisorOnly && session.role !== 'supervisor';
  return (
    <div className="console">
      <ConsoleNav active={active} session={session} />
      <main className="c-main">
        <header className="c-header">
          <div className="c-header-text">
            <h1 className="c-title" id="c-title">
              {title}
            </h1>
            {subtitle ? <div className="c-subtitle">{subtitle}</div> : null}
          </div>
          {actions && !forbidden ? <div className="c-header-actions">{actions}</div> : null}
        </header>
        {forbidden ? (
          <CNotice tone="warning" id="c-forbidden">
            此页面仅主管可用。当前账号：{session.username}（{ROLE_LABEL[session.role]}）。
          </CNotice>
        ) : (
          children
        )}
      </main>
    </div>
  );
}

function ConsoleNav({ active, session }: { active: ConsolePage; session: ConsoleSession }) {
  const logout = async () => {
    try {
      await consoleApi.logout();
    } catch {
      // the session is forgotten here either way; the server's expires on its own
    }
    setConsoleSession(undefined);
    switchConsolePage('login');
  };
  return (
    <nav className="c-nav" aria-label="控制台导航">
      <div className="c-brand">
        <span className="c-brand-mark">医</span>
        <span>
          <span className="c-brand-name">医保脱卡支付</span>
          <span className="c-brand-sub">收费管理后台</span>
        </span>
      </div>
      <div className="c-nav-items">
        {NAV.filter((item) => !item.supervisorOnly || session.role === 'supervisor').map((item) => (
          <a
            key={item.page}
            id={`c-nav-${item.page}`}
            href={consoleHref(item.page)}
            className={`c-nav-item${item.page === active ? ' c-nav-item--active' : ''}`}
            aria-current={item.page === active ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              switchConsolePage(item.page);
            }}
          >
            {item.label}
          </a>
        ))}
      </div>
      <div className="c-nav-foot">
        <div className="c-user" id="c-user">
          <span className="c-user-name">{session.username}</span>
          <span className="c-user-role">{ROLE_LABEL[session.role]}</span>
        </div>
        <button type="button" className="c-nav-logout" id="c-logout" onClick={logout}>
          退出登录
        </button>
      </div>
    </nav>
  );
}
