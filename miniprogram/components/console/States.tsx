/** The console's loading, empty and error states (desktop look); the server's message is always shown. */
import type { ReactNode } from 'react';
import { ApiError, messageOf } from '../../services/errors';
import { consoleHeadline } from '../../services/console/labels';
import type { Tone } from '../../services/labels';
import type { Loaded } from '../../services/useLoader';

export function CLoading({ text = '加载中…' }: { text?: string }) {
  return (
    <div className="c-state c-state--loading" role="status">
      <span className="c-spinner" aria-hidden="true" />
      {text}
    </div>
  );
}

export function CEmpty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="c-state c-state--empty">
      <div className="c-state-title">{title}</div>
      {children ? <div className="c-state-message">{children}</div> : null}
    </div>
  );
}

export function CError({ error, onRetry, id }: { error: unknown; onRetry?: () => void; id?: string }) {
  return (
    <div className="c-state c-state--error" id={id ?? 'c-error'} role="alert">
      <div className="c-state-title">{consoleHeadline(error)}</div>
      <div className="c-state-message c-error-message">{messageOf(error)}</div>
      {error instanceof ApiError && error.status > 0 ? (
        <div className="c-muted c-error-ref">错误编号 {error.code}</div>
      ) : null}
      {onRetry ? (
        <button type="button" className="c-btn" onClick={onRetry}>
          重试
        </button>
      ) : null}
    </div>
  );
}

/** A failed action on a page that still shows its data: headline and the server's message, on one line. */
export function CErrorNotice({ error, id }: { error: unknown; id?: string }) {
  return (
    <div className="c-notice c-notice--danger" id={id ?? 'c-action-error'} role="alert">
      <strong>{consoleHeadline(error)}</strong>：<span className="c-error-message">{messageOf(error)}</span>
      {error instanceof ApiError && error.status > 0 ? (
        <span className="c-muted c-error-ref"> 错误编号 {error.code}</span>
      ) : null}
    </div>
  );
}

export function CNotice({
  tone = 'info',
  children,
  id,
  className,
}: {
  tone?: Tone;
  children: ReactNode;
  id?: string;
  className?: string;
}) {
  return (
    <div className={`c-notice c-notice--${tone}${className ? ` ${className}` : ''}`} id={id}>
      {children}
    </div>
  );
}

export function CTag({ tone = 'info', children, id }: { tone?: Tone; children: ReactNode; id?: string }) {
  return (
    <span id={id} className={`c-tag c-tag--${tone}`}>
      {children}
    </span>
  );
}

/**
 * Renders `children(data)` when ready, else the loading or error state. `isEmpty` + `empty` give the empty
 * state. While refreshing, the data stays and a thin bar says so.
 */
export function DataState<T>({
  state,
  onRetry,
  isEmpty,
  empty,
  children,
}: {
  state: Loaded<T>;
  onRetry: () => void;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'loading') return <CLoading />;
  if (state.status === 'error') return <CError error={state.error} onRetry={onRetry} />;
  return (
    <div className={state.refreshing ? 'c-refreshing' : undefined}>
      {isEmpty?.(state.data) ? empty : children(state.data)}
    </div>
  );
}

/** The next page of a list (keyset cursor): its error, if the last try failed, and the button. */
export function LoadMore({
  id,
  cursor,
  busy,
  error,
  onMore,
}: {
  id: string;
  cursor: string | undefined;
  busy: boolean;
  error: unknown;
  onMore: (cursor: string) => void;
}) {
  return (
    <>
      {error ? <CErrorNotice error={error} /> : null}
      {cursor ? (
        <div className="c-more">
          <button type="button" id={id} className="c-btn" disabled={busy} onClick={() => onMore(cursor)}>
            {busy ? '加载中…' : '加载更多'}
          </button>
        </div>
      ) : null}
    </>
  );
}
