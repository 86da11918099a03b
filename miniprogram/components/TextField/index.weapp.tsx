/** weapp: Taro's <Input> (the native input component), with the matching keyboard. */
import { Input } from '@tarojs/components';
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
    <Input
      id={id}
      className={className}
      value={value}
      placeholder={placeholder}
      maxlength={maxLength}
      type={kind}
      onInput={(e) => onChange(e.detail.value)}
    />
  );
}
