/**
 * Runs `onReturn` each time the page shows again: Taro's didShow (another page closed over it, the app came to
 * the foreground) and, in the H5 build, a page the browser restores from its back-forward cache — the patient
 * pressing back in the WeChat cashier returns to the confirm page exactly as it was left, JS state included.
 */
import { useEffect, useRef } from 'react';
import { useDidShow } from '@tarojs/taro';

export function usePageReturn(onReturn: () => void): void {
  const ref = useRef(onReturn);
  ref.current = onReturn;
  useDidShow(() => ref.current());
  useEffect(() => {
    // weapp's runtime window never sends pageshow; only a browser does
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
    const restored = (e: PageTransitionEvent) => {
      if (e.persisted) ref.current();
    };
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);
}
