/**
 * One unpaid bill: its items with the insurance class (甲/乙/丙), and the two ways to pay. Either button creates
 * the order (the server pre-settles with insurance) and opens the confirm page, which shows the split BEFORE
 * anything is paid.
 */
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { BillView, PatientView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import { api } from '../../services/api';
import { ApiError } from '../../services/errors';
import { checkout } from '../../services/checkout';
import { INSURANCE_CLASS, formatDateTime, insuranceState } from '../../services/labels';
import { usePageParams } from '../../services/params';
import { openPage } from '../../services/routes';
import { getCurrentPatientId } from '../../services/storage';
import { useLoader } from '../../services/useLoader';
import { Empty, ErrorNotice, PageNotReady } from '../../components/PageState';
import { Tag } from '../../components/Tag';
import { currentOf } from '../cards/current';
import './index.css';

interface BillData {
  patient: PatientView;
  bill?: BillView;
}

export default function Bill() {
  const params = usePageParams();
  const [paying, setPaying] = useState<'insurance' | 'cash' | undefined>();
  const [checkoutError, setCheckoutError] = useState<unknown>();
  // the insurance platform refused this bill's settlement: insurance is not offered again here, cash is
  const [insuranceRefused, setInsuranceRefused] = useState(false);
  const { state, reload } = useLoader<BillData | undefined>(async () => {
    const patients = await api.patients();
    const patient =
      patients.find((p) => p.id === params.patientId) ?? currentOf(patients, getCurrentPatientId());
    if (!patient) return undefined;
    const bills = await api.bills(patient.id);
    return { patient, bill: bills.find((b) => b.billNo === params.billNo) };
  });

  const pay = async (patient: PatientView, bill: BillView, useInsurance: boolean) => {
    setCheckoutError(undefined);
    setPaying(useInsurance ? 'insurance' : 'cash');
    try {
      const order = await checkout({ patientId: patient.id, billNos: [bill.billNo], useInsurance });
      openPage('confirm', { orderId: order.id });
    } catch (err) {
      setCheckoutError(err);
      if (useInsurance && err instanceof ApiError && err.code === 'INSURANCE_REJECTED')
        setInsuranceRefused(true);
    } finally {
      setPaying(undefined);
    }
  };

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  if (!state.data?.bill)
    return (
      <View className="page">
        <Empty title="该账单已不在待缴费列表中" message="可能已支付或已被医院撤销。">
          <Text className="link" onClick={() => openPage('orders')}>
            查看缴费记录
          </Text>
        </Empty>
      </View>
    );

  const { patient, bill } = state.data;
  const insurance = insuranceState(patient.insurance);
  return (
    <View className="page bill">
      <View className="card">
        <View className="row">
          <Text className="bill-title">{bill.dept}</Text>
          <Text className="muted">{bill.doctor}</Text>
        </View>
        <Text className="muted bill-sub">
          就诊人 {patient.name} · {formatDateTime(bill.createdAt)}
        </Text>
        <Text className="mono muted bill-sub">账单号 {bill.billNo}</Text>
        <View className="bill-total">
          <Text className="muted">账单金额</Text>
          <Text className="amount amount--big">{formatFen(bill.amount)}</Text>
        </View>
      </View>

      <View className="card" id="bill-items">
        <Text className="card-title">费用明细（{bill.items.length} 项）</Text>
        {bill.items.map((item, i) => (
          <View key={`${item.code}-${i}`} className="item">
            <View className="row">
              <View className="grow">
                <Text className="item-name">{item.name}</Text>
                {item.insuranceClass ? (
                  <Tag tone={INSURANCE_CLASS[item.insuranceClass].tone}>
                    {INSURANCE_CLASS[item.insuranceClass].label}
                  </Tag>
                ) : null}
              </View>
              <Text className="amount">{formatFen(item.amount)}</Text>
            </View>
            <Text className="muted item-meta">
              {item.spec ? `${item.spec} · ` : ''}
              {formatFen(item.price)} × {item.qty}
            </Text>
          </View>
        ))}
        <Text className="hint">
          甲类：医保全额纳入；乙类：个人先自付一定比例；丙类：医保不报销，全部自费。
        </Text>
      </View>

      {/* a refusal is said once, by the note below that also offers the way on */}
      {checkoutError && !insuranceRefused ? <ErrorNotice error={checkoutError} /> : null}

      {insuranceRefused ? (
        <View className="notice notice--warning bill-insurance-note" id="bill-insurance-refused">
          <Text>医保结算未通过，这张账单不能使用医保支付。可以选择全部自费支付，或到医院收费窗口咨询。</Text>
        </View>
      ) : insurance === 'usable' ? (
        <Button
          id="checkout-insurance"
          className="btn btn--insurance"
          disabled={!!paying || undefined}
          onClick={() => pay(patient, bill, true)}
        >
          使用医保支付
        </Button>
      ) : (
        <View className="notice notice--warning bill-insurance-note">
          <Text>
            {insurance === 'ineligible'
              ? `${patient.insurance?.reason ?? '暂不能使用医保支付'}`
              : insurance === 'expired'
                ? '医保授权已过期，重新授权后可使用医保支付。'
                : '尚未授权医保，授权后可使用医保支付。'}
          </Text>
          {insurance !== 'ineligible' ? (
            <Text
              className="link bill-authorize-link"
              id="bill-authorize"
              onClick={() => openPage('authorize', { patientId: patient.id })}
            >
              去授权医保
            </Text>
          ) : null}
        </View>
      )}
      <Button
        id="checkout-cash"
        className={`btn ${insurance === 'usable' ? '' : 'btn--primary'}`}
        disabled={!!paying || undefined}
        onClick={() => pay(patient, bill, false)}
      >
        全部自费支付
      </Button>
      <Text className="hint">下一步会先显示医保和自费各付多少，确认后才会支付。</Text>
    </View>
  );
}
