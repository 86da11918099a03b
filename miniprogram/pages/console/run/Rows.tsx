/**
 * The discrepancy list of a run: each row with what ours / WeChat Pay / insurance / HIS say, the server's note,
 * and the actions the server offers for it (`row.actions`). Supervisor-only actions are disabled with a hint for
 * a cashier; a closed day shows no actions at all.
 */
import type { ReconRowAction, ReconRowView, ReconSideView } from '../../../../shared/api';
import { formatFen } from '../../../../shared/money';
import { RECON_ACTION, RECON_KIND, RECORD_LABEL, recordStatusLabel } from '../../../services/console/labels';
import { openConsolePage } from '../../../services/console/routes';
import { formatCst } from '../../../services/console/time';
import { Fen } from '../../../components/console/Amount';
import { CTag } from '../../../components/console/States';

type Source = 'wechat' | 'insurance' | 'his';

/** What a source should show for the row when it agrees with ours: WeChat the cash, insurance fund + account. */
export function expectedFor(source: Source, ours: ReconSideView | undefined): number | undefined {
  if (!ours) return undefined;
  if (source === 'wechat') return ours.cash;
  if (source === 'insurance') return ours.fund + ours.account;
  return ours.total;
}

function splitText(side: ReconSideView): string {
  return `合计 ${formatFen(side.total)}\n统筹 ${formatFen(side.fund)}\n个账 ${formatFen(side.account)}\n自费 ${formatFen(side.cash)}${side.ref ? `\n单号 ${side.ref}` : ''}${side.at ? `\n时间 ${formatCst(side.at)}` : ''}`;
}

function SideCell({
  side,
  expected,
  discrepancy,
  id,
}: {
  side: ReconSideView | undefined;
  expected?: number;
  /** the row is a real discrepancy: only then is a differing amount red */
  discrepancy: boolean;
  id: string;
}) {
  if (!side)
    return (
      <td className="c-num" id={id}>
        <span className="c-muted">无记录</span>
      </td>
    );
  const differs = discrepancy && expected !== undefined && side.total !== expected;
  return (
    <td className="c-num" id={id} title={splitText(side)}>
      <Fen fen={side.total} plain className={differs ? 'c-diff' : undefined} />
      {side.fund + side.account !== 0 && side.cash !== 0 ? (
        <>
          <span className="c-sub">医保 {formatFen(side.fund + side.account)}</span>
          <span className="c-sub">自费 {formatFen(side.cash)}</span>
        </>
      ) : null}
      {side.ref ? <span className="c-sub c-mono c-ref">{side.ref}</span> : null}
    </td>
  );
}

interface RowsTableProps {
  rows: ReconRowView[];
  supervisor: boolean;
  /** the day is closed (日结): no actions */
  closed: boolean;
  onAction: (row: ReconRowView, action: ReconRowAction) => void;
}

export function RowsTable({ rows, supervisor, closed, onAction }: RowsTableProps) {
  return (
    <div className="c-table-wrap">
      <table className="c-table c-table--rows" id="run-rows">
        <thead>
          <tr>
            <th>类型</th>
            <th>订单号</th>
            <th className="c-num">本院</th>
            <th className="c-num">微信支付</th>
            <th className="c-num">医保</th>
            <th className="c-num">HIS</th>
            <th className="c-col-note">说明</th>
            <th className="c-col-actions">处理</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const kind = RECON_KIND[row.kind];
            return (
              <tr
                key={row.id}
                id={`row-${row.id}`}
                className={row.resolution ? 'c-row--resolved' : undefined}
              >
                <td className="c-nowrap">
                  <CTag tone={kind.tone}>{kind.label}</CTag>
                  <span className="c-sub">{RECORD_LABEL[row.record]}</span>
                </td>
                <td className="c-col-order">
                  {row.orderId ? (
                    <button
                      type="button"
                      className="c-link c-mono"
                      onClick={() => openConsolePage('order', { orderId: row.orderId })}
                    >
                      {row.orderNo}
                    </button>
                  ) : (
                    <span className="c-mono">{row.orderNo}</span>
                  )}
                  {row.refundNo ? (
                    <>
                      <span className="c-sub">退款单</span>
                      <span className="c-sub c-mono">{row.refundNo}</span>
                    </>
                  ) : null}
                </td>
                {row.ours ? (
                  <td
                    className="c-num"
                    id={`row-${row.id}-ours`}
                    title={splitText({ ...row.ours, ref: undefined })}
                  >
                    <Fen fen={row.ours.total} plain />
                    <span className="c-sub">{recordStatusLabel(row.record, row.ours.status)}</span>
                  </td>
                ) : (
                  <td className="c-num" id={`row-${row.id}-ours`}>
                    <span className="c-muted">无记录</span>
                  </td>
                )}
                <SideCell
                  side={row.wechat}
                  expected={expectedFor('wechat', row.ours)}
                  discrepancy={kind.discrepancy}
                  id={`row-${row.id}-wechat`}
                />
                <SideCell
                  side={row.insurance}
                  expected={expectedFor('insurance', row.ours)}
                  discrepancy={kind.discrepancy}
                  id={`row-${row.id}-insurance`}
                />
                <SideCell
                  side={row.his}
                  expected={expectedFor('his', row.ours)}
                  discrepancy={kind.discrepancy}
                  id={`row-${row.id}-his`}
                />
                <td id={`row-${row.id}-note`}>{row.note}</td>
                <td id={`row-${row.id}-actions`}>
                  {row.resolution ? (
                    <div className="c-resolution" id={`row-${row.id}-resolution`}>
                      <CTag tone="success">已处理</CTag>
                      <span className="c-sub">
                        {RECON_ACTION[row.resolution.action]?.label ?? row.resolution.action} ·{' '}
                        {row.resolution.by} ·{' '}
                        <span className="c-nowrap">{formatCst(row.resolution.at, false)}</span>
                      </span>
                      <span className="c-sub">{row.resolution.reason}</span>
                    </div>
                  ) : null}
                  {!closed && row.actions.length > 0 ? (
                    <RowActions row={row} supervisor={supervisor} onAction={onAction} />
                  ) : null}
                  {!row.resolution && (closed || row.actions.length === 0) ? (
                    <span className="c-muted">
                      {closed ? '已日结' : row.kind === 'MATCHED' ? '—' : '无可用操作'}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RowActions({
  row,
  supervisor,
  onAction,
}: {
  row: ReconRowView;
  supervisor: boolean;
  onAction: (row: ReconRowView, action: ReconRowAction) => void;
}) {
  const needsSupervisor = row.actions.some((a) => RECON_ACTION[a].supervisorOnly) && !supervisor;
  return (
    <>
      <div className="c-actions">
        {row.actions.map((action) => {
          const meta = RECON_ACTION[action];
          const blocked = meta.supervisorOnly && !supervisor;
          return (
            <button
              key={action}
              type="button"
              id={`row-${row.id}-${action}`}
              className={`c-btn c-btn--small${action === 'resolve' ? ' c-btn--primary' : ''}`}
              disabled={blocked}
              title={blocked ? '仅主管可操作' : undefined}
              onClick={() => onAction(row, action)}
            >
              {meta.label}
            </button>
          );
        })}
      </div>
      {needsSupervisor ? <span className="c-sub">补单、退款仅主管可操作</span> : null}
    </>
  );
}
