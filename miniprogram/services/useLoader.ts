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

export function useLoader<T>(load: () => Promise<T>): { state: Loaded<T>; reload: () => Promise<void> } {
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

  usePageReturn(() => {
    void reload();
  });

  return { state, reload };
}
