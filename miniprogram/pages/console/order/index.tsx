/**
 * One order for the cashier: the split, what is left to refund, the patients' refund requests, the refund form
 * (only when the server allows a refund; the split is confirmed in a dialog first), refunds, the event history,
 * the outbox attempts (HIS confirm, releases, refund legs) and the ledger postings.
 */
import type { RefundView } from '../../../../shared/api';
import { consoleApi, type ConsoleOrderDetailView } from '../../../services/console/api';
import {
  eventReasonLabel,
  LEDGER_ACCOUNT,
  LEDGER_KIND,
  legKindLabel,
  OUTBOX_STATUS,
  outboxKindLabel,
  refundStatus,
} from '../../../services/console/labels';
import { consoleBack } from '../../../services/console/routes';
import { formatCst } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import { MIX_PAY_TYPE, orderStatusLabel, orderStatusTone } from '../../../services/labels';
import { usePageParams } from '../../../services/params';
import { mixPayTypeOf } from '../../../../shared/money';
import { Fen } from '../../../components/console/Amount';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CTag, DataState } from '../../../components/console/States';
import { RefundPanel } from './RefundPanel';
import { RequestsPanel } from './RequestsPanel';
import { ApprovalPanel } from './ApprovalPanel';

const ACTOR: Record<string, string> = {
  patient: '患者',
  system: '系统',
  janitor: '系统巡检',
  outbox: '后台任务',
  'wechatpay-callback': '微信支付回调',
  cashier: '收费员',
};

export default function ConsoleOrder() {
  const params = usePageParams();
  const orderId = params.orderId ?? '';
  const { state, reload } = useConsoleData(() => consoleApi.order(orderId), [orderId]);
  const order = state.status === 'ready' ? state.data : undefined;

  return (
    <ConsoleShell
      active="orders"
      title={
        <>
          订单详情
          {order ? <span className="c-mono">{order.orderNo}</span> : null}
          {order ? (
            <CTag tone={orderStatusTone(order.status)} id="c-order-status">
              {orderStatusLabel(order.status)}
            </CTag>
          ) : null}
        </>
      }
      subtitle={
        <button type="button" className="c-link" id="c-back" onClick={() => consoleBack('orders')}>
          ← 返回订单列表
        </button>
      }
      actions={
        <button type="button" className="c-btn" onClick={() => void reload()}>
          刷新
        </button>
      }
    >
      <DataState state={state} onRetry={reload}>
        {(o) => <OrderDetail order={o} onChanged={reload} />}
      </DataState>
    </ConsoleShell>
  );
}

function OrderDetail({
  order,
  onChanged,
}: {
  order: ConsoleOrderDetailView;
  onChanged: () => Promise<void>;
}) {
  const remaining = Math.max(0, order.split.total - order.refunded);
  return (
    <>
      <div className="c-panel">
        <div className="c-kpis" id="c-order-amounts">
          <Kpi label="总额" fen={order.split.total} />
          <Kpi label="医保统筹" fen={order.split.fund} />
          <Kpi label="个人账户" fen={order.split.account} />
          <Kpi label="自费（微信）" fen={order.split.cash} />
          <Kpi label="已退款" fen={order.refunded} />
          <Kpi label="可退金额" fen={remaining} id="c-order-remaining" />
        </div>
      </div>

      <div className="c-grid-2">
        <div className="c-panel">
          <div className="c-panel-title">订单信息</div>
          <dl className="c-dl">
            <dt>订单号</dt>
            <dd className="c-mono">{order.orderNo}</dd>
            <dt>患者</dt>
            <dd>
              {order.patientName || '—'} <span className="c-muted c-gap-left">{order.idNoMasked}</span>
            </dd>
            <dt>账单号</dt>
            <dd className="c-mono">{order.billNos.join('、')}</dd>
            <dt>支付方式</dt>
            <dd>{MIX_PAY_TYPE[safeMixPayType(order)]}</dd>
            <dt>下单时间</dt>
            <dd>{formatCst(order.createdAt)}</dd>
            <dt>支付时间</dt>
            <dd>{formatCst(order.paidAt)}</dd>
            <dt>电子票据号</dt>
            <dd className="c-mono">{order.receiptNo ?? '—'}</dd>
            <dt>微信支付单号</dt>
            <dd className="c-mono">{order.transactionId ?? '—'}</dd>
            <dt>医保混合单号</dt>
            <dd className="c-mono">{order.mixTradeNo ?? '—'}</dd>
            {order.lastError ? (
              <>
                <dt>最近错误</dt>
                <dd className="c-diff">{order.lastError}</dd>
              </>
            ) : null}
          </dl>
        </div>
        <RefundPanel order={order} remaining={remaining} onChanged={onChanged} />
      </div>

      <div className="c-stack c-stack--after">
        <ApprovalPanel order={order} onChanged={onChanged} />
        <RequestsPanel order={order} onChanged={onChanged} />
        <RefundsPanel refunds={order.refunds} />
        <EventsPanel order={order} />
        <OutboxPanel order={order} />
        <LedgerPanel order={order} />
      </div>
    </>
  );
}

function safeMixPayType(order: ConsoleOrderDetailView) {
  try {
    return mixPayTypeOf(order.split);
  } catch {
    return 'CASH_ONLY';
  }
}

function Kpi({ label, fen, id }: { label: string; fen: number; id?: string }) {
  return (
    <div className="c-kpi" id={id}>
      <span className="c-kpi-label">{label}</span>
      <span className="c-kpi-value">
        <Fen fen={fen} />
      </span>
    </div>
  );
}

