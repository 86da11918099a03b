import {
  Journal,
  missReasons,
  pathNearness,
  verifyEntries,
  type JournalEntry,
} from '../../mocks/common/journal';
import { drawLatency, Faults, faultSchema, seededRandom } from '../../mocks/common/faults';
import { nextDayAtCst, parseDuration, parseInstant } from '../../mocks/common/tools';

const T0 = Date.parse('2026-12-01T02:00:00Z');

function journalOf(entries: Partial<JournalEntry>[]): Journal {
  const journal = new Journal(100);
  for (const e of entries) {
    journal.add({
      atMs: T0,
      method: 'POST',
      path: '/his/charges/confirm',
      query: '',
      requestBody: '',
      status: 200,
      responseBody: '',
      durationMs: 1,
      tags: {},
      ...e,
    });
  }
  return journal;
}

describe('journal search', () => {
  const journal = journalOf([
    {
      path: '/his/charges/confirm',
      requestBody: '{"order_no":"A1"}',
      tags: { orderNo: 'A1', scenario: 'slow' },
    },
    { path: '/his/charges/confirm', requestBody: '{"order_no":"B2"}', status: 503, atMs: T0 + 60_000 },
    { method: 'GET', path: '/his/bills/MZ1', responseBody: '{"status":"UNPAID"}', atMs: T0 + 120_000 },
  ]);

  it('filters by path, method, status class, tags, free text and time range, newest first', () => {
    expect(journal.search({ path: 'confirm' }).map((e) => e.seq)).toEqual([2, 1]);
    expect(journal.search({ method: 'get' }).map((e) => e.seq)).toEqual([3]);
    expect(journal.search({ status: '5xx' }).map((e) => e.seq)).toEqual([2]);
    expect(journal.search({ status: 200 }).map((e) => e.seq)).toEqual([3, 1]);
    expect(journal.search({ tag: ['orderNo=A1', 'scenario=slow'] }).map((e) => e.seq)).toEqual([1]);
    expect(journal.search({ tag: ['orderNo=A1', 'scenario=fast'] })).toEqual([]);
    expect(journal.search({ text: 'unpaid' }).map((e) => e.seq)).toEqual([3]);
    expect(journal.search({ text: '"B2"' }).map((e) => e.seq)).toEqual([2]);
    expect(journal.search({ fromMs: T0 + 1, untilMs: T0 + 60_000 }).map((e) => e.seq)).toEqual([2]);
    expect(journal.search({ limit: 1 }).map((e) => e.seq)).toEqual([3]);
  });

  it('is bounded', () => {
    const small = new Journal(3);
    for (let i = 0; i < 5; i++)
      small.add({
        atMs: i,
        method: 'GET',
        path: `/p${i}`,
        query: '',
        requestBody: '',
        status: 200,
        responseBody: '',
        durationMs: 0,
        tags: {},
      });
    expect(small.size).toBe(3);
    expect(small.search().map((e) => e.path)).toEqual(['/p4', '/p3', '/p2']);
  });
});

