import { Text } from '@tarojs/components';
import type { Tone } from '../services/labels';

export function Tag({ tone = 'info', children, id }: { tone?: Tone; children: string; id?: string }) {
  return (
    <Text id={id} className={`tag tag--${tone}`}>
      {children}
    </Text>
  );
}
