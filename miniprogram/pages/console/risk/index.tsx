/**
 * Risk review (issue 13): orders the risk rules held (approve: the patient may pay; reject with a reason: the
 * order is cancelled and its bills released), how often each rule fired, the latest decisions, and — for
 * supervisors — blocking and unblocking a WeChat user.
 */
import { useState } from 'react';
import type { RiskDecisionName, RiskReviewView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { getConsoleSession, isSupervisor } from '../../../services/console/session';
import { formatCst } from '../../../services/console/time';
import { useConsoleData, useLoadMore } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { Fen } from '../../../components/console/Amount';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CErrorNotice, CNotice, CTag, DataState, LoadMore } from '../../../components/console/States';
import { ACTION_LABEL, DECISION_LABEL, ruleLabel } from './labels';

type DecisionFilter = RiskDecisionName | 'ALL';
const FILTERS: { value: DecisionFilter; label: string }[] = [
  { value: 'ALL', label: '全部' },
  { value: 'block', label: DECISION_LABEL.block },
  { value: 'review', label: DECISION_LABEL.review },
  { value: 'step_up', label: DECISION_LABEL.step_up },
  { value: 'allow', label: DECISION_LABEL.allow },
];

const TONE: Record<RiskDecisionName, 'success' | 'warning' | 'danger' | 'info'> = {
  allow: 'success',
  step_up: 'info',
  review: 'warning',
  block: 'danger',
};

