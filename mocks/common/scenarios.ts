/**
 * Scenarios: named presets that choose an outcome at one or more mocks, so a tester picks "insurance-suspended"
 * instead of crafting a person. A scenario is data — `{name, mocks, description: {zh, en}, effects}` — and each
 * mock interprets its part of `effects` where it decides (insurance: the person as the platform sees them; HIS:
 * a bill paid at the window; WeChat Pay: how the confirmation ends and how callbacks travel). Built-in presets
 * are below; custom ones are JSON files in MOCK_SCENARIOS_DIR (default mocks/scenarios/), validated at start: a
 * bad file stops the start, naming the file. Selection (global, per session, per request) is in session.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const MOCK_NAMES = ['insurance', 'his', 'wechatpay'] as const;
export type MockName = (typeof MOCK_NAMES)[number];

export const SCENARIO_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const fen = z.number().int().min(0).max(100_000_000_000);

export const insuranceEffectsSchema = z
  .object({
    /** the person's insured status as 1101, 6201/6202 and the settlement see it */
    status: z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA']).optional(),
    /** 310 employee, 390 resident */
    insutype: z.enum(['310', '390']).optional(),
    /** the personal-account balance shown and used (real deductions still happen underneath) */
    balanceFen: fen.optional(),
    /** the deductible already used this year (0 = not met at all) */
    deductibleUsedFen: fen.optional(),
    /** the fund already paid this year against the annual cap */
    capUsedFen: fen.optional(),
    /** 参保地; another area than 360100 with status OUT_OF_AREA */
    insuplcAdmdvs: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
  })
  .strict();

export const hisEffectsSchema = z
  .object({
    /** a cashier takes the money at the window just before the online order locks the bill */
    billPaidAtWindow: z.boolean().optional(),
  })
  .strict();

export const wechatpayEffectsSchema = z
  .object({
    /**
     * how the patient's confirmation ends: SUCCESS (default), CANCEL (the patient closes the sheet: nothing
     * changes, the order stays payable), FAIL (payment fails), CASH_FAILS (insurance settles, then the cash
     * part fails: the order is MIX_PAY_FAIL with the insurance share settled), INSURANCE_FAILS_CASH_TAKEN (the
     * cash part is taken, insurance does not settle: MIX_PAY_FAIL / SELF_PAY_SUCCESS / MED_INS_PAY_FAIL)
     */
    confirm: z.enum(['SUCCESS', 'CANCEL', 'FAIL', 'CASH_FAILS', 'INSURANCE_FAILS_CASH_TAKEN']).optional(),
    /**
     * how callbacks travel: NORMAL; LOST (paid, no callback is ever sent); DUPLICATED (each callback is
     * delivered, then sent once more byte for byte); OUT_OF_ORDER (each callback of an order is held back until
     * the order's next one is queued, which is delivered first; a held callback with no successor is sent
     * OUT_OF_ORDER_RELEASE_MS later on the mock clock)
     */
    callbacks: z.enum(['NORMAL', 'LOST', 'DUPLICATED', 'OUT_OF_ORDER']).optional(),
  })
  .strict();

export const effectsSchema = z
  .object({
    insurance: insuranceEffectsSchema.optional(),
    his: hisEffectsSchema.optional(),
    wechatpay: wechatpayEffectsSchema.optional(),
  })
  .strict();

export type InsuranceEffects = z.infer<typeof insuranceEffectsSchema>;
export type WeChatPayEffects = z.infer<typeof wechatpayEffectsSchema>;
export type ScenarioEffects = z.infer<typeof effectsSchema>;

export const scenarioSchema = z
  .object({
    name: z.string().regex(SCENARIO_NAME_PATTERN, 'lower-case letters, digits and "-", at most 64'),
    description: z.object({ zh: z.string().min(1).max(200), en: z.string().min(1).max(200) }).strict(),
    effects: effectsSchema,
  })
  .strict()
  .refine((s) => Object.keys(s.effects).length > 0, { message: 'effects: name at least one mock' });

export interface Scenario {
  name: string;
  /** the mocks whose behaviour it changes (the keys of effects) */
  mocks: MockName[];
  description: { zh: string; en: string };
  effects: ScenarioEffects;
  source: 'built-in' | 'custom';
  /** the JSON file of a custom scenario */
  file?: string;
}

/** A held out-of-order callback with no successor is sent this long after it was queued (mock clock). */
export const OUT_OF_ORDER_RELEASE_MS = 5 * 60_000;

type Preset = Pick<Scenario, 'name' | 'description' | 'effects'>;

