/**
 * A page's query parameters: Taro's router params (decoded: the H5 router leaves them encoded) merged with what
 * a redirect brought back to this page (H5: the WeChat sandbox or the insurance authorization page append
 * `code=` / `authCode=` / `result=` to the URL; weapp: the insurance mini-program's extraData). Read once per
 * page instance.
 */
import { useState } from 'react';
import Taro from '@tarojs/taro';
import { bridge } from './bridge/index';

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function readPageParams(): Record<string, string> {
  const router = Taro.getCurrentInstance().router;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(router?.params ?? {})) {
    if (typeof value === 'string' && key !== 'stamp' && !key.startsWith('$')) params[key] = decode(value);
  }
  const path = router?.path?.split('?')[0] ?? '';
  return { ...params, ...bridge.takeReturnedParams(path) };
}

export function usePageParams(): Record<string, string> {
  const [params] = useState(readPageParams);
  return params;
}
