/**
 * Orders of a China-time day, newest first, paged with the server's X-Next-Cursor. Date and status go to the
 * server; amount range and patient / order number filter the loaded rows here. A row opens the order.
 */
import { useMemo, useState } from 'react';
import type { ConsoleOrderSummary, OrderStatusName } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { parseYuanInput } from '../../../services/amount';
import { openConsolePage } from '../../../services/console/routes';
import { cstDate, formatCst, isDate } from '../../../services/console/time';
import { useConsoleData, useLoadMore } from '../../../services/console/useData';
import { ORDER_STATUS, orderStatusLabel, orderStatusTone } from '../../../services/labels';
import { Fen } from '../../../components/console/Amount';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CTag, DataState, LoadMore } from '../../../components/console/States';

// from the labels (not shared/api's list): the console bundle takes types only from shared/api, never zod
const STATUSES = Object.keys(ORDER_STATUS) as OrderStatusName[];

interface Query {
  date: string;
  status: OrderStatusName | '';
}

interface LocalFilter {
  minYuan: string;
  maxYuan: string;
  text: string;
}

/** The client-side filter: amount range (yuan → fen exactly) and patient name / ID / order or bill number. */
export function filterOrders(
  orders: readonly ConsoleOrderSummary[],
  f: LocalFilter,
): { rows: ConsoleOrderSummary[]; problem?: string } {
  const min = parseYuanInput(f.minYuan);
  const max = parseYuanInput(f.maxYuan);
  if (!min.ok) return { rows: [...orders], problem: `最低金额：${min.error}` };
  if (!max.ok) return { rows: [...orders], problem: `最高金额：${max.error}` };
  const needle = f.text.trim().toLowerCase();
  const rows = orders.filter(
    (o) =>
      (min.amountFen === undefined || o.split.total >= min.amountFen) &&
      (max.amountFen === undefined || o.split.total <= max.amountFen) &&
      (!needle ||
        [o.patientName, o.idNoMasked, o.orderNo, o.receiptNo ?? '', ...o.billNos].some((v) =>
          v.toLowerCase().includes(needle),
        )),
  );
  return { rows };
}

