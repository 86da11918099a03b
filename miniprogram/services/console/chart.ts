/**
 * Geometry of the day's chart (pure, tested): per China-time hour, WeChat Pay (cash) and insurance as one
 * stacked bar — together what the channels took — and the HIS as a line over it, so an hour where the HIS
 * charged something the channels did not (or the other way round) stands out. Values are net of refunds and
 * may be negative: positives stack up from zero, negatives down. Axis ticks are round amounts in fen.
 */
import type { ReconTotals } from '../../../shared/api';
import { formatFen } from '../../../shared/money';

export type HourPoint = ReconTotals['hourly'][number];
export type ChartChannel = 'wechat' | 'insurance';

export interface ChartBar {
  hour: number;
  channel: ChartChannel;
  x: number;
  y: number;
  width: number;
  height: number;
  valueFen: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  zeroY: number;
  ticks: { valueFen: number; y: number; label: string }[];
  hours: { hour: number; x: number; label: string; point: HourPoint }[];
  bars: ChartBar[];
  his: { x: number; y: number; valueFen: number; hour: number }[];
  /** nothing happened that day on any channel */
  empty: boolean;
}

const HOURS = 24;
const STEPS = [1, 2, 5, 10];

/** The hourly series with every hour 0–23 present (missing hours are zero). */
export function fullDay(hourly: readonly HourPoint[]): HourPoint[] {
  const byHour = new Map(hourly.map((h) => [h.hour, h]));
  return Array.from(
    { length: HOURS },
    (_, hour) => byHour.get(hour) ?? { hour, wechatFen: 0, insuranceFen: 0, hisFen: 0 },
  );
}

/** A round step (1, 2 or 5 × 10^k fen, at least 1 fen) giving about `count` intervals over `span`. */
export function niceStep(span: number, count = 4): number {
  const rough = Math.max(span / count, 1);
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = STEPS.map((s) => s * pow).find((s) => s >= rough) ?? 10 * pow;
  return Math.max(1, Math.round(step));
}

export function chartGeometry(
  hourly: readonly HourPoint[],
  size: { width: number; height: number } = { width: 1000, height: 280 },
): ChartGeometry {
  const day = fullDay(hourly);
  const plot = { left: 92, top: 14, right: size.width - 12, bottom: size.height - 28 };
  let max = 0;
  let min = 0;
  for (const h of day) {
    const up = Math.max(0, h.wechatFen) + Math.max(0, h.insuranceFen);
    const down = Math.min(0, h.wechatFen) + Math.min(0, h.insuranceFen);
    max = Math.max(max, up, h.hisFen);
    min = Math.min(min, down, h.hisFen);
  }
  const empty = max === 0 && min === 0;
  // an empty day: ¥0–¥4 in steps of ¥1
  const step = empty ? 100 : niceStep(max - min);
  const top = empty ? 4 * step : Math.ceil(max / step) * step;
  const bottom = Math.floor(min / step) * step;
  const span = top - bottom || step;
  const y = (v: number) => plot.top + ((top - v) / span) * (plot.bottom - plot.top);

  const ticks: ChartGeometry['ticks'] = [];
  for (let v = bottom; v <= top; v += step) ticks.push({ valueFen: v, y: y(v), label: formatFen(v) });

  const slot = (plot.right - plot.left) / HOURS;
  const barWidth = Math.max(2, slot * 0.56);
  const hours: ChartGeometry['hours'] = [];
  const bars: ChartBar[] = [];
  const his: ChartGeometry['his'] = [];
  for (const h of day) {
    const center = plot.left + slot * (h.hour + 0.5);
    hours.push({ hour: h.hour, x: center, label: String(h.hour).padStart(2, '0'), point: h });
    let up = 0;
    let down = 0;
    for (const [channel, value] of [
      ['wechat', h.wechatFen],
      ['insurance', h.insuranceFen],
    ] as const) {
      if (value === 0) continue;
      const from = value > 0 ? up : down;
      const to = from + value;
      if (value > 0) up = to;
      else down = to;
      bars.push({
        hour: h.hour,
        channel,
        x: center - barWidth / 2,
        y: Math.min(y(from), y(to)),
        width: barWidth,
        height: Math.abs(y(to) - y(from)),
        valueFen: value,
      });
    }
    his.push({ hour: h.hour, x: center, y: y(h.hisFen), valueFen: h.hisFen });
  }
  return { width: size.width, height: size.height, plot, zeroY: y(0), ticks, hours, bars, his, empty };
}
