/** weapp: Taro's <Input> (the native input component), with the matching keyboard. */
import { Input } from '@tarojs/components';
import type { TextFieldProps } from './types';

export function TextField({ kind = 'text', maxLength, onChange, ...shown }: TextFieldProps) {
  return <Input {...shown} maxlength={maxLength} type={kind} onInput={(e) => onChange(e.detail.value)} />;
}
