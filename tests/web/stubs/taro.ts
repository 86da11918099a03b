/**
 * A small @tarojs/taro for jsdom: in-memory storage, recorded navigation, a router whose path and params a
 * test sets, and `request` as a jest mock. Only what the mini-program uses.
 */
import { useEffect } from 'react';

const storage = new Map<string, unknown>();
const router: { path: string; params: Record<string, string> } = { path: '/pages/home/index', params: {} };
const ok = () => Promise.resolve({ errMsg: 'ok' });

const Taro = {
  getCurrentInstance: () => ({ router }),
  getCurrentPages: jest.fn(() => [] as unknown[]),
  getStorageSync: (key: string) => storage.get(key) ?? '',
  setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
  removeStorageSync: (key: string) => void storage.delete(key),
  navigateTo: jest.fn(ok),
  redirectTo: jest.fn(ok),
  reLaunch: jest.fn(ok),
  navigateBack: jest.fn(ok),
  showToast: jest.fn(ok),
  /** the patient's answer to a confirmation dialog: confirm unless a test says otherwise */
  showModal: jest.fn(() => Promise.resolve({ confirm: true, cancel: false, errMsg: 'showModal:ok' })),
  request: jest.fn(),
  login: jest.fn(),
  onAppShow: jest.fn(),
};

/** Runs on mount, like a page's first show. */
export function useDidShow(callback: () => void): void {
  useEffect(() => {
    callback();
    // first show only: tests trigger later shows by remounting
  }, []);
}

/** Fresh state for each test: empty storage, a page path and its params, cleared mocks. */
export function resetTaro(page: { path?: string; params?: Record<string, string> } = {}): void {
  storage.clear();
  router.path = page.path ?? '/pages/home/index';
  router.params = page.params ?? {};
  for (const value of Object.values(Taro)) {
    if (jest.isMockFunction(value)) value.mockClear();
  }
  Taro.request.mockReset();
}

export default Taro;
