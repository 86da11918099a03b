/**
 * Loading / ready / error for one page's data, reloaded each time the page shows (coming back from another
 * page, or to a page the browser kept in its back-forward cache, refreshes it). While reloading, the last data stays on screen.
 */
import { useCallback, useRef, useState } from 'react';
import { usePageReturn } from './usePageReturn';

export type Loaded<T> =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; data: T; refreshing: boolean };

export interface Loading<T> {
  state: Loaded<T>;
  reload: () => Promise<void>;
  /** changes the data in place (an action's answer replaces one row); nothing before the data is there */
  update: (change: (data: T) => T) => void;
}

/**
 * The state of `load`'s data and the means to load it again (when is the caller's: useLoader, the console's
 * useConsoleData). Only the latest reload's answer counts; one still under way when a newer starts is dropped.
 */
export function useLoading<T>(load: () => Promise<T>): Loading<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

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

  return { state, reload, update };
}

export function useLoader<T>(load: () => Promise<T>): { state: Loaded<T>; reload: () => Promise<void> } {
  const { state, reload } = useLoading(load);
  usePageReturn(() => {
    void reload();
  });
  return { state, reload };
}
