/** A small @tarojs/components for jsdom: plain DOM elements with the props the mini-program passes. */
import type { ReactNode } from 'react';

interface Common {
  id?: string;
  className?: string;
  children?: ReactNode;
  onClick?: () => void;
}

export function View({ id, className, children, onClick }: Common) {
  return (
    <div id={id} className={className} onClick={onClick}>
      {children}
    </div>
  );
}

export function Text({ id, className, children, onClick }: Common) {
  return (
    <span id={id} className={className} onClick={onClick}>
      {children}
    </span>
  );
}

export function Button({
  id,
  className,
  children,
  onClick,
  disabled,
}: Common & { disabled?: boolean; loading?: boolean }) {
  return (
    <button id={id} className={className} disabled={disabled} onClick={onClick}>
      {children}
    </button>
  );
}

interface InputProps {
  id?: string;
  className?: string;
  value?: string;
  placeholder?: string;
  maxlength?: number;
  type?: string;
  onInput?: (event: { detail: { value: string } }) => void;
}

export function Input({ id, className, value, placeholder, maxlength, onInput }: InputProps) {
  return (
    <input
      id={id}
      className={className}
      value={value}
      placeholder={placeholder}
      maxLength={maxlength}
      onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
    />
  );
}
