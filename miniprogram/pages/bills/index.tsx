/** Unpaid bills of the current card, newest first as the hospital lists them. */
import { Text, View } from '@tarojs/components';
import type { BillView, PatientView } from '../../../shared/api';
import { formatFen, sumFen } from '../../../shared/money';
import { api } from '../../services/api';
import { formatDateTime } from '../../services/labels';
import { openPage } from '../../services/routes';
import { getCurrentPatientId } from '../../services/storage';
import { useLoader } from '../../services/useLoader';
import { Empty, PageNotReady } from '../../components/PageState';
import { currentOf } from '../cards/current';
import './index.css';

interface BillsData {
  patient?: PatientView;
  bills: BillView[];
}

async function loadBills(): Promise<BillsData> {
  const patient = currentOf(await api.patients(), getCurrentPatientId());
  if (!patient) return { bills: [] };
  return { patient, bills: await api.bills(patient.id) };
}

export default function Bills() {
  const { state, reload } = useLoader(loadBills);
  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  const { patient, bills } = state.data;
  if (!patient)
    return (
      <View className="page">
        <Empty title="还没有绑定就诊卡" message="请先添加就诊卡。">
          <Text className="link" onClick={() => openPage('cards')}>
            去添加
          </Text>
        </Empty>
      </View>
    );

  return (
    <View className="page bills">
      <View className="card bills-patient">
        <View className="row">
          <View className="grow">
            <Text className="card-title bills-patient-name">就诊人：{patient.name}</Text>
            <Text className="mono muted">{patient.idNoMasked}</Text>
          </View>
          <Text className="link" onClick={() => openPage('cards')}>
            切换
          </Text>
        </View>
      </View>
      {bills.length === 0 ? (
        <Empty title="暂无待缴费账单" message="门诊开具的检查、检验、药品费用会显示在这里。" />
      ) : (
        <View>
          <Text className="section-title">
            共 {bills.length} 笔待缴费，合计 {formatFen(sumFen(bills.map((b) => b.amount)))}
          </Text>
          {bills.map((bill) => (
            <View
              key={bill.billNo}
              id={`bill-${bill.billNo}`}
              className="card card--tappable bill-row"
              onClick={() => openPage('bill', { billNo: bill.billNo, patientId: patient.id })}
            >
              <View className="row">
                <Text className="bill-dept">{bill.dept}</Text>
                <Text className="amount bill-amount">{formatFen(bill.amount)}</Text>
              </View>
              <Text className="muted bill-meta">
                {bill.doctor} · {formatDateTime(bill.createdAt)} · {bill.items.length} 项
              </Text>
              <Text className="mono muted bill-no">账单号 {bill.billNo}</Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
