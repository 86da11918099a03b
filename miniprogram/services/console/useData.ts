/**
 * Loading / ready / error for a console page's data: loads on mount and whenever `deps` change, again when the
 * page shows after another page (back from a drill-down), and on `reload()`. While reloading, the last data
 * stays on screen. `update` changes the data in place (an action's answer replaces one row).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import type { Loaded } from '../useLoader';

export function useConsoleData<T>(
  load: () => Promise<T>,
  deps: readonly unknown[] = [],
): { state: Loaded<T>; reload: () => Promise<void>; update: (change: (data: T) => T) => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const shown = useRef(false);

  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    setState((s) => (s.status === 'ready' ? { ...s, refreshing: true } : { status: 'loading' }));
    try {
      const data = await loadRef.current();
      if (ticket === latest.current) setState({ status: 'ready', data, refreshing: false });
    } catch (error) {
      if (ticket === latest.current) setState({ status: 'error', error });
    }
  }, []);

  const update = useCallback((change: (data: T) => T) => {
    setState((s) => (s.status === 'ready' ? { ...s, data: change(s.data) } : s));
  }, []);

  useEffect(() => {
    void reload();
    // deps are the caller's query: a new query is a new load
  }, deps);

  useDidShow(() => {
    // the first show is the mount (loaded above); later shows come back from another page
    if (shown.current) void reload();
    shown.current = true;
  });

  return { state, reload, update };
}
