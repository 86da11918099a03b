/**
 * What the mini-program keeps on the device: the session token, the current card, pending checkout keys, and a
 * random id of this install (sent as X-Device-Id: the server's risk rules count attempts per device).
 */
import Taro from '@tarojs/taro';

const KEYS = {
  token: 'medins.session.token',
  currentPatient: 'medins.patient.current',
  afterLogin: 'medins.session.afterLogin',
  deviceId: 'medins.device.id',
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

/** 32 random hex digits: crypto.getRandomValues where the runtime has it, else Math.random (an id, not a secret). */
function randomHex32(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const DEVICE_ID = /^[\x21-\x7e]{1,64}$/;

/** This install's device id: made once, then kept (a new one if storage was cleared or holds something odd). */
export function getDeviceId(): string {
  const kept = read(KEYS.deviceId);
  if (kept && DEVICE_ID.test(kept)) return kept;
  const id = `d-${randomHex32()}`;
  write(KEYS.deviceId, id);
  return id;
}

/** Raw access for other modules that own their keys (idempotency). */
export const readValue = read;
export const writeValue = write;