function Reviews({ onNotice }: { onNotice: (text: string) => void }) {
  const { state, reload, update } = useConsoleData(() => consoleApi.riskReviews(), []);
  const act = useSubmit();
  const [rejecting, setRejecting] = useState<RiskReviewView>();
  const [reason, setReason] = useState('');

  const remove = (orderId: string) => update((list) => list.filter((r) => r.orderId !== orderId));
  const approve = async (r: RiskReviewView) => {
    const done = await act.run(() => consoleApi.approveRiskReview(r.orderId));
    if (!done) return;
    remove(r.orderId);
    onNotice(`已通过订单 ${r.orderNo} 的审核，患者现在可以支付`);
  };
  const reject = async () => {
    if (!rejecting || reason.trim() === '') return;
    const r = rejecting;
    const done = await act.run(() => consoleApi.rejectRiskReview(r.orderId, reason.trim()));
    if (!done) return;
    remove(r.orderId);
    setRejecting(undefined);
    setReason('');
    onNotice(`已驳回订单 ${r.orderNo}：订单已取消，账单已释放`);
  };

  return (
    <div className="c-panel">
      <div className="c-panel-title">
        待审核订单
        <button type="button" className="c-btn c-btn--small" onClick={() => void reload()}>
          刷新
        </button>
      </div>
      {act.error ? <CErrorNotice error={act.error} id="risk-review-error" /> : null}
      <DataState
        state={state}
        onRetry={reload}
        isEmpty={(list) => list.length === 0}
        empty={<CEmpty title="没有待审核的订单" />}
      >
        {(list) => (
          <table className="c-table" id="risk-reviews">
            <thead>
              <tr>
                <th>下单时间</th>
                <th>订单号</th>
                <th>就诊人</th>
                <th className="c-num">金额</th>
                <th>触发规则</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.orderId} id={`risk-review-${r.orderId}`}>
                  <td className="c-nowrap">{formatCst(r.createdAt)}</td>
                  <td className="c-mono">{r.orderNo}</td>
                  <td>{r.patientNameMasked}</td>
                  <td className="c-num">
                    <Fen fen={r.totalFen} />
                  </td>
                  <td>{r.rules.map(ruleLabel).join('、') || '—'}</td>
                  <td>
                    <div className="c-actions">
                      <button
                        type="button"
                        id={`risk-review-${r.orderId}-approve`}
                        className="c-btn c-btn--small c-btn--primary"
                        disabled={act.busy}
                        onClick={() => void approve(r)}
                      >
                        通过
                      </button>
                      <button
                        type="button"
                        id={`risk-review-${r.orderId}-reject`}
                        className="c-btn c-btn--small"
                        disabled={act.busy}
                        onClick={() => setRejecting(r)}
                      >
                        驳回
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </DataState>
      {rejecting ? (
        <div className="c-form-grid" id="risk-reject-form">
          <label className="c-form-label" htmlFor="risk-reject-reason">
            驳回订单 {rejecting.orderNo} 的原因
          </label>
          <input
            id="risk-reject-reason"
            className="c-input"
            maxLength={500}
            value={reason}
            placeholder="患者会看到订单已取消"
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="c-actions">
            <button
              type="button"
              id="risk-reject-confirm"
              className="c-btn c-btn--danger"
              disabled={act.busy || reason.trim() === ''}
              onClick={() => void reject()}
            >
              确认驳回
            </button>
            <button type="button" className="c-btn" onClick={() => setRejecting(undefined)}>
              取消
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Rules() {
  const { state, reload } = useConsoleData(() => consoleApi.riskRules(), []);
  return (
    <div className="c-panel">
      <div className="c-panel-title">规则命中次数</div>
      <DataState state={state} onRetry={reload}>
        {(rules) => (
          <table className="c-table" id="risk-rules">
            <thead>
              <tr>
                <th>规则</th>
                <th className="c-num">近 24 小时</th>
                <th className="c-num">累计</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.rule} id={`risk-rule-${r.rule}`}>
                  <td>{ruleLabel(r.rule)}</td>
                  <td className="c-num">{r.hitsLastDay}</td>
                  <td className="c-num">{r.hits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </DataState>
    </div>
  );
}

function Blocks({ onNotice }: { onNotice: (text: string) => void }) {
  const { state, reload, update } = useConsoleData(() => consoleApi.riskBlocks(), []);
  const act = useSubmit();
  const [openid, setOpenid] = useState('');
  const [reason, setReason] = useState('');

  const block = async () => {
    const done = await act.run(() => consoleApi.blockRiskUser(openid.trim(), reason.trim()));
    if (!done) return;
    update((list) => [done, ...list.filter((b) => b.openid !== done.openid)]);
    setOpenid('');
    setReason('');
    onNotice('已封禁该微信用户：其下单与支付将被拒绝');
  };
  const unblock = async (id: string) => {
    const done = await act.run(async () => {
      await consoleApi.unblockRiskUser(id);
      return true;
    });
    if (!done) return;
    update((list) => list.filter((b) => b.openid !== id));
    onNotice('已解除封禁');
  };

  return (
    <div className="c-panel">
      <div className="c-panel-title">封禁的微信用户</div>
      {act.error ? <CErrorNotice error={act.error} id="risk-block-error" /> : null}
      <div className="c-form-grid">
        <label className="c-form-label" htmlFor="risk-block-openid">
          微信用户标识
        </label>
        <input
          id="risk-block-openid"
          className="c-input"
          maxLength={28}
          value={openid}
          placeholder="从下方决定记录中复制"
          onChange={(e) => setOpenid(e.target.value)}
        />
        <label className="c-form-label" htmlFor="risk-block-reason">
          原因
        </label>
        <input
          id="risk-block-reason"
          className="c-input"
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          id="risk-block-submit"
          className="c-btn c-btn--danger"
          disabled={act.busy || openid.trim() === '' || reason.trim() === ''}
          onClick={() => void block()}
        >
          封禁
        </button>
      </div>
      <DataState
        state={state}
        onRetry={reload}
        isEmpty={(list) => list.length === 0}
        empty={<CEmpty title="没有被封禁的用户" />}
      >
        {(list) => (
          <table className="c-table" id="risk-blocks">
            <thead>
              <tr>
                <th>微信用户</th>
                <th>原因</th>
                <th>封禁人</th>
                <th>时间</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.openid} id={`risk-block-${b.openid}`}>
                  <td className="c-mono">{b.openid}</td>
                  <td>{b.reason}</td>
                  <td>{b.blockedBy}</td>
                  <td className="c-nowrap">{formatCst(b.at)}</td>
                  <td>
                    <button
                      type="button"
                      id={`risk-unblock-${b.openid}`}
                      className="c-btn c-btn--small"
                      disabled={act.busy}
                      onClick={() => void unblock(b.openid)}
                    >
                      解除封禁
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </DataState>
    </div>
  );
}

function Events() {
  const [filter, setFilter] = useState<DecisionFilter>('ALL');
  const query = { decision: filter === 'ALL' ? undefined : filter };
  const { state, reload, update } = useConsoleData(() => consoleApi.riskEvents(query), [filter]);
  const more = useLoadMore(update, (cursor) => consoleApi.riskEvents({ ...query, cursor }));
  return (
    <div className="c-panel">
      <div className="c-panel-title">最近的决定</div>
      <div className="c-toolbar">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            id={`risk-events-filter-${f.value}`}
            className={`c-btn${filter === f.value ? ' c-btn--primary' : ''}`}
            onClick={() => setFilter(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>
      <DataState
        state={state}
        onRetry={reload}
        isEmpty={(page) => page.items.length === 0}
        empty={<CEmpty title="没有记录" />}
      >
        {(page) => (
          <>
            <table className="c-table" id="risk-events">
              <thead>
                <tr>
                  <th>时间</th>
                  <th>环节</th>
                  <th>决定</th>
                  <th>触发规则</th>
                  <th>微信用户</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((e) => (
                  <tr key={e.id} id={`risk-event-${e.id}`}>
                    <td className="c-nowrap">{formatCst(e.at)}</td>
                    <td>{ACTION_LABEL[e.action]}</td>
                    <td>
                      <CTag tone={TONE[e.decision]}>{DECISION_LABEL[e.decision]}</CTag>
                    </td>
                    <td>{e.rules.map(ruleLabel).join('、') || '—'}</td>
                    <td className="c-mono">{e.openid ?? e.cashier ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <LoadMore id="risk-events-more" cursor={page.nextCursor} {...more} />
          </>
        )}
      </DataState>
    </div>
  );
}

export default function ConsoleRisk() {
  const supervisor = isSupervisor(getConsoleSession());
  const [notice, setNotice] = useState<string>();
  return (
    <ConsoleShell
      active="risk"
      title="风险审核"
      subtitle="风控规则拦下或挂起的操作：审核订单、查看规则命中与决定记录"
    >
      {notice ? (
        <CNotice tone="success" id="risk-notice">
          {notice}
        </CNotice>
      ) : null}
      <Reviews onNotice={setNotice} />
      <div className="c-grid-2">
        <Rules />
        {supervisor ? <Blocks onNotice={setNotice} /> : null}
      </div>
      <Events />
    </ConsoleShell>
  );
}
