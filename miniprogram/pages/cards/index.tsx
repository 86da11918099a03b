/**
 * Patient cards (就诊卡): every card bound to this WeChat user (family members too), masked ID numbers, which
 * one is current (tap another to switch), the current card's insurance authorization, and binding a new card.
 */
import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { PatientView } from '../../../shared/api';
import { api } from '../../services/api';
import { bridge } from '../../services/bridge/index';
import { balanceLabel, insuranceState, insutypeLabel } from '../../services/labels';
import { openPage } from '../../services/routes';
import { getCurrentPatientId, setCurrentPatientId } from '../../services/storage';
import { useLoader } from '../../services/useLoader';
import { Empty, ErrorNotice, PageNotReady } from '../../components/PageState';
import { Tag } from '../../components/Tag';
import { currentOf } from './current';
import './index.css';

function InsuranceSummary({ patient }: { patient: PatientView }) {
  const auth = patient.insurance;
  switch (insuranceState(auth)) {
    case 'usable':
      return (
        <View>
          <Text className="muted">{insutypeLabel(auth!)}</Text>
          {auth!.balance !== undefined ? (
            <Text className="muted patient-balance" id={`balance-${patient.id}`}>
              {balanceLabel(auth!)}
            </Text>
          ) : null}
        </View>
      );
    case 'ineligible':
      return <Text className="cards-reason">{auth!.reason ?? '暂不能使用医保支付，可全部自费支付'}</Text>;
    case 'expired':
      return <Text className="muted">医保授权已过期，请重新授权</Text>;
    case 'none':
      return <Text className="muted">尚未授权医保，授权后缴费可使用医保支付</Text>;
  }
}

export default function Cards() {
  // the current card lives in storage (the bind page sets it too); this only re-renders after a switch
  const [, setSwitches] = useState(0);
  const [authorizing, setAuthorizing] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const { state, reload } = useLoader(api.patients);

  const choose = (p: PatientView) => {
    setCurrentPatientId(p.id);
    setSwitches((n) => n + 1);
    void Taro.showToast({ title: `当前就诊人：${p.name}`, icon: 'none' });
  };

  const unbind = async (p: PatientView) => {
    const answer = await Taro.showModal({
      title: '解绑就诊卡',
      content: `解绑后，${p.name} 的就诊卡和缴费记录将不再显示在这里（医院仍保留记录），需要时可重新绑定。确定解绑吗？`,
      confirmText: '解绑',
      cancelText: '取消',
    });
    if (!answer.confirm) return;
    setActionError(undefined);
    try {
      await api.unbindPatient(p.id);
      if (getCurrentPatientId() === p.id) setCurrentPatientId(undefined);
      void Taro.showToast({ title: '已解绑', icon: 'success' });
      await reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const authorize = async (p: PatientView) => {
    setActionError(undefined);
    setAuthorizing(true);
    try {
      await bridge.startInsuranceAuthorization(p.id);
    } catch (err) {
      setActionError(err);
    } finally {
      setAuthorizing(false);
    }
  };

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;

  const patients = state.data;
  const current = currentOf(patients, getCurrentPatientId());

  return (
    <View className="page cards">
      {patients.length === 0 ? (
        <Empty title="还没有绑定就诊卡" message="请用就诊人的姓名和身份证号绑定医院就诊卡，可绑定家人。" />
      ) : (
        <View>
          <Text className="section-title">点击卡片切换当前就诊人</Text>
          {patients.map((p) => {
            const isCurrent = p.id === current?.id;
            return (
              <View
                key={p.id}
                id={`card-${p.id}`}
                className={`card card--tappable patient-card ${isCurrent ? 'patient-card--current' : ''}`}
                onClick={() => choose(p)}
              >
                <View className="row">
                  <Text className="patient-name">{p.name}</Text>
                  {isCurrent ? <Tag tone="info">当前就诊人</Tag> : <Text className="link">设为当前</Text>}
                </View>
                <Text className="mono patient-id">身份证 {p.idNoMasked}</Text>
                {p.phoneMasked ? <Text className="muted patient-phone">手机 {p.phoneMasked}</Text> : null}
                <View className="patient-insurance">
                  <InsuranceSummary patient={p} />
                </View>
                <Text
                  id={`unbind-${p.id}`}
                  className="link patient-unbind"
                  onClick={(e) => {
                    e.stopPropagation();
                    void unbind(p);
                  }}
                >
                  解绑
                </Text>
              </View>
            );
          })}
        </View>
      )}

      {current ? (
        <View className="card">
          <Text className="card-title">医保授权 · {current.name}</Text>
          <Text className="muted">
            授权医保电子凭证后，缴费时医保统筹和个人账户部分由医保直接结算；不授权也可以全部自费支付。
          </Text>
          {actionError ? <ErrorNotice error={actionError} /> : null}
          <Button
            id="authorize-button"
            className="btn btn--insurance"
            disabled={authorizing || undefined}
            onClick={() => authorize(current)}
          >
            {insuranceState(current.insurance) === 'none' ? '授权医保电子凭证' : '重新授权医保'}
          </Button>
        </View>
      ) : null}

      <Button id="add-card" className="btn btn--primary" onClick={() => openPage('bind')}>
        添加就诊卡
      </Button>
    </View>
  );
}
