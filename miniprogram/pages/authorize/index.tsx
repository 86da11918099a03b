/**
 * Insurance authorization (医保授权) for one card. The authorization page (H5: the insurance mock; weapp: the
 * 医保电子凭证 mini-program) comes back here with `authCode` (or `error=user_cancelled`); the code is exchanged
 * for the eligibility result, shown in plain words. Paying everything in cash always stays possible.
 */
import { useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { InsuranceAuthorizationView, PatientView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import { api } from '../../services/api';
import { bridge } from '../../services/bridge/index';
import { formatDateTime, insuranceState, insutypeLabel } from '../../services/labels';
import { usePageParams } from '../../services/params';
import { PAGES, openPage } from '../../services/routes';
import { getCurrentPatientId, setCurrentPatientId } from '../../services/storage';
import { ErrorNotice, ErrorState, Loading } from '../../components/PageState';
import './index.css';

type Screen =
  | { kind: 'loading'; text: string }
  | { kind: 'error'; error: unknown }
  | { kind: 'cancelled'; patient?: PatientView }
  | { kind: 'status'; patient?: PatientView; auth?: InsuranceAuthorizationView };

export function eligibilityText(auth: InsuranceAuthorizationView): string {
  if (!auth.eligible) {
    const reason = auth.reason ?? '参保状态异常';
    // the server's reason may already say so ("…，暂不能使用医保支付，…"): never twice
    return reason.includes('暂不能使用医保支付') ? reason : `暂不能使用医保支付：${reason}`;
  }
  const balance = auth.balance !== undefined ? `，个人账户余额 ${formatFen(auth.balance)}` : '';
  return `医保授权成功：${insutypeLabel(auth)}${balance}。缴费时可使用医保支付。`;
}

async function findPatient(patientId: string | undefined): Promise<PatientView> {
  const patients = await api.patients();
  const patient =
    patients.find((p) => p.id === patientId) ?? patients.find((p) => p.id === getCurrentPatientId());
  if (!patient) throw new Error('未找到该就诊卡，请返回就诊卡页面重新选择');
  return patient;
}

export default function Authorize() {
  const params = usePageParams();
  const patientId = params.patientId ?? getCurrentPatientId();
  const [view, setView] = useState<Screen>({ kind: 'loading', text: '加载中…' });
  const [restarting, setRestarting] = useState(false);
  const [restartError, setRestartError] = useState<unknown>();
  const handled = useRef(false);

  const handleReturn = async (returned: Record<string, string>) => {
    handled.current = true;
    const id = returned.patientId ?? patientId;
    if (returned.authCode && id) {
      setView({ kind: 'loading', text: '正在查询医保参保信息…' });
      try {
        const auth = await api.authorizeInsurance(id, returned.authCode);
        setCurrentPatientId(id);
        const patient = await findPatient(id).catch(() => undefined);
        setView({ kind: 'status', patient, auth });
      } catch (error) {
        setView({ kind: 'error', error });
      }
      return;
    }
    setView({ kind: 'cancelled', patient: await findPatient(id).catch(() => undefined) });
  };

  const showStatus = async () => {
    setView({ kind: 'loading', text: '加载中…' });
    try {
      const patient = await findPatient(patientId);
      setView({ kind: 'status', patient, auth: patient.insurance });
    } catch (error) {
      setView({ kind: 'error', error });
    }
  };

  useEffect(() => {
    if (params.authCode || params.error) void handleReturn(params);
    else void showStatus();
    // once per visit: an authCode is single-use
  }, []);

  // weapp: the insurance mini-program's answer arrives when this page shows again
  useDidShow(() => {
    const returned = bridge.takeReturnedParams(PAGES.authorize);
    if (returned.authCode || returned.error) void handleReturn(returned);
  });

  const restart = async (id: string) => {
    setRestartError(undefined);
    setRestarting(true);
    try {
      await bridge.startInsuranceAuthorization(id);
    } catch (err) {
      setRestartError(err);
    } finally {
      setRestarting(false);
    }
  };

  if (view.kind === 'loading')
    return (
      <View className="page">
        <Loading text={view.text} />
      </View>
    );
  if (view.kind === 'error')
    return (
      <View className="page">
        <ErrorState error={view.error} onRetry={showStatus} />
        <Button id="use-cash" className="btn" onClick={() => openPage('bills')}>
          不使用医保，全部自费缴费
        </Button>
      </View>
    );

  const patient = view.patient;
  const auth = view.kind === 'status' ? view.auth : undefined;
  const state = insuranceState(auth);
  return (
    <View className="page authorize">
      {patient ? (
        <View className="card">
          <Text className="card-title">{patient.name}</Text>
          <Text className="mono muted">身份证 {patient.idNoMasked}</Text>
        </View>
      ) : null}

      {view.kind === 'cancelled' ? (
        <View className="notice notice--warning" id="eligibility">
          <Text>
            您已取消医保授权。可以重新授权；如果您没有参加医保，或在授权页面找不到自己，可以不使用医保，直接全部自费缴费。
          </Text>
        </View>
      ) : !auth ? (
        <View className="notice" id="eligibility">
          <Text>尚未授权医保电子凭证。授权后缴费时医保统筹和个人账户部分由医保直接结算。</Text>
        </View>
      ) : (
        <View className={`notice ${auth.eligible ? 'notice--success' : 'notice--danger'}`} id="eligibility">
          <Text>{eligibilityText(auth)}</Text>
          {state === 'expired' ? (
            <Text className="hint">授权已于 {formatDateTime(auth.expiresAt)} 过期，请重新授权。</Text>
          ) : null}
        </View>
      )}

      {auth ? (
        <View className="card">
          <View className="row auth-row">
            <Text className="muted">险种</Text>
            <Text>{insutypeLabel(auth)}</Text>
          </View>
          {auth.balance !== undefined ? (
            <View className="row auth-row">
              <Text className="muted">个人账户余额</Text>
              <Text className="amount">{formatFen(auth.balance)}</Text>
            </View>
          ) : null}
          <View className="row auth-row">
            <Text className="muted">授权时间</Text>
            <Text>{formatDateTime(auth.authorizedAt)}</Text>
          </View>
          <View className="row auth-row">
            <Text className="muted">有效期至</Text>
            <Text>{formatDateTime(auth.expiresAt)}</Text>
          </View>
        </View>
      ) : null}

      {restartError ? <ErrorNotice error={restartError} /> : null}
      {state === 'usable' ? (
        <Button id="go-bills" className="btn btn--primary" onClick={() => openPage('bills')}>
          去缴费
        </Button>
      ) : (
        <Button id="use-cash" className="btn btn--primary" onClick={() => openPage('bills')}>
          不使用医保，全部自费缴费
        </Button>
      )}
      {patient ? (
        <Button
          id="reauthorize-button"
          className="btn btn--insurance"
          disabled={restarting || undefined}
          onClick={() => restart(patient.id)}
        >
          {auth || view.kind === 'cancelled' ? '重新授权医保' : '授权医保电子凭证'}
        </Button>
      ) : null}
    </View>
  );
}
