/** The floor's pure parts: how a flow's SQL / Redis totals are spread over its steps, its order numbers. */
import { shareOf, STEPS_PER_FLOW } from '../../bench/floor/filler';
import { newOrderNo } from '../../bench/floor/state';
import { expectedHops } from '../../bench/floor';

function spend(total: number, steps: number): number[] {
  let left = total;
  return Array.from({ length: steps }, (_, i) => {
    const share = shareOf(total, left, i === steps - 1);
    left -= share;
    return share;
  });
}

describe('the floor', () => {
  it.each([0, 1, 5, 8, 9, 10, 37, 58, 200])(
    'spends exactly %i per flow, insured (9 steps) or cash-only (8 steps)',
    (total) => {
      for (const steps of [STEPS_PER_FLOW, STEPS_PER_FLOW - 1]) {
        const shares = spend(total, steps);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(shares.every((s) => s >= 0)).toBe(true);
      }
    },
  );

  it('spreads a flow evenly over its steps', () => {
    expect(spend(45, STEPS_PER_FLOW)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(spend(45, STEPS_PER_FLOW - 1)).toEqual([5, 5, 5, 5, 5, 5, 5, 10]);
  });

  it('numbers orders as WeChat’s serial_no allows (≤ 20 characters, letters and digits)', () => {
    const numbers = new Set(Array.from({ length: 1000 }, () => newOrderNo()));
    expect(numbers.size).toBe(1000);
    for (const n of numbers) expect(n).toMatch(/^[0-9A-Z]{6,20}$/);
  });

  it('expects 8 outgoing calls of a cash-only flow and 15 of an insured one (5 to the insurance platform)', () => {
    expect(expectedHops(false)).toHaveLength(8);
    expect(expectedHops(true)).toHaveLength(15);
    expect(expectedHops(true).filter((h) => h.startsWith('insurance'))).toHaveLength(5);
  });
});
