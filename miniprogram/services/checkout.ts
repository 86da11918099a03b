/** Creating an order (pre-settlement) with the attempt's Idempotency-Key, kept until a final answer. */
import type { CreateOrderRequest, OrderView } from '../../shared/api';
import { api } from './api';
import { ApiError } from './errors';
import { checkoutKey, finishCheckoutAttempt } from './idempotency';

export async function checkout(request: CreateOrderRequest): Promise<OrderView> {
  const key = checkoutKey(request);
  try {
    const order = await api.createOrder(request, key);
    finishCheckoutAttempt(request);
    return order;
  } catch (err) {
    // a refusal is final (the server would replay it for this key); a timeout, a 5xx or a 409 may be retried
    if (err instanceof ApiError && err.isRefusal) finishCheckoutAttempt(request);
    throw err;
  }
}
