/**
 * The day's totals per channel (rows) as each source saw them (columns): our records, WeChat Pay's trade bill,
 * the insurance platform (3202), the HIS. A cell that differs from ours in the same channel is marked with the
 * difference. Net = paid − refunded; the HIS's channels are compared on what was charged, since the HIS records
 * a refund as one total.
 */
import type { ReconChannelTotals, ReconTotals } from '../../../../shared/api';
import { formatFen } from '../../../../shared/money';
import { Fen } from '../../../components/console/Amount';
import { CTag } from '../../../components/console/States';

type Channel = 'cash' | 'fund' | 'account' | 'total';
type Source = 'ours' | 'wechat' | 'insurance' | 'his';

const CHANNELS: { key: Channel; label: string }[] = [
  { key: 'cash', label: '自费（微信支付）' },
  { key: 'fund', label: '医保统筹' },
  { key: 'account', label: '个人账户' },
  { key: 'total', label: '合计' },
];

const SOURCES: { key: Source; label: string; note: string }[] = [
  { key: 'ours', label: '本院记录', note: '支付平台数据库' },
  { key: 'wechat', label: '微信支付', note: '交易对账单' },
  { key: 'insurance', label: '医保平台', note: '3202 对明细' },
  { key: 'his', label: 'HIS', note: '当日收费清单' },
];

/** What a source says of a channel; undefined where the source does not carry that channel. */
export function cellOf(
  totals: ReconTotals,
  source: Source,
  channel: Channel,
): ReconChannelTotals | undefined {
  switch (source) {
    case 'ours':
      return totals.ours[channel];
    case 'his':
      return totals.his[channel];
    case 'wechat':
      return channel === 'cash' ? totals.wechat.cash : undefined;
    case 'insurance':
      return channel === 'cash' ? undefined : totals.insurance[channel];
  }
}

export const netOf = (c: ReconChannelTotals) => c.paidFen - c.refundedFen;

export function TotalsTable({ totals }: { totals: ReconTotals }) {
  return (
    <>
      <div className="c-table-wrap">
        <table className="c-table" id="run-totals">
          <thead>
            <tr>
              <th>渠道</th>
              {SOURCES.map((s) => (
                <th key={s.key} className="c-num">
                  {s.label}
                  <span className="c-sub">{s.note}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CHANNELS.map((ch) => {
              const ours = totals.ours[ch.key];
              return (
                <tr key={ch.key} id={`run-totals-${ch.key}`}>
                  <td className="c-nowrap">
                    <strong>{ch.label}</strong>
                  </td>
                  {SOURCES.map((s) => {
                    const cell = cellOf(totals, s.key, ch.key);
                    // WeChat's and insurance's "total" are their own channel only: not comparable with ours
                    const comparable = s.key !== 'ours' && !(ch.key === 'total' && s.key !== 'his');
                    // the HIS records a refund as one total, not by channel: by channel it is compared on 收 only
                    const chargesOnly = s.key === 'his' && ch.key !== 'total';
                    const amountOf = (c: ReconChannelTotals) => (chargesOnly ? c.paidFen : netOf(c));
                    const diff = cell && comparable ? amountOf(cell) - amountOf(ours) : 0;
                    return (
                      <td key={s.key} className="c-num" id={`run-totals-${ch.key}-${s.key}`}>
                        {cell ? (
                          <>
                            <Fen
                              fen={amountOf(cell)}
                              plain
                              className={diff !== 0 ? 'c-diff' : 'c-amount--strong'}
                            />
                            <span className="c-sub">
                              {chargesOnly
                                ? `${cell.count} 笔 · 收款（退款只记合计）`
                                : `${cell.count} 笔 · 收 ${formatFen(cell.paidFen)} · 退 ${formatFen(cell.refundedFen)}`}
                            </span>
                            {diff !== 0 ? (
                              <span className="c-sub c-diff">
                                较本院{chargesOnly ? '收款' : ''} {diff > 0 ? '+' : '−'}
                                {formatFen(Math.abs(diff))}
                              </span>
                            ) : null}
                          </>
                        ) : (
                          <span className="c-muted">—</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="c-toolbar" style={{ marginTop: 12 }}>
        <span id="run-fee">
          微信支付手续费：
          <Fen fen={totals.wechat.feeFen} />
        </span>
        {totals.insuranceCheck ? (
          <span id="run-insurance-check">
            医保对总账（3201）：
            <CTag tone={totals.insuranceCheck.balanced ? 'success' : 'danger'}>
              {totals.insuranceCheck.balanced ? '平' : '不平'}
            </CTag>{' '}
            <span className="c-muted">{totals.insuranceCheck.message}</span>
          </span>
        ) : (
          <span className="c-muted">医保对总账（3201）：无结果</span>
        )}
      </div>
    </>
  );
}