describe('journal verification', () => {
  it('counts exact matches against times: n and {atLeast, atMost}', () => {
    const journal = journalOf([
      { requestBody: '{"order_no":"A1"}' },
      { requestBody: '{"order_no":"A1"}', status: 503, fault: 'error5xx' },
      { requestBody: '{"order_no":"A1"}' },
      { requestBody: '{"order_no":"B2"}' },
    ]);
    const x = { method: 'POST', path: '/his/charges/confirm', bodyContains: '"A1"' };
    expect(journal.verify({ ...x, times: 3 })).toMatchObject({ ok: true, count: 3 });
    expect(journal.verify({ ...x, times: 2 })).toMatchObject({ ok: false, count: 3 });
    expect(journal.verify({ ...x, times: { atLeast: 1, atMost: 3 } }).ok).toBe(true);
    expect(journal.verify({ ...x, times: { atMost: 2 } }).ok).toBe(false);
    expect(journal.verify({ ...x, path: '/his/charges/*' }).count).toBe(3);
    const v = journal.verify({ ...x, times: 3 });
    expect(v.matches.map((m) => m.seq)).toEqual([3, 2, 1]);
    expect(v.matches[1]).toMatchObject({ status: 503, fault: 'error5xx' });
    expect(v.expected).toBe('POST /his/charges/confirm with a body containing "\\"A1\\"", exactly 3 times');
    // the B2 call is a near miss: same method and path, the body lacks the text
    expect(v.nearMisses).toHaveLength(1);
    expect(v.nearMisses[0].hints).toEqual(['the request body does not contain "\\"A1\\""']);
  });

  it('can count only the calls answered with a status (or class), and counts per status', () => {
    const journal = journalOf([{}, { status: 503, fault: 'error5xx' }, {}, { status: 401 }]);
    const all = journal.verify({ path: '/his/charges/confirm' });
    expect(all).toMatchObject({ ok: true, count: 4, byStatus: { '200': 2, '401': 1, '503': 1 } });
    const ok = journal.verify({ path: '/his/charges/confirm', status: '2xx', times: 2 });
    expect(ok).toMatchObject({ ok: true, count: 2, byStatus: { '200': 2, '401': 1, '503': 1 } });
    expect(ok.expected).toBe('any method /his/charges/confirm answered 2xx, exactly 2 times');
    const failed = journal.verify({ path: '/his/charges/confirm', status: 503 });
    expect(failed.count).toBe(1);
    expect(failed.nearMisses.map((m) => m.hints)).toContainEqual(['answered 200, not 503']);
  });

  it('explains near misses: other method, one segment off, prefix, tag, time range', () => {
    const entries = journalOf([
      { method: 'GET', path: '/v3/pay/transactions/out-trade-no/ORD1' },
      { method: 'POST', path: '/v3/pay/transactions/out-trade-no/ORD2' },
      { method: 'POST', path: '/v3/pay/transactions/out-trade-no/ORD1/close' },
      { method: 'POST', path: '/v3/pay/transactions/out-trade-no/ORD1', atMs: T0 - 1 },
      { method: 'POST', path: '/v3/refund/domestic/refunds' },
      { method: 'POST', path: '/org/local/api/hos/pay_order', tags: { infno: '6202', medOrgOrd: 'X' } },
    ]).search({ limit: 100 });
    const v = verifyEntries(entries, {
      method: 'POST',
      path: '/v3/pay/transactions/out-trade-no/ORD1',
      fromMs: T0,
      times: 1,
    });
    expect(v).toMatchObject({ ok: false, count: 0 });
    const hints = v.nearMisses.map((n) => n.hints.join(' | '));
    expect(hints).toEqual(
      expect.arrayContaining([
        'method was GET, not POST',
        'path /v3/pay/transactions/out-trade-no/ORD2 differs from /v3/pay/transactions/out-trade-no/ORD1 in one segment ("ORD2" instead of "ORD1")',
        'path /v3/pay/transactions/out-trade-no/ORD1/close is longer than /v3/pay/transactions/out-trade-no/ORD1 (extra "/close")',
        expect.stringMatching(/^at 2026-12-01T01:59:59.999Z, before from 2026-12-01T02:00:00.000Z$/),
      ]),
    );
    // another path altogether is not a near miss
    expect(v.nearMisses.map((n) => n.path)).not.toContain('/v3/refund/domestic/refunds');
    expect(v.nearMisses.map((n) => n.path)).not.toContain('/org/local/api/hos/pay_order');

    const tagged = verifyEntries(entries, {
      path: '/org/local/api/hos/pay_order',
      tags: { infno: '6202', medOrgOrd: 'Y' },
      times: 1,
    });
    expect(tagged.nearMisses[0].hints).toEqual(['tag medOrgOrd was "X", not "Y"']);
  });

  it('says when a tag is missing because a fault answered first, and when a body is encrypted', () => {
    const faulted = missReasons(
      { path: '/org/local/api/hos/pay_order', tags: { medOrgOrd: 'A' }, bodyContains: 'ORD9' },
      {
        seq: 1,
        atMs: T0,
        method: 'POST',
        path: '/org/local/api/hos/pay_order',
        query: '',
        requestBody: '{"appId":"1H","encData":"ABCD"}',
        status: 502,
        responseBody: '',
        durationMs: 0,
        fault: 'error5xx',
        tags: {},
      },
    );
    expect(faulted).toEqual([
      'the request body does not contain "ORD9" (the body is encrypted: match a tag instead)',
      "tag medOrgOrd is absent (the error5xx fault answered before the mock's handler could tag it)",
    ]);
  });

  it('path nearness', () => {
    expect(pathNearness('/a/b/c', '/a/b/c')).toBeNull();
    expect(pathNearness('/a/b/c', '/a/x/c')).toMatch(/one segment/);
    expect(pathNearness('/a/b/c', '/a/b')).toMatch(/prefix/);
    expect(pathNearness('/a/b/c', '/A/B/C')).toMatch(/case/);
    expect(pathNearness('/a/b/c', '/x/y/z')).toBeNull();
  });
});