function RefundsPanel({ refunds }: { refunds: RefundView[] | undefined }) {
  if (!refunds) return null;
  return (
    <div className="c-panel" id="c-order-refunds">
      <div className="c-panel-title">退款记录</div>
      {refunds.length === 0 ? (
        <CEmpty title="暂无退款" />
      ) : (
        <div className="c-table-wrap">
          <table className="c-table">
            <thead>
              <tr>
                <th>时间</th>
                <th>退款单号</th>
                <th>状态</th>
                <th>原因</th>
                <th className="c-num">合计</th>
                <th className="c-num">统筹</th>
                <th className="c-num">个账</th>
                <th className="c-num">自费</th>
                <th>各方</th>
              </tr>
            </thead>
            <tbody>
              {refunds.map((r) => (
                <tr key={r.id}>
                  <td className="c-nowrap">{formatCst(r.createdAt)}</td>
                  <td className="c-mono">{r.refundNo}</td>
                  <td>
                    <CTag tone={refundStatus(r.status).tone}>{refundStatus(r.status).label}</CTag>
                  </td>
                  <td>{r.reason}</td>
                  <td className="c-num">
                    <Fen fen={r.split.total} />
                  </td>
                  <td className="c-num">
                    <Fen fen={r.split.fund} />
                  </td>
                  <td className="c-num">
                    <Fen fen={r.split.account} />
                  </td>
                  <td className="c-num">
                    <Fen fen={r.split.cash} />
                  </td>
                  <td>
                    {r.legs.map((l) => (
                      <span key={l.kind} className="c-sub">
                        {legKindLabel(l.kind)} · {refundStatus(l.status).label}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function EventsPanel({ order }: { order: ConsoleOrderDetailView }) {
  return (
    <div className="c-panel" id="c-order-events">
      <div className="c-panel-title">状态记录</div>
      {order.events.length === 0 ? (
        <CEmpty title="暂无状态记录" />
      ) : (
        <table className="c-table">
          <thead>
            <tr>
              <th>时间</th>
              <th>原状态</th>
              <th>新状态</th>
              <th>操作方</th>
              <th>说明</th>
            </tr>
          </thead>
          <tbody>
            {order.events.map((e, i) => (
              <tr key={`${e.at}-${i}`}>
                <td className="c-nowrap">{formatCst(e.at)}</td>
                <td>{e.from ? orderStatusLabel(e.from) : '—'}</td>
                <td>
                  <CTag tone={orderStatusTone(e.to)}>{orderStatusLabel(e.to)}</CTag>
                </td>
                <td className="c-nowrap">{ACTOR[e.actor] ?? e.actor}</td>
                <td>{eventReasonLabel(e.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function OutboxPanel({ order }: { order: ConsoleOrderDetailView }) {
  return (
    <div className="c-panel" id="c-order-outbox">
      <div className="c-panel-title">
        外部调用 <span className="c-muted">HIS 确认、释放、退款各方</span>
      </div>
      {order.outbox.length === 0 ? (
        <CEmpty title="暂无外部调用" />
      ) : (
        <table className="c-table">
          <thead>
            <tr>
              <th>类型</th>
              <th>状态</th>
              <th className="c-num">尝试次数</th>
              <th>下次尝试</th>
              <th>最后错误</th>
            </tr>
          </thead>
          <tbody>
            {order.outbox.map((o, i) => {
              const s = OUTBOX_STATUS[o.status] ?? { label: o.status, tone: 'muted' as const };
              return (
                <tr key={`${o.kind}-${i}`}>
                  <td className="c-nowrap">{outboxKindLabel(o.kind)}</td>
                  <td>
                    <CTag tone={s.tone}>{s.label}</CTag>
                  </td>
                  <td className="c-num">{o.attempts}</td>
                  <td className="c-nowrap">{formatCst(o.nextAttemptAt)}</td>
                  <td className={o.lastError ? 'c-diff' : 'c-muted'}>{o.lastError ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function LedgerPanel({ order }: { order: ConsoleOrderDetailView }) {
  const debit = order.ledger.filter((l) => l.direction === 'D').reduce((s, l) => s + l.amount, 0);
  const credit = order.ledger.filter((l) => l.direction === 'C').reduce((s, l) => s + l.amount, 0);
  return (
    <div className="c-panel" id="c-order-ledger">
      <div className="c-panel-title">
        账务分录{' '}
        {order.ledger.length > 0 ? (
          <span className={debit === credit ? 'c-muted' : 'c-diff'}>
            借方 <Fen fen={debit} /> · 贷方 <Fen fen={credit} />{' '}
            {debit === credit ? '· 借贷平衡' : '· 借贷不平'}
          </span>
        ) : null}
      </div>
      {order.ledger.length === 0 ? (
        <CEmpty title="暂无账务分录" />
      ) : (
        <table className="c-table">
          <thead>
            <tr>
              <th>时间</th>
              <th>凭证</th>
              <th>业务</th>
              <th>科目</th>
              <th className="c-num">借方</th>
              <th className="c-num">贷方</th>
            </tr>
          </thead>
          <tbody>
            {order.ledger.map((l, i) => (
              <tr key={`${l.postingId}-${i}`}>
                <td className="c-nowrap">{formatCst(l.at)}</td>
                <td className="c-mono">{l.postingId.slice(0, 8)}</td>
                <td>{LEDGER_KIND[l.kind] ?? l.kind}</td>
                <td>{LEDGER_ACCOUNT[l.account] ?? l.account}</td>
                <td className="c-num">{l.direction === 'D' ? <Fen fen={l.amount} /> : null}</td>
                <td className="c-num">{l.direction === 'C' ? <Fen fen={l.amount} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
