/** The risk rules' wiring, pure parts: settings → policy, the X-Device-Id and openid schemas, audit sentences. */
import { loadSettings, SettingsError } from '../../config/settings';
import { riskPolicyOf } from '../../server/services/risk/policy';
import { auditSentence, type AuditFacts } from '../../server/services/console/auditSentence';
import { deviceIdSchema, openidSchema, riskEventsQuery } from '../../shared/api';
import { hasEnglishWord } from '../../shared/messages';
import { RISK_POLICY } from '../helpers/riskPolicy';

describe('riskPolicyOf(settings)', () => {
  it('defaults to the policy of the rules’ own tests', () => {
    expect(riskPolicyOf(loadSettings({}))).toEqual(RISK_POLICY);
  });

  it('takes RISK_* from the environment, validated', () => {
    const policy = riskPolicyOf(
      loadSettings({ RISK_CARDS_PER_USER_PER_DAY: '2', RISK_CARDS_PER_USER_DECISION: 'block' }),
    );
    expect(policy).toMatchObject({ cardsPerUserPerDay: 2, cardsPerUserDecision: 'block' });
    expect(() => loadSettings({ RISK_CARDS_PER_USER_DECISION: 'allow' })).toThrow(SettingsError);
    expect(() => loadSettings({ RISK_ORDERS_PER_CARD_PER_HOUR: '0' })).toThrow(
      /RISK_ORDERS_PER_CARD_PER_HOUR/,
    );
  });
});

describe('request schemas', () => {
  it('a device id is 1–64 printable characters', () => {
    expect(deviceIdSchema.safeParse('d-0123456789abcdef').success).toBe(true);
    expect(deviceIdSchema.safeParse('x'.repeat(64)).success).toBe(true);
    expect(deviceIdSchema.safeParse('x'.repeat(65)).success).toBe(false);
    expect(deviceIdSchema.safeParse('has space').success).toBe(false);
    expect(deviceIdSchema.safeParse('设备').success).toBe(false);
  });

  it('an openid is WeChat’s alphabet; the events query takes ISO instants and known decisions', () => {
    expect(openidSchema.safeParse('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o').success).toBe(true);
    expect(openidSchema.safeParse("o'; DROP").success).toBe(false);
    expect(riskEventsQuery.parse({ from: '2026-12-07T00:00:00Z', decision: 'review' }).from).toEqual(
      new Date('2026-12-07T00:00:00Z'),
    );
    expect(riskEventsQuery.safeParse({ decision: 'maybe' }).success).toBe(false);
    expect(riskEventsQuery.safeParse({ other: '1' }).success).toBe(false);
  });
});

describe('audit sentences of the risk console', () => {
  const names = { orderNos: new Map([['o1', 'M2612070001']]), refunds: new Map() };
  const row = (
    action: string,
    details: Record<string, unknown>,
    target: string | null = null,
  ): AuditFacts => ({
    actor: 'cs1',
    role: 'cashier',
    action,
    target,
    details,
  });

  it.each([
    [
      row('risk.review_approve', { orderId: 'o1' }, 'o1'),
      '收费员 cs1 审核通过了订单 M2612070001，患者现在可以支付',
    ],
    [
      row('risk.review_reject', { orderId: 'o1', reason: '多次下单' }, 'o1'),
      '收费员 cs1 审核驳回了订单 M2612070001，订单已取消，账单已释放，原因：多次下单',
    ],
    [
      row('risk.block', { reason: '疑似盗用' }, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'),
      '收费员 cs1 封禁了微信用户 oUpF…eS6o，原因：疑似盗用',
    ],
    [row('risk.unblock', {}, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'), '收费员 cs1 解除了微信用户 oUpF…eS6o 的封禁'],
  ])('%#: plain Chinese, no full openid', (facts, sentence) => {
    const said = auditSentence(facts, names);
    expect(said).toBe(sentence);
    expect(hasEnglishWord(said.replace(/oUpF…eS6o|cs1|M\d+/g, ''))).toBe(false);
  });
});

describe('openid parameter', () => {
  it('is exactly 28 characters, so ids of other kinds are refused at the edge', () => {
    for (const bad of [
      'not-an-id',
      '99999999999999999999999999',
      'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz',
      '-1',
    ])
      expect(openidSchema.safeParse(bad).success).toBe(false);
  });
});
