/**
 * The day per channel and hour as an inline SVG (no chart library): WeChat Pay and insurance stacked as bars,
 * the HIS as a line with dots. Hover an hour for its amounts.
 */
import type { ReconTotals } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import { chartGeometry } from '../../services/console/chart';

export const CHART_COLORS = { wechat: '#e8890c', insurance: '#12a37f', his: '#1e6fd9' } as const;

export function DayChart({ hourly, id = 'c-day-chart' }: { hourly: ReconTotals['hourly']; id?: string }) {
  const g = chartGeometry(hourly);
  const hisPath = g.his.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  return (
    <figure className="c-chart" id={id}>
      <div className="c-legend">
        <span className="c-legend-item">
          <i style={{ background: CHART_COLORS.wechat }} />
          微信支付（自费）
        </span>
        <span className="c-legend-item">
          <i style={{ background: CHART_COLORS.insurance }} />
          医保（统筹 + 个账）
        </span>
        <span className="c-legend-item">
          <i className="c-legend-line" style={{ background: CHART_COLORS.his }} />
          HIS 收费
        </span>
        <span className="c-muted">按小时（北京时间），已扣除退款</span>
      </div>
      <svg
        viewBox={`0 0 ${g.width} ${g.height}`}
        width="100%"
        role="img"
        aria-label="当日各渠道每小时金额"
        preserveAspectRatio="xMidYMid meet"
      >
        {g.ticks.map((t) => (
          <g key={t.valueFen}>
            <line
              x1={g.plot.left}
              x2={g.plot.right}
              y1={t.y}
              y2={t.y}
              stroke={t.valueFen === 0 ? '#8a97a6' : '#e3e8ef'}
              strokeWidth={1}
            />
            <text x={g.plot.left - 8} y={t.y + 4} textAnchor="end" className="c-chart-tick">
              {t.label}
            </text>
          </g>
        ))}
        {g.bars.map((b) => (
          <rect
            key={`${b.hour}-${b.channel}`}
            className={`c-bar c-bar--${b.channel}`}
            x={b.x}
            y={b.y}
            width={b.width}
            height={Math.max(b.height, 0.5)}
            fill={CHART_COLORS[b.channel]}
          />
        ))}
        <path d={hisPath} fill="none" stroke={CHART_COLORS.his} strokeWidth={2} className="c-his-line" />
        {g.his
          .filter((p) => p.valueFen !== 0)
          .map((p) => (
            <circle
              key={p.hour}
              cx={p.x}
              cy={p.y}
              r={3.5}
              fill="#fff"
              stroke={CHART_COLORS.his}
              strokeWidth={2}
            />
          ))}
        {g.hours.map((h) => (
          <g key={h.hour} className="c-chart-hour">
            <rect
              x={h.x - (g.plot.right - g.plot.left) / 48}
              y={g.plot.top}
              width={(g.plot.right - g.plot.left) / 24}
              height={g.plot.bottom - g.plot.top}
              fill="transparent"
            >
              <title>
                {`${h.label}:00–${h.label}:59 · 微信 ${formatFen(h.point.wechatFen)} · 医保 ${formatFen(h.point.insuranceFen)} · HIS ${formatFen(h.point.hisFen)}`}
              </title>
            </rect>
            <text x={h.x} y={g.height - 8} textAnchor="middle" className="c-chart-tick">
              {h.label}
            </text>
          </g>
        ))}
      </svg>
      {g.empty ? <figcaption className="c-muted">当日各渠道均无交易。</figcaption> : null}
    </figure>
  );
}
