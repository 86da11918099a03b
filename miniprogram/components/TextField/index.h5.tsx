/**
 * H5: a native <input> (React DOM). Taro's <Input> is a custom element whose inner <input> appears only after
 * it hydrates; a native one is fillable the moment it exists, by people, password managers and tests alike.
 */
import type { TextFieldProps } from './types';

export function TextField({
  id,
  className,
  value,
  placeholder,
  maxLength,
  kind = 'text',
  onChange,
}: TextFieldProps) {
  return (
    <input
      id={id}
      className={className}
      value={value}
      placeholder={placeholder}
      maxLength={maxLength}
      type={kind === 'number' ? 'tel' : 'text'}
      inputMode={kind === 'number' ? 'numeric' : kind === 'digit' ? 'decimal' : undefined}
      autoComplete="off"
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
