/** Loading, empty and error states: every page shows one of these before (or instead of) its data. */
import type { ReactNode } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { headlineOf, messageOf, noticeOf, supportRefOf } from '../services/errors';
import type { Loaded } from '../services/useLoader';

export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className="state state--loading">
      <Text className="state-title">{text}</Text>
    </View>
  );
}

export function Empty({
  title,
  message,
  children,
}: {
  title: string;
  message?: string;
  children?: ReactNode;
}) {
  return (
    <View className="state state--empty">
      <Text className="state-title">{title}</Text>
      {message ? <Text className="state-message">{message}</Text> : null}
      {children}
    </View>
  );
}

/** The server's own `message` is always shown, under a Chinese headline for its code. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <View className="state state--error" id="error-state">
      <Text className="state-title">{headlineOf(error)}</Text>
      <Text className="state-message" id="error-message">
        {messageOf(error)}
      </Text>
      {supportRefOf(error) ? <Text className="muted error-ref">{supportRefOf(error)}</Text> : null}
      {onRetry ? (
        <Button className="btn" onClick={onRetry}>
          重试
        </Button>
      ) : null}
    </View>
  );
}

/** An inline error (a failed action on a page that still shows its data). */
export function ErrorNotice({ error }: { error: unknown }) {
  return (
    <View className="notice notice--danger" id="action-error">
      <Text>{noticeOf(error)}</Text>
      {supportRefOf(error) ? <Text className="muted error-ref">{supportRefOf(error)}</Text> : null}
    </View>
  );
}

/** A whole page while its data is still loading or failed to load (pages return it until the data is ready). */
export function PageNotReady({
  state,
  onRetry,
  loadingText,
}: {
  state: Exclude<Loaded<unknown>, { status: 'ready' }>;
  onRetry: () => void;
  loadingText?: string;
}) {
  return (
    <View className="page">
      {state.status === 'loading' ? (
        <Loading text={loadingText} />
      ) : (
        <ErrorState error={state.error} onRetry={onRetry} />
      )}
    </View>
  );
}
