/**
 * H5: a native <input> (React DOM). Taro's <Input> is a custom element whose inner <input> appears only after
 * it hydrates; a native one is fillable the moment it exists, by people, password managers and tests alike.
 */
import type { TextFieldProps } from './types';

export function TextField({ kind = 'text', maxLength, onChange, ...shown }: TextFieldProps) {
  return (
    <input
      {...shown}
      maxLength={maxLength}
      type={kind === 'number' ? 'tel' : 'text'}
      inputMode={kind === 'number' ? 'numeric' : kind === 'digit' ? 'decimal' : undefined}
      autoComplete="off"
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
