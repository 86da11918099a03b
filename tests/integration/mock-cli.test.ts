/**
 * `npm run mock -- …` (scripts/mockCli.ts) against the three mocks started here on ephemeral ports, through
 * `runCli(argv, io)`: exit codes, human text, `--json`, and the mock's error shown plainly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../shared/clock';
import { testKeys } from '../../shared/crypto/keyring';
import { createInsuranceMock } from '../../mocks/insurance';
import { createHisMock } from '../../mocks/his';
import { createWeChatPayMock } from '../../mocks/wechatpay';
import { nextDayAt, parseDuration, runCli } from '../../scripts/mockCli';
import { SUBSCRIBE_TEMPLATES } from '../../shared/protocol/wechat/subscribe';

const START_MS = Date.parse('2026-12-01T10:00:00+08:00');
const clock = new ManualClock(START_MS);
const keys = testKeys();
const insurance = createInsuranceMock({ keys: keys.mocks.insurance, clock });
const his = createHisMock({ clock });
let wechat: ReturnType<typeof createWeChatPayMock>;
const servers: Server[] = [];
const env: Record<string, string> = {};

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Runs the CLI; its output and exit code. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  env.INSURANCE_BASE_URL = await listen(insurance.app.callback());
  env.HIS_BASE_URL = await listen(his.app.callback());
  wechat = createWeChatPayMock({ keys: keys.mocks.wechat, clock, insuranceBaseUrl: env.INSURANCE_BASE_URL });
  env.WECHATPAY_BASE_URL = await listen(wechat.app.callback());
});

afterAll(async () => {
  wechat.stop();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

beforeEach(async () => {
  expect((await cli('reset')).code).toBe(0);
  clock.set(START_MS);
});

test('helpers: durations and the next day in China time', () => {
  expect(parseDuration('3h')).toBe(3 * 3_600_000);
  expect(parseDuration('1h30m')).toBe(90 * 60_000);
  expect(() => parseDuration('3 hours')).toThrow();
  // 2026-12-01 23:30 CST → 2026-12-02 10:00 CST
  expect(nextDayAt(Date.parse('2026-12-01T23:30:00+08:00'), '10:00')).toBe(
    Date.parse('2026-12-02T10:00:00+08:00'),
  );
});

test('usage errors exit 2 with the usage; --help exits 0', async () => {
  expect((await cli()).code).toBe(2);
  const bad = await cli('fault', 'add', 'nosuchmock', '/x', 'timeout');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('mock: one of insurance | his | wechatpay');
  const help = await cli('--help');
  expect(help.code).toBe(0);
  expect(help.out).toContain('usage: npm run mock');
});

test('status: the three mocks up, with their clocks; a mock down is reported and exits 1', async () => {
  const r = await cli('status');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/insurance .* up .*2026-12-01 10:00:00 CST/);
  expect(r.out).toMatch(/his .* up/);
  expect(r.out).toMatch(/wechatpay .* up/);
  const json = JSON.parse((await cli('status', '--json')).out) as { mock: string; up: boolean }[];
  expect(json.map((m) => m.up)).toEqual([true, true, true]);
  const down = await cli('status', '--his-url', 'http://127.0.0.1:1');
  expect(down.code).toBe(1);
  expect(down.out).toMatch(/his .*DOWN .*unreachable/);
});

test('faults: add, list, clear; the mock refuses a bad one and the CLI shows why', async () => {
  const added = await cli(
    'fault',
    'add',
    'his',
    '/his/charges/confirm',
    '503',
    '--count',
    '2',
    '--method',
    'post',
  );
  expect(added.code).toBe(0);
  expect(added.out).toContain('his: fault #1 error5xx on POST /his/charges/confirm');
  const list = await cli('fault', 'list', 'his');
  expect(list.out).toContain('/his/charges/confirm');
  const json = JSON.parse((await cli('fault', 'list', 'his', '--json')).out) as { his: { kind: string }[] };
  expect(json.his[0].kind).toBe('error5xx');
  // the fault acts
  const hit = await fetch(`${env.HIS_BASE_URL}/his/charges/confirm`, { method: 'POST' });
  expect(hit.status).toBe(503);
  const refused = await cli('fault', 'add', 'his', '/x', 'nonsense');
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/his: POST \/__admin\/faults → HTTP 400/);
  expect((await cli('fault', 'clear')).code).toBe(0);
  expect((await cli('fault', 'list', 'his')).out).toContain('his: no faults');
});

test('journal and verify: exit 0 when the call happened as expected, 1 when not', async () => {
  await fetch(`${env.HIS_BASE_URL}/his/patients/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: '张伟', id_no: '360102198503121231' }),
  });
  const journal = await cli('journal', 'his', '--path', '/his/patients');
  expect(journal.code).toBe(0);
  expect(journal.out).toMatch(/POST {2}\/his\/patients\/query {2}→ 200/);
  const ok = await cli(
    'verify',
    'his',
    '--path',
    '/his/patients/query',
    '--times',
    '1',
    '--body-contains',
    '张伟',
  );
  expect(ok.code).toBe(0);
  expect(ok.out).toContain('✓');
  const no = await cli('verify', 'his', '--path', '/his/charges/confirm');
  expect(no.code).toBe(1);
  expect(no.err).toContain('✗');
  const twice = await cli('verify', 'his', '--path', '/his/patients/query', '--times', '2', '--json');
  expect(twice.code).toBe(1);
  expect(JSON.parse(twice.out)).toMatchObject({ ok: false, count: 1 });
});

test('clock: advance, next day, set, freeze — all three mocks move together', async () => {
  const adv = await cli('clock', 'advance', '3h');
  expect(adv.code).toBe(0);
  expect(clock.now()).toBe(START_MS + 3 * 3_600_000);
  expect(adv.out).toContain('his        2026-12-01 13:00:00 CST');
  await cli('clock', 'next-day', '09:30');
  expect(clock.now()).toBe(Date.parse('2026-12-02T09:30:00+08:00'));
  await cli('clock', 'set', '2026-12-05T08:00:00+08:00');
  expect(clock.now()).toBe(Date.parse('2026-12-05T08:00:00+08:00'));
  const show = await cli('clock', '--json');
  expect(JSON.parse(show.out).insurance.nowMs).toBe(clock.now());
  expect((await cli('clock', 'advance', 'soon')).code).toBe(2);
  await cli('clock', 'unfreeze');
  expect(clock.frozen).toBe(false);
  expect((await cli('clock', 'freeze')).out).toContain('(frozen)');
  expect(clock.frozen).toBe(true);
});

test('clock: a mock with a clock of its own (another process) is brought to the same instant', async () => {
  const ownClock = new ManualClock(START_MS - 86_400_000);
  const otherHis = await listen(createHisMock({ clock: ownClock }).app.callback());
  const r = await cli('clock', 'advance', '1h', '--his-url', otherHis);
  expect(r.code).toBe(0);
  expect(clock.now()).toBe(START_MS + 3_600_000);
  expect(ownClock.now()).toBe(clock.now());
  expect(ownClock.frozen).toBe(true);
});

test('scenarios: list, set globally and per session, clear; an unknown one is refused', async () => {
  const list = await cli('scenarios');
  if (list.code !== 0) {
    // the scenarios endpoint is not there yet: its error is shown plainly
    expect(list.err).toContain('/__admin/scenarios');
    return;
  }
  expect(list.out).toContain('insurance-suspended');
  expect((await cli('scenario', 'set', 'insurance-suspended')).code).toBe(0);
  const global = (await (await fetch(`${env.INSURANCE_BASE_URL}/__admin/scenario`)).json()) as {
    name: string;
  };
  expect(global.name).toBe('insurance-suspended');
  const session = await cli('scenario', 'set', 'balance-exhausted', '--session', 'tester-1');
  expect(session.out).toContain('for session tester-1');
  expect((await cli('scenario', 'set', 'no-such-scenario')).code).toBe(1);
  expect((await cli('scenario', 'clear')).code).toBe(0);
  const cleared = (await (await fetch(`${env.INSURANCE_BASE_URL}/__admin/scenario`)).json()) as {
    name: null;
  };
  expect(cleared.name).toBeNull();
});

test('person add, bill add from catalogue codes, pay at the window', async () => {
  const person = await cli(
    'person',
    'add',
    '--name',
    '测试员',
    '--id-no',
    '36010219900101123X',
    '--insutype',
    '310',
    '--balance',
    '300000',
  );
  expect(person.code).toBe(0);
  expect(person.out).toMatch(/insured person \d+ added; authCode /);
  const again = await cli('person', 'add', '--name', '测试员', '--id-no', '36010219900101123X');
  expect(again.code).toBe(1);
  expect(again.err).toContain('409');
  const bill = await cli(
    'bill',
    'add',
    '--patient',
    'P100003',
    '--item',
    '110100001:1',
    '--item',
    '250101015:2',
  );
  expect(bill.code).toBe(0);
  expect(bill.out).toBe('bill MZ000007 for P100003: ¥55.00');
  const unknown = await cli('bill', 'add', '--patient', 'P100003', '--item', 'NOPE:1');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('give its price');
  expect((await cli('bill', 'add', '--patient', 'P100003', '--item', 'NOPE:2:150')).out).toContain('¥3.00');
  expect((await cli('bill', 'pay-at-window', 'MZ000007')).code).toBe(0);
  expect((await cli('bill', 'list', '--patient', 'P100003')).out).toMatch(/MZ000007 {2}P100003 {2}PAID/);
});

test('callbacks: list, replay; send shows the answer or the error', async () => {
  const empty = await cli('callbacks', 'list');
  expect(empty.out).toBe('no callbacks yet');
  const replay = await cli('callbacks', 'replay', 'EV-nope');
  expect(replay.code).toBe(1);
  expect(replay.err).toContain('404');
  const send = await cli(
    'callbacks',
    'send',
    '--url',
    'http://127.0.0.1:1/notify',
    '--event',
    'TRANSACTION.SUCCESS',
    '--resource',
    '{"out_trade_no":"T1"}',
  );
  // whatever the mock answers (sent, refused, or no such endpoint yet), the CLI says it and does not crash
  expect([0, 1]).toContain(send.code);
  expect(send.out + send.err).toMatch(/TRANSACTION\.SUCCESS|callbacks\/send/);
  expect((await cli('callbacks', 'send', '--url', 'u', '--event', 'e', '--resource', '{bad')).code).toBe(2);
});

test('messages: consent as the sheet records it, and the subscribe messages WeChat accepted', async () => {
  expect((await cli('messages')).out).toBe('no subscribe messages yet');
  const templateId = SUBSCRIBE_TEMPLATES.bill_reminder.templateId;
  const granted = await cli('messages', 'consent', 'oCliTester0001', templateId, 'accept');
  expect(granted.code).toBe(0);
  expect(granted.out).toBe(`oCliTester0001: ${templateId} accept`);
  expect((await cli('messages', 'consent', 'oCliTester0001', templateId, 'maybe')).code).toBe(2);
  const unknown = await cli('messages', 'consent', 'oCliTester0001', 'NoSuchTemplate', 'accept');
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('400');
  wechat.subscribe.messages.push({
    touser: 'oCliTester0001',
    templateId,
    page: 'pages/bills/index',
    data: { thing1: { value: '张*' } },
    miniprogramState: 'formal',
    lang: 'zh_CN',
    sentAtMs: START_MS,
  });
  const listed = await cli('messages', '--openid', 'oCliTester0001');
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(`oCliTester0001  ${templateId}  → pages/bills/index`);
  expect(listed.out).toContain('thing1=张*');
  expect((await cli('messages', '--openid', 'oSomebodyElse1')).out).toBe('no subscribe messages yet');
});