const PRESETS: Preset[] = [
  {
    name: 'eligible-employee',
    description: {
      zh: '在职职工正常参保，起付线已付清，个人账户余额 1500 元',
      en: 'Employee (310), active, deductible met, personal account 1500.00',
    },
    effects: {
      insurance: { status: 'ACTIVE', insutype: '310', balanceFen: 150_000, deductibleUsedFen: 20_000 },
    },
  },
  {
    name: 'resident-deductible-not-met',
    description: {
      zh: '城乡居民正常参保，本年起付线尚未支付，无个人账户',
      en: 'Resident (390), active, no deductible paid this year, no personal account',
    },
    effects: {
      insurance: { status: 'ACTIVE', insutype: '390', balanceFen: 0, deductibleUsedFen: 0, capUsedFen: 0 },
    },
  },
  {
    name: 'insurance-suspended',
    description: {
      zh: '参保人暂停参保，不能使用医保结算',
      en: 'Insurance suspended: no insurance settlement',
    },
    effects: { insurance: { status: 'SUSPENDED' } },
  },
  {
    name: 'balance-exhausted',
    description: {
      zh: '正常参保，个人账户余额为 0，个人负担全部自费',
      en: 'Active, personal account empty: the personal share is all cash',
    },
    effects: { insurance: { status: 'ACTIVE', balanceFen: 0 } },
  },
  {
    name: 'out-of-area',
    description: {
      zh: '参保地为外地且未办理异地就医备案，不能使用医保结算',
      en: 'Insured in another area (440300) without a registration here: no insurance settlement',
    },
    effects: { insurance: { status: 'OUT_OF_AREA', insuplcAdmdvs: '440300' } },
  },
  {
    name: 'his-bill-paid-at-window',
    description: {
      zh: '患者已在窗口缴费：线上下单锁定账单时账单已缴清',
      en: 'The bill was paid at the window just before the online order locks it',
    },
    effects: { his: { billPaidAtWindow: true } },
  },
  {
    name: 'wechat-user-cancels',
    description: {
      zh: '患者在微信支付页取消支付，未扣款',
      en: 'The patient cancels in the WeChat sheet: no payment',
    },
    effects: { wechatpay: { confirm: 'CANCEL' } },
  },
  {
    name: 'callback-lost',
    description: { zh: '支付成功但微信不发送支付回调', en: 'Paid, but WeChat never sends the callback' },
    effects: { wechatpay: { callbacks: 'LOST' } },
  },
  {
    name: 'callbacks-duplicated',
    description: {
      zh: '每个回调都发送两次（字节完全相同）',
      en: 'Every callback is sent twice, byte for byte',
    },
    effects: { wechatpay: { callbacks: 'DUPLICATED' } },
  },
  {
    name: 'callbacks-out-of-order',
    description: {
      zh: '同一订单的回调倒序到达：后发生的事件（如退款回调）先于支付回调送达',
      en: "An order's callbacks arrive in reverse: a later event (e.g. the refund) before the payment's",
    },
    effects: { wechatpay: { callbacks: 'OUT_OF_ORDER' } },
  },
  {
    name: 'insurance-settles-wechat-fails',
    description: {
      zh: '医保部分已结算，但微信自费部分支付失败',
      en: 'Insurance settles its share, then the WeChat cash part fails',
    },
    effects: { wechatpay: { confirm: 'CASH_FAILS' } },
  },
  {
    name: 'insurance-fails-cash-taken',
    description: {
      zh: '微信自费部分已扣款，但医保结算失败（MIX_PAY_FAIL / SELF_PAY_SUCCESS），自费需原路退回',
      en: 'The WeChat cash part is taken, insurance fails (MIX_PAY_FAIL / SELF_PAY_SUCCESS): the cash must go back',
    },
    effects: { wechatpay: { confirm: 'INSURANCE_FAILS_CASH_TAKEN' } },
  },
];

const mocksOf = (effects: ScenarioEffects): MockName[] => MOCK_NAMES.filter((m) => effects[m] !== undefined);

export const BUILT_IN_SCENARIOS: readonly Scenario[] = PRESETS.map((p) => ({
  ...p,
  mocks: mocksOf(p.effects),
  source: 'built-in',
}));

export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`bad scenario file ${file}: ${problem}`);
    this.name = 'ScenarioFileError';
  }
}

/** One custom scenario from the text of its file; throws ScenarioFileError naming the file. */
export function parseScenarioFile(file: string, text: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioFileError(file, `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioFileError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { ...parsed.data, mocks: mocksOf(parsed.data.effects), source: 'custom', file };
}

/** Every `*.json` in `dir` (sorted by name); a missing folder holds none. Names must not repeat a built-in. */
export function loadScenarioDir(dir: string): Scenario[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const seen = new Set(BUILT_IN_SCENARIOS.map((s) => s.name));
  return names.map((name) => {
    const file = join(dir, name);
    const scenario = parseScenarioFile(file, readFileSync(file, 'utf8'));
    if (seen.has(scenario.name))
      throw new ScenarioFileError(file, `name "${scenario.name}" is already taken`);
    seen.add(scenario.name);
    return scenario;
  });
}

export const DEFAULT_SCENARIOS_DIR = resolve(__dirname, '..', 'scenarios');

export class ScenarioRegistry {
  private readonly byName = new Map<string, Scenario>();

  constructor(custom: Scenario[] = []) {
    for (const s of [...BUILT_IN_SCENARIOS, ...custom]) this.byName.set(s.name, s);
  }

  get(name: string): Scenario | undefined {
    return this.byName.get(name);
  }

  list(): Scenario[] {
    return [...this.byName.values()];
  }
}

const registries = new Map<string, ScenarioRegistry>();

/** The registry of this process for MOCK_SCENARIOS_DIR (or `dir`), loaded once per folder. */
export function scenarioRegistry(
  dir = process.env.MOCK_SCENARIOS_DIR || DEFAULT_SCENARIOS_DIR,
): ScenarioRegistry {
  const key = resolve(dir);
  let registry = registries.get(key);
  if (!registry) {
    registry = new ScenarioRegistry(loadScenarioDir(key));
    registries.set(key, registry);
  }
  return registry;
}
