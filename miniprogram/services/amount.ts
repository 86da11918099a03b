/** Amounts a person types in yuan, turned into fen exactly (shared/money's yuanToFen: no float ever). */
import { formatFen, yuanToFen } from '../../shared/money';

export type AmountInput = { ok: true; amountFen?: number } | { ok: false; error: string };

/**
 * '' → no amount (the server takes the rest); '12.34' → 1234 fen. More than two decimals, zero, negatives,
 * or more than `maxFen` (what is left to refund) → an error in Chinese.
 */
export function parseYuanInput(text: string, maxFen?: number): AmountInput {
  const value = text.trim().replace(/^¥/, '');
  if (value === '') return { ok: true };
  let fen: number;
  try {
    fen = yuanToFen(value);
  } catch {
    return { ok: false, error: '金额格式不正确：请输入元，最多两位小数，如 12.34' };
  }
  if (fen <= 0) return { ok: false, error: '金额必须大于 0' };
  if (maxFen !== undefined && fen > maxFen)
    return { ok: false, error: `金额不能超过可退金额 ${formatFen(maxFen)}` };
  return { ok: true, amountFen: fen };
}
