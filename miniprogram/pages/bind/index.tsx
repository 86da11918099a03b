/** Bind a patient card: name + resident ID number (+ optional mobile). The hospital system must know the patient. */
import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { api } from '../../services/api';
import { goBack } from '../../services/routes';
import { setCurrentPatientId } from '../../services/storage';
import { ErrorNotice } from '../../components/PageState';
import { TextField } from '../../components/TextField/index';
import { validateBinding, type BindingErrors } from './validate';
import './index.css';

export default function Bind() {
  const [name, setName] = useState('');
  const [idNo, setIdNo] = useState('');
  const [phone, setPhone] = useState('');
  const [errors, setErrors] = useState<BindingErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<unknown>();

  const submit = async () => {
    const checked = validateBinding({ name, idNo, phone });
    setErrors(checked.errors);
    setServerError(undefined);
    if (!checked.request) return;
    setSubmitting(true);
    try {
      const patient = await api.bindPatient(checked.request);
      setCurrentPatientId(patient.id);
      void Taro.showToast({ title: '绑定成功', icon: 'success' });
      goBack('cards');
    } catch (err) {
      setServerError(err);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <View className="page bind">
      <View className="card">
        <Text className="card-title">就诊人信息</Text>
        <View className="field">
          <Text className="field-label">姓名</Text>
          <TextField
            id="bind-name"
            className="field-input"
            placeholder="与身份证一致"
            maxLength={50}
            value={name}
            onChange={setName}
          />
          {errors.name ? <Text className="field-error">{errors.name}</Text> : null}
        </View>
        <View className="field">
          <Text className="field-label">身份证号</Text>
          <TextField
            id="bind-idno"
            className="field-input"
            kind="idcard"
            placeholder="18 位居民身份证号"
            maxLength={18}
            value={idNo}
            onChange={setIdNo}
          />
          {errors.idNo ? <Text className="field-error">{errors.idNo}</Text> : null}
        </View>
        <View className="field">
          <Text className="field-label">手机号（选填）</Text>
          <TextField
            id="bind-phone"
            className="field-input"
            kind="number"
            placeholder="11 位手机号"
            maxLength={11}
            value={phone}
            onChange={setPhone}
          />
          {errors.phone ? <Text className="field-error">{errors.phone}</Text> : null}
        </View>
      </View>
      {serverError ? <ErrorNotice error={serverError} /> : null}
      <Button
        id="bind-submit"
        className="btn btn--primary"
        disabled={submitting || undefined}
        onClick={submit}
      >
        绑定就诊卡
      </Button>
      <Text className="hint">
        身份证号仅用于在医院系统中查找您的就诊档案，加密保存，页面上只显示部分号码。可为家人绑定多张就诊卡。
      </Text>
    </View>
  );
}
