/** The patient's orders, newest first, for all the cards of this WeChat user; filtered by card, state, month. */
import { useEffect, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { OrdersQuery, PatientView } from '../../../shared/api';
import { api } from '../../services/api';
import { useLoader } from '../../services/useLoader';
import { Empty, PageNotReady } from '../../components/PageState';
import { Filters } from './Filters';
import { OrderItem } from './OrderItem';
import './index.css';

const filtered = (f: OrdersQuery) => Boolean(f.patientId || f.status || f.month);

/** The patient's cards for the filter; without them (an error) the page still lists every order. */
function useCards(): PatientView[] {
  const [cards, setCards] = useState<PatientView[]>([]);
  useEffect(() => {
    let live = true;
    api.patients().then(
      (list) => live && setCards(list),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return cards;
}

export default function Orders() {
  const [filter, setFilter] = useState<OrdersQuery>({});
  const cards = useCards();
  const { state, reload } = useLoader(() => api.orders(filter));
  // the first load is the page's first show (useLoader); later ones follow the filter
  const shown = useRef(false);
  useEffect(() => {
    if (shown.current) void reload();
    shown.current = true;
  }, [filter.patientId, filter.status, filter.month, reload]);

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  if (state.data.length === 0 && !filtered(filter))
    return (
      <View className="page">
        <Empty title="暂无缴费记录" message="在线缴费后，订单和电子票据会显示在这里。" />
      </View>
    );
  return (
    <View className="page orders">
      <Filters filter={filter} cards={cards} nowMs={Date.now()} onChange={setFilter} />
      <View className={state.refreshing ? 'orders-list orders-list--refreshing' : 'orders-list'}>
        {state.data.length === 0 ? (
          <Empty title="没有符合条件的缴费记录" message="换个就诊人、状态或月份看看。">
            <Button id="filter-clear" className="btn btn--plain" onClick={() => setFilter({})}>
              清除筛选
            </Button>
          </Empty>
        ) : (
          <Text className="muted orders-count" id="orders-count">
            {state.data.length} 笔记录
          </Text>
        )}
        {state.data.map((order) => (
          <OrderItem key={order.id} order={order} />
        ))}
      </View>
    </View>
  );
}
