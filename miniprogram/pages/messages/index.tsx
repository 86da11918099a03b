/**
 * 消息: which WeChat reminders are on (subscribe-message consent) with the button that asks WeChat's sheet, then
 * every message we meant to send, newest first, with whether it reached WeChat. The sheet is opened straight
 * from the tap (WeChat refuses it otherwise); on H5 the sandbox sheet comes back here with `subscribeResult`,
 * which is recorded once, before the page loads.
 */
import { useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { MessageView, SubscriptionsView } from '../../../shared/api';
import { bridge } from '../../services/bridge/index';
import { decodeSubscribeResult } from '../../services/bridge/subscribe';
import type { SubscribeAnswer } from '../../services/bridge/types';
import { notificationsApi } from '../../services/notificationsApi';
import { usePageParams } from '../../services/params';
import { openPage } from '../../services/routes';
import { useLoading } from '../../services/useLoader';
import { usePageReturn } from '../../services/usePageReturn';
import { Empty, ErrorNotice, PageNotReady } from '../../components/PageState';
import { MessageItem } from './MessageItem';
import { answerSentence, reminderTitles, templatesToAsk } from './labels';
import './index.css';

interface MessagesData {
  subscriptions: SubscriptionsView;
  messages: MessageView[];
  nextBefore: string | null;
}

type Notice = { tone: 'success' | 'warning'; text: string };

const UNREADABLE = '未能读取微信提醒的设置结果，请再点一次「开启提醒」。';

export default function Messages() {
  const params = usePageParams();
  // the sandbox sheet's answer, recorded by the first load only
  const returned = useRef<string | undefined>(params.subscribeResult);
  const [notice, setNotice] = useState<Notice>();
  const [actionError, setActionError] = useState<unknown>();
  const [asking, setAsking] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const { state, reload, update } = useLoading<MessagesData>(async () => {
    let recorded: SubscriptionsView | undefined;
    const result = returned.current;
    returned.current = undefined;
    if (result !== undefined) {
      const answer = decodeSubscribeResult(result);
      if (!answer) setNotice({ tone: 'warning', text: UNREADABLE });
      else {
        try {
          recorded = await notificationsApi.recordSubscriptions(answer);
          setNotice({ tone: 'success', text: answerSentence(answer, recorded) });
        } catch (error) {
          setActionError(error);
        }
      }
    }
    const [subscriptions, page] = await Promise.all([
      recorded ?? notificationsApi.subscriptions(),
      notificationsApi.messages(),
    ]);
    return { subscriptions, messages: page.messages, nextBefore: page.nextBefore };
  });
  usePageReturn(() => void reload());

  /** Records what the sheet answered (weapp) and shows the new state. */
  async function record(answer: SubscribeAnswer) {
    if (answer.accepted.length + answer.rejected.length === 0) return;
    const subscriptions = await notificationsApi.recordSubscriptions(answer);
    update((data) => ({ ...data, subscriptions }));
    setNotice({ tone: 'success', text: answerSentence(answer, subscriptions) });
  }

  /** The tap: the sheet is asked for before anything is awaited (WeChat opens it only from a tap). */
  function askWeChat(subscriptions: SubscriptionsView) {
    setActionError(undefined);
    setNotice(undefined);
    let answered: Promise<SubscribeAnswer | null>;
    try {
      answered = bridge.requestSubscribe(templatesToAsk(subscriptions, bridge.subscribeLimit));
    } catch (error) {
      setActionError(error);
      return;
    }
    setAsking(true);
    answered
      .then((answer) => (answer ? record(answer) : undefined))
      .catch(setActionError)
      .finally(() => setAsking(false));
  }

  async function loadMore(before: string) {
    setLoadingMore(true);
    setActionError(undefined);
    try {
      const page = await notificationsApi.messages(before);
      update((data) => {
        const seen = new Set(data.messages.map((m) => m.id));
        return {
          ...data,
          messages: [...data.messages, ...page.messages.filter((m) => !seen.has(m.id))],
          nextBefore: page.nextBefore,
        };
      });
    } catch (error) {
      setActionError(error);
    } finally {
      setLoadingMore(false);
    }
  }

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  const { subscriptions, messages, nextBefore } = state.data;
  const titles = reminderTitles(subscriptions);
  return (
    <View className="page messages">
      <View className="card messages-reminders" id="reminders">
        <View className="row">
          <Text className="card-title messages-reminders-title">微信消息提醒</Text>
          <Text
            className="link messages-settings-link"
            id="messages-settings"
            onClick={() => openPage('settings')}
          >
            提醒设置
          </Text>
        </View>
        {titles.on.length > 0 ? (
          <Text className="messages-on" id="reminders-on">
            已开启：{titles.on.join('、')}
          </Text>
        ) : (
          <Text className="messages-on" id="reminders-on">
            尚未开启。开启后，缴费、退款结果会推送到微信的「服务通知」。
          </Text>
        )}
        {titles.on.length > 0 && titles.off.length > 0 ? (
          <Text className="muted messages-off" id="reminders-off">
            未开启：{titles.off.join('、')}
          </Text>
        ) : null}
        {notice ? (
          <View className={`notice notice--${notice.tone} messages-notice`} id="reminders-notice">
            <Text>{notice.text}</Text>
          </View>
        ) : null}
        <Button
          id="subscribe-button"
          className={titles.on.length > 0 ? 'btn' : 'btn btn--primary'}
          disabled={asking || undefined}
          onClick={() => askWeChat(subscriptions)}
        >
          {titles.on.length > 0 ? '管理提醒' : '开启提醒'}
        </Button>
      </View>

      {actionError ? <ErrorNotice error={actionError} /> : null}

      <Text className="section-title">消息记录</Text>
      {messages.length === 0 ? (
        <Empty title="暂无消息" message="缴费、退款的结果和待缴费提醒会显示在这里。" />
      ) : (
        <View className={state.refreshing ? 'messages-list messages-list--refreshing' : 'messages-list'}>
          {messages.map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
        </View>
      )}
      {nextBefore ? (
        <Button
          id="messages-more"
          className="btn btn--plain"
          disabled={loadingMore || undefined}
          onClick={() => void loadMore(nextBefore)}
        >
          {loadingMore ? '加载中…' : '加载更多'}
        </Button>
      ) : messages.length > 0 ? (
        <Text className="muted messages-end">没有更多消息了</Text>
      ) : null}
    </View>
  );
}
