/**
 * Idempotency-Key per checkout attempt (STYLE 9): one key per patient + bill set, made before the first try and
 * kept in storage across retries (a timeout, a crash, a reload) until the server has answered for good: the
 * order was created, or the request was refused. A retry after an unknown outcome thus gets the first answer
 * back instead of a second order. Choosing the other way to pay (insurance ↔ cash) is a new request: new key.
 */
import type { CreateOrderRequest } from '../../shared/api';
import { readValue, writeValue } from './storage';

interface StoredKey {
  key: string;
  useInsurance: boolean;
}

export function attemptSlot(patientId: string, billNos: readonly string[]): string {
  return `medins.checkout.${patientId}.${[...billNos].sort().join(',')}`;
}

function newKey(): string {
  const random = Array.from({ length: 4 }, () =>
    Math.floor(Math.random() * 0x1_0000_0000)
      .toString(36)
      .padStart(7, '0'),
  ).join('');
  return `co-${Date.now().toString(36)}-${random}`;
}

/** The key for this attempt: the stored one when it was made for the same request, else a new stored one. */
export function checkoutKey(request: CreateOrderRequest): string {
  const slot = attemptSlot(request.patientId, request.billNos);
  const raw = readValue(slot);
  if (raw) {
    try {
      const stored = JSON.parse(raw) as StoredKey;
      if (stored.useInsurance === request.useInsurance && typeof stored.key === 'string') return stored.key;
    } catch {
      // unreadable: replace it
    }
  }
  const key = newKey();
  writeValue(slot, JSON.stringify({ key, useInsurance: request.useInsurance } satisfies StoredKey));
  return key;
}

/** The server answered for good (order created, or a refusal it would replay): the next attempt is new. */
export function finishCheckoutAttempt(request: CreateOrderRequest): void {
  writeValue(attemptSlot(request.patientId, request.billNos), undefined);
}
