/**
 * Home: the current patient card, the unpaid bills count, the way to bills, orders, messages, settings and the
 * other cards.
 */
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { BillView, PatientView } from '../../../shared/api';
import { formatFen, sumFen } from '../../../shared/money';
import { api } from '../../services/api';
import { hospitalName } from '../../services/config';
import { balanceLabel, insuranceState, insutypeLabel } from '../../services/labels';
import { openPage, restartAt } from '../../services/routes';
import { getCurrentPatientId, getToken, setCurrentPatientId } from '../../services/storage';
import { useLoader } from '../../services/useLoader';
import { Empty, ErrorState, Loading } from '../../components/PageState';
import { Tag } from '../../components/Tag';
import { currentOf } from '../cards/current';
import './index.css';

interface HomeData {
  patients: PatientView[];
  current?: PatientView;
  bills?: BillView[];
  billsError?: unknown;
}

async function loadHome(): Promise<HomeData> {
  const patients = await api.patients();
  const current = currentOf(patients, getCurrentPatientId());
  setCurrentPatientId(current?.id);
  if (!current) return { patients };
  try {
    return { patients, current, bills: await api.bills(current.id) };
  } catch (billsError) {
    return { patients, current, billsError };
  }
}

function InsuranceLine({ patient }: { patient: PatientView }) {
  const auth = patient.insurance;
  switch (insuranceState(auth)) {
    case 'usable':
      return <Tag tone="success">{`医保已授权 · ${insutypeLabel(auth!)}`}</Tag>;
    case 'ineligible':
      return <Tag tone="danger">暂不能使用医保</Tag>;
    case 'expired':
      return <Tag tone="warning">医保授权已过期</Tag>;
    case 'none':
      return <Tag tone="muted">医保未授权</Tag>;
  }
}

export default function Home() {
  const [hospital, setHospital] = useState('');
  const loggedIn = !!getToken();
  const { state, reload } = useLoader<HomeData | null>(async () => {
    if (!getToken()) {
      restartAt('login');
      return null;
    }
    void hospitalName().then(setHospital);
    return loadHome();
  });

  return (
    <View className="page home">
      <View className="home-banner">
        <Text className="home-hospital">{hospital || '医院'}</Text>
        <Text className="home-subtitle">医保移动支付 · 门诊缴费不用带卡</Text>
      </View>
      {!loggedIn || state.status === 'loading' ? (
        <Loading />
      ) : state.status === 'error' ? (
        <ErrorState error={state.error} onRetry={reload} />
      ) : state.data === null ? (
        <Loading text="正在前往登录…" />
      ) : !state.data.current ? (
        <Empty title="还没有绑定就诊卡" message="绑定本人或家人的就诊卡后，即可查看和缴纳门诊费用。">
          <Button id="home-add-card" className="btn btn--primary" onClick={() => openPage('bind')}>
            添加就诊卡
          </Button>
        </Empty>
      ) : (
        <HomeBody data={state.data} />
      )}
    </View>
  );
}

function HomeBody({ data }: { data: HomeData }) {
  const current = data.current!;
  const bills = data.bills ?? [];
  return (
    <View>
      <View className="card home-card" id="current-card">
        <View className="row">
          <Text className="home-card-name">{current.name}</Text>
          <Text className="link" id="cards-link" onClick={() => openPage('cards')}>
            {data.patients.length > 1 ? `切换就诊人（共 ${data.patients.length} 张）` : '管理就诊卡'}
          </Text>
        </View>
        <Text className="mono muted">{current.idNoMasked}</Text>
        <View
          className="home-card-insurance"
          onClick={() => openPage('authorize', { patientId: current.id })}
        >
          <InsuranceLine patient={current} />
          <Text className="link home-card-insurance-link" id="home-authorize">
            {insuranceState(current.insurance) === 'usable' ? '查看' : '去授权'}
          </Text>
        </View>
        {insuranceState(current.insurance) === 'usable' && current.insurance?.balance !== undefined ? (
          <Text className="muted home-card-balance" id="home-balance">
            {balanceLabel(current.insurance)}
          </Text>
        ) : null}
      </View>

      <View className="card card--tappable home-entry" id="bills-link" onClick={() => openPage('bills')}>
        <View className="grow">
          <Text className="home-entry-title">待缴费</Text>
          {data.billsError ? (
            <Text className="muted">账单暂时无法加载，点击重试</Text>
          ) : bills.length === 0 ? (
            <Text className="muted">暂无待缴费账单</Text>
          ) : (
            <Text className="muted">
              共 {bills.length} 笔，合计{' '}
              <Text className="amount amount--cash">{formatFen(sumFen(bills.map((b) => b.amount)))}</Text>
            </Text>
          )}
        </View>
        <Text className={`home-count ${bills.length > 0 ? 'home-count--due' : ''}`} id="unpaid-count">
          {data.billsError ? '!' : String(bills.length)}
        </Text>
      </View>

      <View className="card card--tappable home-entry" id="orders-link" onClick={() => openPage('orders')}>
        <View className="grow">
          <Text className="home-entry-title">缴费记录</Text>
          <Text className="muted">订单状态、电子票据、退款进度</Text>
        </View>
        <Text className="home-arrow">›</Text>
      </View>

      <View
        className="card card--tappable home-entry"
        id="messages-link"
        onClick={() => openPage('messages')}
      >
        <View className="grow">
          <Text className="home-entry-title">消息</Text>
          <Text className="muted">缴费、退款结果和待缴费提醒</Text>
        </View>
        <Text className="home-arrow">›</Text>
      </View>

      <View
        className="card card--tappable home-entry"
        id="settings-link"
        onClick={() => openPage('settings')}
      >
        <View className="grow">
          <Text className="home-entry-title">设置</Text>
          <Text className="muted">消息通知、免打扰时段</Text>
        </View>
        <Text className="home-arrow">›</Text>
      </View>

      <Text className="hint">
        医保支付时，统筹基金和个人账户部分由医保直接结算，您只需用微信支付自费部分。支付前会先展示费用分摊。
      </Text>
    </View>
  );
}