describe('faults', () => {
  it('validates specs', () => {
    expect(
      faultSchema.safeParse({ path: '/', kind: 'latency', latency: { uniform: { minMs: 5, maxMs: 1 } } })
        .success,
    ).toBe(false);
    expect(
      faultSchema.safeParse({ path: '/', kind: 'latency', latency: { longTail: { p50Ms: 50, p99Ms: 10 } } })
        .success,
    ).toBe(false);
    expect(faultSchema.safeParse({ path: '/', kind: 'error5xx', rate: 1.5 }).success).toBe(false);
    expect(faultSchema.safeParse({ path: '/', kind: 'nonsense' }).success).toBe(false);
    expect(faultSchema.safeParse({ path: 'no-slash', kind: 'reset' }).success).toBe(false);
    expect(faultSchema.safeParse({ path: '/', kind: 'reset', extra: 1 }).success).toBe(false);
    expect(faultSchema.parse({ path: '/', kind: 'reset', method: 'post' }).method).toBe('POST');
  });

  it('draws latencies within bounds, reproducibly with a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const spec = { longTail: { p50Ms: 10, p99Ms: 100 } };
    const xs = Array.from({ length: 2000 }, () => drawLatency(spec, a));
    expect(Array.from({ length: 2000 }, () => drawLatency(spec, b))).toEqual(xs);
    expect(Math.max(...xs)).toBeLessThanOrEqual(200);
    const sorted = [...xs].sort((x, y) => x - y);
    expect(sorted[1000]).toBeGreaterThanOrEqual(8);
    expect(sorted[1000]).toBeLessThanOrEqual(12);
    expect(sorted[1980]).toBeGreaterThanOrEqual(60);
    const u = Array.from({ length: 500 }, () => drawLatency({ uniform: { minMs: 3, maxMs: 7 } }, a));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...u)).toBeLessThanOrEqual(7);
    expect(drawLatency({ fixed: 9 }, a)).toBe(9);
  });

  it('applies a rate reproducibly, counts hits and passes, and ends after count', () => {
    const run = () => {
      const faults = new Faults();
      faults.add(faultSchema.parse({ path: '/x', kind: 'error5xx', rate: 0.3, seed: 7 }));
      return Array.from({ length: 100 }, () => faults.take('GET', '/x/y') !== undefined);
    };
    const first = run();
    expect(run()).toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(15);
    expect(hits).toBeLessThan(45);

    const faults = new Faults();
    faults.add(faultSchema.parse({ path: '/x', method: 'POST', kind: 'reset', count: 2 }));
    expect(faults.take('GET', '/x')).toBeUndefined();
    expect(faults.take('POST', '/y')).toBeUndefined();
    expect(faults.take('POST', '/x/1')?.kind).toBe('reset');
    expect(faults.list()[0].hits).toBe(1);
    expect(faults.take('POST', '/x/2')?.hits).toBe(2);
    // used up: it stays listed with its hits, marked exhausted, and acts no more
    expect(faults.list()).toMatchObject([{ hits: 2, exhausted: true }]);
    expect(faults.take('POST', '/x/3')).toBeUndefined();
    expect(faults.list()[0].hits).toBe(2);
  });
});

describe('clock forms', () => {
  it('parses durations, instants and "next day at" in China time', () => {
    expect(parseDuration('3h')).toBe(3 * 3600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('3 hours')).toBeNull();
    expect(parseInstant('2026-12-01T10:00:00+08:00')).toBe(Date.parse('2026-12-01T02:00:00Z'));
    expect(parseInstant(String(T0))).toBe(T0);
    // 2026-12-01 23:30 CST → 2026-12-02 10:00 CST
    expect(new Date(nextDayAtCst(Date.parse('2026-12-01T15:30:00Z'), '10:00')).toISOString()).toBe(
      '2026-12-02T02:00:00.000Z',
    );
    // 2026-12-02 00:30 CST (still 12-01 in UTC) → 2026-12-03 10:00 CST
    expect(new Date(nextDayAtCst(Date.parse('2026-12-01T16:30:00Z'), '10:00')).toISOString()).toBe(
      '2026-12-03T02:00:00.000Z',
    );
  });
});
