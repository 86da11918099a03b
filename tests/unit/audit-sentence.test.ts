/** Every audit action the server writes reads as one plain Chinese sentence: yuan, order numbers, no ids. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  auditIdsOf,
  auditSentence,
  type AuditFacts,
  type AuditNames,
} from '../../server/services/console/auditSentence';
import { hasEnglishWord } from '../../shared/messages';

const ORDER_ID = '6f1c2b7e-0000-4000-8000-000000000001';
const REFUND_ID = '6f1c2b7e-0000-4000-8000-000000000002';
const names: AuditNames = {
  orderNos: new Map([[ORDER_ID, 'M2612060001']]),
  refunds: new Map([[REFUND_ID, { refundNo: 'R2612060001', totalFen: 2500 }]]),
};

const row = (
  action: string,
  details: Record<string, unknown> = {},
  more: Partial<AuditFacts> = {},
): AuditFacts => ({
  actor: 'cs1',
  role: 'cashier',
  action,
  target: null,
  details,
  ...more,
});

/** The supervisor sp1 acting on the console user cs2. */
const onUser = (action: string, details: Record<string, unknown> = {}): AuditFacts =>
  row(
    action,
    { userId: ORDER_ID, ...details },
    { role: 'supervisor', actor: 'sp1', target: 'console_user:cs2' },
  );

/** One realistic row per action, with the details its writer gives it. */
const SAMPLES: Record<string, AuditFacts> = {
  'console.login': row('console.login', { ip: '10.0.0.8' }),
  'console.login_failed': row('console.login_failed', {
    ip: '10.0.0.8',
    reason: 'bad_credentials',
    failures: 2,
  }),
  'console.login_refused_locked': row('console.login_refused_locked', {
    ip: '10.0.0.8',
    until: '2026-12-06T02:00:00.000Z',
  }),
  'console.login_refused_throttled': row('console.login_refused_throttled', {
    ip: '10.0.0.8',
    until: '2026-12-06T02:00:00.000Z',
  }),
  'console.login_refused_disabled': row('console.login_refused_disabled', { ip: '10.0.0.8' }),
  'console.locked': row('console.locked', {
    ip: '10.0.0.8',
    failures: 5,
    lockedUntil: '2026-12-06T02:00:00.000Z',
  }),
  'console.logout': row('console.logout', { ip: '10.0.0.8' }),
  'console.password_changed': row('console.password_changed', {}),
  'console.user_created': row(
    'console.user_created',
    { role: 'supervisor' },
    { actor: 'system', role: 'system', target: 'console_user:sp1' },
  ),
  'console.user_create': row(
    'console.user_create',
    { username: 'cs2', role: 'cashier' },
    { role: 'supervisor', actor: 'sp1' },
  ),
  'console.user_disabled': onUser('console.user_disabled'),
  'console.user_enabled': onUser('console.user_enabled'),
  'console.password_reset': onUser('console.password_reset'),
  'console.totp_reenrolled': onUser('console.totp_reenrolled'),
  'console.unlocked': onUser('console.unlocked', { addresses: 1 }),
  'order.refund': row(
    'order.refund',
    { refundId: REFUND_ID, amount: 10000, reason: '患者取消检查' },
    { target: ORDER_ID },
  ),
  'refund.approve': row('refund.approve', { refundId: REFUND_ID }, { role: 'supervisor', actor: 'sp1' }),
  'refund.reject': row(
    'refund.reject',
    { refundId: REFUND_ID, reason: '金额有误' },
    { role: 'supervisor', actor: 'sp1' },
  ),
  'refund_request.approve': row('refund_request.approve', {
    orderId: ORDER_ID,
    refundId: REFUND_ID,
    amount: 'rest',
  }),
  'refund_request.reject': row('refund_request.reject', { orderId: ORDER_ID, reason: '检查已完成' }),
  'reconciliation.run': row('reconciliation.run', {
    date: '2026-12-06',
    summary: { matched: 10, over: 1, short: 0, amountMismatch: 1, statusMismatch: 0, cutoff: 2 },
  }),
  'reconciliation.export': row('reconciliation.export', { date: '2026-12-06', discrepancies: true }),
  'recon_row.resolve': row('recon_row.resolve', {
    runId: REFUND_ID,
    orderNo: 'M2612060001',
    kind: 'OVER',
    reason: '已核实',
  }),
  'recon_row.retry_his_confirm': row('recon_row.retry_his_confirm', {
    runId: REFUND_ID,
    orderNo: 'M2612060001',
    kind: 'STATUS_MISMATCH',
    orderId: ORDER_ID,
  }),
  'recon_row.post_missing': row('recon_row.post_missing', {
    runId: REFUND_ID,
    orderNo: 'M2612060001',
    kind: 'SHORT',
    orderId: ORDER_ID,
    receiptNo: 'P0001',
    reason: '补录',
  }),
  'recon_row.return_late_payment': row('recon_row.return_late_payment', {
    runId: REFUND_ID,
    orderNo: 'M2612060001',
    kind: 'OVER',
    refundNo: 'R2612060001',
    reason: '迟到付款',
  }),
  'recon_row.refund': row('recon_row.refund', {
    runId: REFUND_ID,
    orderNo: 'M2612060001',
    kind: 'OVER',
    refundId: REFUND_ID,
    amount: 2500,
    reason: '多收',
  }),
  'day.close': row(
    'day.close',
    { runId: REFUND_ID },
    { role: 'supervisor', actor: 'sp1', target: '2026-12-06' },
  ),
};

