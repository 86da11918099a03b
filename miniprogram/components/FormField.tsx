/** A labelled text field of the patient's forms: the label above, the field, and its error (if any) below. */
import { Text, View } from '@tarojs/components';
import { TextField } from './TextField/index';
import type { TextFieldProps } from './TextField/types';

export function FormField({
  label,
  error,
  ...field
}: Omit<TextFieldProps, 'className'> & { label: string; error?: string }) {
  return (
    <View className="field">
      <Text className="field-label">{label}</Text>
      <TextField className="field-input" {...field} />
      {error ? <Text className="field-error">{error}</Text> : null}
    </View>
  );
}
