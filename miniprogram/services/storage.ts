/** What the mini-program keeps on the device: the session token, the current card, pending checkout keys. */
import Taro from '@tarojs/taro';

const KEYS = {
  token: 'medins.session.token',
  currentPatient: 'medins.patient.current',
  afterLogin: 'medins.session.afterLogin',
} as const;

function read(key: string): string | undefined {
  try {
    const value: unknown = Taro.getStorageSync(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined) Taro.removeStorageSync(key);
    else Taro.setStorageSync(key, value);
  } catch {
    // storage full or unavailable: the app still works for this visit
  }
}

export const getToken = () => read(KEYS.token);
export const setToken = (token: string | undefined) => write(KEYS.token, token);

export const getCurrentPatientId = () => read(KEYS.currentPatient);
export const setCurrentPatientId = (id: string | undefined) => write(KEYS.currentPatient, id);

/** The page (url with query) to return to once logged in. */
export const getAfterLogin = () => read(KEYS.afterLogin);
export const setAfterLogin = (url: string | undefined) => write(KEYS.afterLogin, url);

/** Raw access for other modules that own their keys (idempotency). */
export const readValue = read;
export const writeValue = write;