/** The action names the server writes, found in its source: a new one without a sample fails here. */
function actionsInSource(dir: string): Set<string> {
  const found = new Set<string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) actionsInSource(path).forEach((a) => found.add(a));
    else if (path.endsWith('.ts'))
      for (const m of readFileSync(path, 'utf8').matchAll(
        /'((?:console|order|recon_row|reconciliation|day|refund_request)\.[a-z_]+)'/g,
      ))
        found.add(m[1]);
  }
  return found;
}

/** strips what is not words: names, numbers, dates, addresses */
const wordsOf = (s: string) => s.replace(/\b(cs\d|sp\d|system|[MRP]\d+)\b/g, '');

describe('audit sentences', () => {
  it('has a sample for every action the server writes', () => {
    const written = [...actionsInSource(join(__dirname, '../../server'))].sort();
    expect(written.length).toBeGreaterThan(20);
    expect(written.filter((a) => !SAMPLES[a])).toEqual([]);
  });

  it.each(Object.entries(SAMPLES))('%s reads as plain Chinese', (action, sample) => {
    const sentence = auditSentence(sample, names);
    expect(sentence).not.toContain(action);
    expect(hasEnglishWord(wordsOf(sentence))).toBe(false);
    expect(sentence).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    expect(sentence).not.toMatch(/[{}]/);
  });

  it('says the refund in yuan with the order number', () => {
    expect(auditSentence(SAMPLES['order.refund'], names)).toBe(
      '收费员 cs1 为订单 M2612060001 发起退款 100.00 元（退款单号 R2612060001），原因：患者取消检查',
    );
    expect(auditSentence(SAMPLES['refund_request.approve'], names)).toBe(
      '收费员 cs1 同意了订单 M2612060001 的患者退款申请，退款 25.00 元（剩余全部）（退款单号 R2612060001）',
    );
  });

  it('names a reconciliation record by its kind and order number', () => {
    expect(auditSentence(SAMPLES['recon_row.resolve'], names)).toBe(
      '收费员 cs1 将对账差异（长款）订单 M2612060001 标记为已处理，原因：已核实',
    );
    expect(auditSentence(SAMPLES['recon_row.refund'], names)).toBe(
      '收费员 cs1 为对账差异（长款）订单 M2612060001 发起退款 25.00 元（退款单号 R2612060001），原因：多收',
    );
  });

  it('says the close and the run by day', () => {
    expect(auditSentence(SAMPLES['day.close'], names)).toBe('主管 sp1 日结 2026-12-06');
    expect(auditSentence(SAMPLES['reconciliation.run'], names)).toBe(
      '收费员 cs1 对账 2026-12-06：已匹配 10 笔，差异 2 笔，跨日 2 笔',
    );
  });

  it('says who approved or turned down a large refund (four eyes)', () => {
    expect(auditSentence(SAMPLES['refund.approve'], names)).toMatch(
      /^主管 sp1 批准了退款 .+元（退款单号 .+），退款开始办理$/,
    );
    expect(auditSentence(SAMPLES['refund.reject'], names)).toMatch(
      /^主管 sp1 驳回了退款 .+，原因：金额有误$/,
    );
  });

  it('keeps the sentence written with the row', () => {
    const described = { ...SAMPLES['console.user_disabled'], description: 'sp1 停用了收费员 cs2' };
    expect(auditSentence(described, names)).toBe('sp1 停用了收费员 cs2');
  });

  it('says an unknown order without its id', () => {
    const unknown = row(
      'order.refund',
      { refundId: 'x', amount: 100, reason: '退' },
      { target: 'not-known' },
    );
    expect(auditSentence(unknown, { orderNos: new Map(), refunds: new Map() })).toBe(
      '收费员 cs1 为一笔订单发起退款 1.00 元，原因：退',
    );
  });

  it('collects the ids to look up', () => {
    expect(auditIdsOf(Object.values(SAMPLES))).toEqual({ orderIds: [ORDER_ID], refundIds: [REFUND_ID] });
  });
});