export default function ConsoleOrders() {
  const [draft, setDraft] = useState<Query>(() => ({ date: cstDate(Date.now()), status: '' }));
  const [query, setQuery] = useState<Query>(draft);
  const [local, setLocal] = useState<LocalFilter>({ minYuan: '', maxYuan: '', text: '' });

  const { state, reload, update } = useConsoleData(
    () => consoleApi.orders({ date: query.date, status: query.status || undefined }),
    [query.date, query.status],
  );
  const more = useLoadMore(update, (cursor) =>
    consoleApi.orders({ date: query.date, status: query.status || undefined, cursor }),
  );

  const search = () => {
    if (!isDate(draft.date)) return;
    if (draft.date === query.date && draft.status === query.status) void reload();
    else setQuery(draft);
  };

  const loaded = state.status === 'ready' ? state.data.items : [];
  const filtered = useMemo(() => filterOrders(loaded, local), [loaded, local]);

  return (
    <ConsoleShell active="orders" title="订单查询" subtitle="按下单日（北京时间）查询；患者信息已脱敏">
      <div className="c-panel">
        <div className="c-toolbar">
          <label className="c-field">
            日期
            <input
              id="orders-date"
              type="date"
              className="c-input"
              value={draft.date}
              onChange={(e) => setDraft((d) => ({ ...d, date: e.target.value }))}
            />
          </label>
          <label className="c-field">
            状态
            <select
              id="orders-status"
              className="c-select"
              value={draft.status}
              onChange={(e) => setDraft((d) => ({ ...d, status: e.target.value as Query['status'] }))}
            >
              <option value="">全部状态</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {orderStatusLabel(s)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" id="orders-search" className="c-btn c-btn--primary" onClick={search}>
            查询
          </button>
          <span className="c-toolbar-end">
            <label className="c-field">
              金额（元）从
              <input
                id="orders-min"
                className="c-input c-input--amount"
                inputMode="decimal"
                placeholder="0.00"
                value={local.minYuan}
                onChange={(e) => setLocal((l) => ({ ...l, minYuan: e.target.value }))}
              />
            </label>
            <label className="c-field">
              到
              <input
                id="orders-max"
                className="c-input c-input--amount"
                inputMode="decimal"
                placeholder="不限"
                value={local.maxYuan}
                onChange={(e) => setLocal((l) => ({ ...l, maxYuan: e.target.value }))}
              />
            </label>
            <label className="c-field">
              患者 / 单号
              <input
                id="orders-text"
                className="c-input c-input--search"
                placeholder="姓名、证件号或单号"
                value={local.text}
                onChange={(e) => setLocal((l) => ({ ...l, text: e.target.value }))}
              />
            </label>
          </span>
        </div>
        {!isDate(draft.date) ? <div className="c-field-error">请选择日期</div> : null}
        {filtered.problem ? <div className="c-field-error">{filtered.problem}</div> : null}
      </div>

      <div className="c-panel">
        <DataState
          state={state}
          onRetry={reload}
          isEmpty={(page) => page.items.length === 0}
          empty={
            <CEmpty title={`${query.date} 没有${query.status ? orderStatusLabel(query.status) : ''}订单`} />
          }
        >
          {(page) => (
            <>
              <div className="c-panel-title">
                {query.date} 的订单
                <span className="c-muted">
                  已加载 {page.items.length} 笔{page.nextCursor ? '（还有更多）' : ''}
                  {filtered.rows.length !== page.items.length ? `，筛选后 ${filtered.rows.length} 笔` : ''}
                </span>
              </div>
              <OrdersTable rows={filtered.rows} />
              {filtered.rows.length === 0 ? <CEmpty title="没有符合筛选条件的订单" /> : null}
              <LoadMore id="orders-more" cursor={page.nextCursor} {...more} />
            </>
          )}
        </DataState>
      </div>
    </ConsoleShell>
  );
}

function OrdersTable({ rows }: { rows: ConsoleOrderSummary[] }) {
  const sum = rows.reduce(
    (s, o) => ({
      total: s.total + o.split.total,
      fund: s.fund + o.split.fund,
      account: s.account + o.split.account,
      cash: s.cash + o.split.cash,
      refunded: s.refunded + o.refunded,
    }),
    { total: 0, fund: 0, account: 0, cash: 0, refunded: 0 },
  );
  return (
    <div className="c-table-wrap">
      <table className="c-table" id="orders-table">
        <thead>
          <tr>
            <th>下单时间</th>
            <th>订单号</th>
            <th>患者</th>
            <th>账单号</th>
            <th>状态</th>
            <th className="c-num">总额</th>
            <th className="c-num">统筹</th>
            <th className="c-num">个账</th>
            <th className="c-num">自费</th>
            <th className="c-num">已退款</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr
              key={o.id}
              id={`c-order-${o.id}`}
              className="c-clickable"
              onClick={() => openConsolePage('order', { orderId: o.id })}
            >
              <td className="c-nowrap">
                {formatCst(o.createdAt)}
                {o.paidAt ? <span className="c-sub">付 {formatCst(o.paidAt)}</span> : null}
              </td>
              <td>
                <span className="c-mono">{o.orderNo}</span>
                {o.receiptNo ? <span className="c-sub">票据 {o.receiptNo}</span> : null}
              </td>
              <td className="c-nowrap">
                {o.patientName || '—'}
                <span className="c-sub">{o.idNoMasked}</span>
              </td>
              <td className="c-mono">{o.billNos.join('、')}</td>
              <td>
                <CTag tone={orderStatusTone(o.status)}>{orderStatusLabel(o.status)}</CTag>
              </td>
              <td className="c-num">
                <Fen fen={o.split.total} className="c-amount--strong" />
              </td>
              <td className="c-num">
                <Fen fen={o.split.fund} />
              </td>
              <td className="c-num">
                <Fen fen={o.split.account} />
              </td>
              <td className="c-num">
                <Fen fen={o.split.cash} />
              </td>
              <td className="c-num">
                {o.refunded > 0 ? <Fen fen={o.refunded} /> : <span className="c-muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
        {rows.length > 1 ? (
          <tfoot>
            <tr>
              <td colSpan={5}>合计（{rows.length} 笔）</td>
              <td className="c-num">
                <Fen fen={sum.total} />
              </td>
              <td className="c-num">
                <Fen fen={sum.fund} />
              </td>
              <td className="c-num">
                <Fen fen={sum.account} />
              </td>
              <td className="c-num">
                <Fen fen={sum.cash} />
              </td>
              <td className="c-num">
                <Fen fen={sum.refunded} />
              </td>
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}
