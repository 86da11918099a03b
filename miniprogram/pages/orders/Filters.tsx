/**
 * The history's filter bar: which card (就诊人), which group of states, which month. One row of chips each,
 * scrolling sideways when it does not fit, so it fits a 375 px screen on H5 and in the mini-program alike.
 */
import { Text, View } from '@tarojs/components';
// types only: a value from shared/api would bring zod (and its eval probe, refused by the CSP) into the bundle
import type { OrderGroupName, OrdersQuery, PatientView } from '../../../shared/api';

export const ORDER_GROUP_LABEL: Record<OrderGroupName, string> = {
  unpaid: '待缴费',
  paid: '已缴费',
  refund: '退款',
  closed: '已关闭',
};
const ORDER_GROUPS = Object.keys(ORDER_GROUP_LABEL) as OrderGroupName[];

/** How many months back the month row offers (the current one included). */
export const MONTHS_OFFERED = 12;
const CST_OFFSET_MS = 8 * 3600_000;

/** The last `count` months in China time, newest first: ['2026-03', '2026-02', …]. */
export function recentMonths(nowMs: number, count = MONTHS_OFFERED): string[] {
  const now = new Date(nowMs + CST_OFFSET_MS);
  const months: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** '2026-03' → '2026年3月' */
export function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** The card's name; two cards of the same masked name are told apart by the ID number's last digits. */
export function cardLabel(card: PatientView, cards: readonly PatientView[]): string {
  const twins = cards.filter((c) => c.name === card.name).length > 1;
  return twins ? `${card.name}（${card.idNoMasked.slice(-4)}）` : card.name;
}

interface ChipProps {
  id: string;
  label: string;
  selected: boolean;
  onSelect: () => void;
}

function Chip({ id, label, selected, onSelect }: ChipProps) {
  return (
    <View id={id} className={`orders-chip${selected ? ' orders-chip--on' : ''}`} onClick={onSelect}>
      <Text>{label}</Text>
    </View>
  );
}

interface FiltersProps {
  filter: OrdersQuery;
  cards: readonly PatientView[];
  nowMs: number;
  onChange: (filter: OrdersQuery) => void;
}

export function Filters({ filter, cards, nowMs, onChange }: FiltersProps) {
  const set = (patch: Partial<OrdersQuery>) => onChange({ ...filter, ...patch });
  return (
    <View className="orders-filters" id="orders-filters">
      {cards.length > 1 ? (
        <View className="orders-filter-row">
          <Text className="orders-filter-name">就诊人</Text>
          <View className="orders-chips">
            <Chip
              id="filter-card-all"
              label="全部"
              selected={!filter.patientId}
              onSelect={() => set({ patientId: undefined })}
            />
            {cards.map((card) => (
              <Chip
                key={card.id}
                id={`filter-card-${card.id}`}
                label={cardLabel(card, cards)}
                selected={filter.patientId === card.id}
                onSelect={() => set({ patientId: card.id })}
              />
            ))}
          </View>
        </View>
      ) : null}
      <View className="orders-filter-row">
        <Text className="orders-filter-name">状态</Text>
        <View className="orders-chips">
          <Chip
            id="filter-status-all"
            label="全部"
            selected={!filter.status}
            onSelect={() => set({ status: undefined })}
          />
          {ORDER_GROUPS.map((group) => (
            <Chip
              key={group}
              id={`filter-status-${group}`}
              label={ORDER_GROUP_LABEL[group]}
              selected={filter.status === group}
              onSelect={() => set({ status: group })}
            />
          ))}
        </View>
      </View>
      <View className="orders-filter-row">
        <Text className="orders-filter-name">月份</Text>
        <View className="orders-chips">
          <Chip
            id="filter-month-all"
            label="全部"
            selected={!filter.month}
            onSelect={() => set({ month: undefined })}
          />
          {recentMonths(nowMs).map((month) => (
            <Chip
              key={month}
              id={`filter-month-${month}`}
              label={monthLabel(month)}
              selected={filter.month === month}
              onSelect={() => set({ month })}
            />
          ))}
        </View>
      </View>
    </View>
  );
}
