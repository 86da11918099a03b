/**
 * Loading / ready / error for a console page's data: loads on mount and whenever `deps` change, again when the
 * page shows after another page (back from a drill-down), and on `reload()`. While reloading, the last data
 * stays on screen. `update` changes the data in place (an action's answer replaces one row).
 */
import { useEffect, useRef } from 'react';
import { useDidShow } from '@tarojs/taro';
import { useLoading, type Loading } from '../useLoader';
import type { Paged } from './api';
import { useSubmit } from './useSubmit';

export function useConsoleData<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loading<T> {
  const loading = useLoading(load);
  const { reload } = loading;
  const shown = useRef(false);

  useEffect(() => {
    void reload();
    // deps are the caller's query: a new query is a new load
  }, deps);

  useDidShow(() => {
    // the first show is the mount (loaded above); later shows come back from another page
    if (shown.current) void reload();
    shown.current = true;
  });

  return loading;
}

/**
 * The next page of a paged list that useConsoleData loaded: fetched from its cursor and appended in place
 * (`update`). Busy, the last try's error and the click: LoadMore's props but its id and cursor.
 */
export function useLoadMore<T>(
  update: (change: (data: Paged<T>) => Paged<T>) => void,
  fetchPage: (cursor: string) => Promise<Paged<T>>,
): { busy: boolean; error: unknown; onMore: (cursor: string) => void } {
  const more = useSubmit();
  const onMore = (cursor: string) => {
    void more
      .run(() => fetchPage(cursor))
      .then((next) => {
        if (next) update((page) => ({ items: [...page.items, ...next.items], nextCursor: next.nextCursor }));
      });
  };
  return { busy: more.busy, error: more.error, onMore };
}
