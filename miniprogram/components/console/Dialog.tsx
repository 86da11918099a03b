/** A modal dialog: title, body, cancel + confirm; Escape cancels; the action's error shows inside it. */
import { useEffect, type ReactNode } from 'react';
import { CErrorNotice } from './States';

interface Props {
  id: string;
  title: string;
  children: ReactNode;
  confirmText: string;
  tone?: 'primary' | 'danger';
  busy?: boolean;
  error?: unknown;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function Dialog({
  id,
  title,
  children,
  confirmText,
  tone = 'primary',
  busy,
  error,
  confirmDisabled,
  onConfirm,
  onCancel,
}: Props) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onCancel]);

  return (
    <div className="c-dialog-backdrop">
      <div className="c-dialog" id={id} role="dialog" aria-modal="true" aria-labelledby={`${id}-title`}>
        <div className="c-dialog-head" id={`${id}-title`}>
          {title}
        </div>
        <div className="c-dialog-body">
          {children}
          {error ? <CErrorNotice error={error} id={`${id}-error`} /> : null}
        </div>
        <div className="c-dialog-foot">
          <button type="button" className="c-btn" id={`${id}-cancel`} onClick={onCancel} disabled={busy}>
            取消
          </button>
          <button
            type="button"
            className={`c-btn c-btn--${tone}`}
            id={`${id}-confirm`}
            onClick={onConfirm}
            disabled={busy || confirmDisabled}
          >
            {busy ? '处理中…' : confirmText}
          </button>
        </div>
      </div>
    </div>
  );
}
