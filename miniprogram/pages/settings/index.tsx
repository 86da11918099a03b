/**
 * 设置: which messages we send (待缴费提醒, 缴费结果通知, 退款结果通知) and the quiet hours (免打扰时段, China
 * time, may cross midnight). 保存 sends the whole object (PUT) and shows what the server kept.
 */
import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Picker, Switch, Text, View } from '@tarojs/components';
import type { PreferencesView, QuietHours } from '../../../shared/api';
import { notificationsApi } from '../../services/notificationsApi';
import { openPage } from '../../services/routes';
import { useLoading } from '../../services/useLoader';
import { usePageReturn } from '../../services/usePageReturn';
import { ErrorNotice, PageNotReady } from '../../components/PageState';
import { SWITCHES, quietHoursProblem, quietSpanLabel, withQuietHours } from './form';
import './index.css';

const SWITCH_COLOR = '#1e6fd9';

export default function Settings() {
  const { state, reload, update } = useLoading(() => notificationsApi.preferences());
  usePageReturn(() => void reload());
  const [form, setForm] = useState<PreferencesView>();
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  // the span last shown, so turning quiet hours off and on again keeps it
  const remembered = useRef<QuietHours>();

  const loaded = state.status === 'ready' ? state.data : undefined;
  useEffect(() => {
    if (loaded && !dirty) setForm(loaded);
  }, [loaded, dirty]);

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  if (!form) return <PageNotReady state={{ status: 'loading' }} onRetry={reload} />;

  const change = (next: PreferencesView) => {
    if (next.quietHours) remembered.current = next.quietHours;
    setForm(next);
    setDirty(true);
    setSaveError(undefined);
  };
  const setTime = (which: keyof QuietHours, value: string) => {
    if (form.quietHours) change({ ...form, quietHours: { ...form.quietHours, [which]: value } });
  };
  const problem = quietHoursProblem(form.quietHours);

  async function save(values: PreferencesView) {
    setSaving(true);
    setSaveError(undefined);
    try {
      const kept = await notificationsApi.savePreferences(values);
      // what the server kept is the page's data now (the form follows it while nothing is changed)
      update(() => kept);
      setForm(kept);
      setDirty(false);
      void Taro.showToast({ title: '已保存', icon: 'success' });
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <View className="page settings">
      <Text className="section-title">消息通知</Text>
      <View className="card settings-card">
        {SWITCHES.map(({ key, title, hint }) => (
          <View className="settings-row" key={key}>
            <View className="grow">
              <Text className="settings-title">{title}</Text>
              <Text className="muted settings-hint">{hint}</Text>
            </View>
            <Switch
              id={`settings-${key}`}
              className="settings-switch"
              color={SWITCH_COLOR}
              checked={form[key]}
              onChange={(e) => change({ ...form, [key]: e.detail.value })}
            />
          </View>
        ))}
      </View>

      <Text className="section-title">免打扰</Text>
      <View className="card settings-card">
        <View className="settings-row">
          <View className="grow">
            <Text className="settings-title">免打扰时段</Text>
            <Text className="muted settings-hint" id="settings-quiet-summary">
              {form.quietHours
                ? `${quietSpanLabel(form.quietHours)}（北京时间）不发提醒，结束后再发送`
                : '未开启：提醒随时发送'}
            </Text>
          </View>
          <Switch
            id="settings-quiet"
            className="settings-switch"
            color={SWITCH_COLOR}
            checked={form.quietHours !== null}
            onChange={(e) => change(withQuietHours(form, e.detail.value, remembered.current))}
          />
        </View>
        {form.quietHours ? (
          <View className="settings-times">
            <Picker
              mode="time"
              value={form.quietHours.start}
              onChange={(e) => setTime('start', e.detail.value)}
            >
              <View className="settings-time" id="settings-quiet-start">
                <Text className="muted settings-time-label">开始</Text>
                <Text className="settings-time-value">{form.quietHours.start}</Text>
              </View>
            </Picker>
            <Text className="muted settings-time-to">至</Text>
            <Picker mode="time" value={form.quietHours.end} onChange={(e) => setTime('end', e.detail.value)}>
              <View className="settings-time" id="settings-quiet-end">
                <Text className="muted settings-time-label">结束</Text>
                <Text className="settings-time-value">{form.quietHours.end}</Text>
              </View>
            </Picker>
          </View>
        ) : null}
        {problem ? (
          <Text className="field-error" id="settings-quiet-error">
            {problem}
          </Text>
        ) : null}
        <Text className="muted settings-hint settings-quiet-note">
          缴费结果随时通知；待缴费提醒和退款通知在免打扰时段内暂缓发送。
        </Text>
      </View>

      {saveError ? <ErrorNotice error={saveError} /> : null}
      <Button
        id="settings-save"
        className="btn btn--primary"
        disabled={saving || !!problem || undefined}
        onClick={() => void save(form)}
      >
        {saving ? '正在保存…' : '保存'}
      </Button>
      <Text className="hint settings-foot">
        微信里还需开启提醒，消息才会推送到微信；未开启时，消息只在
        <Text className="link" id="settings-messages" onClick={() => openPage('messages')}>
          「消息」
        </Text>
        页中显示。
      </Text>
    </View>
  );
}
