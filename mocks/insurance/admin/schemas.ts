/**
 * The bodies the insurance mock's admin API accepts, as zod schemas: the routes parse with them and the OpenAPI
 * description (index.ts) is generated from them, so the two cannot drift. Ratios are numbers in [0, 1] here, basis
 * points inside; amounts are fen.
 */
import { z } from 'zod';
import { FEN_MAX } from '../../../shared/money';
import { INSUTYPES, ratioToBp } from '../rules';

const fen = z.number().int().min(0).max(FEN_MAX);
const ratio = z
  .number()
  .min(0)
  .max(1)
  .refine((r) => ratioToBp(r) !== null, 'a ratio in [0, 1] with at most 4 decimals');
const statusSchema = z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA']);
const admdvs = z.string().regex(/^\d{6}$/);

export const personCreateSchema = z.object({
  name: z.string().min(1).max(50),
  idNo: z.string().regex(/^\d{17}[\dX]$/, '18-character ID number'),
  insutype: z.enum(INSUTYPES),
  balance: fen,
  status: statusSchema.default('ACTIVE'),
  insuplcAdmdvs: admdvs.optional(),
  /** 代亲属: the e-voucher holder (a WeChat user) who authorizes for this person */
  holder: z
    .object({
      name: z.string().min(1).max(50),
      idNo: z.string().regex(/^\d{17}[\dX]$/, '18-character ID number'),
    })
    .optional(),
});

export const personPatchSchema = z.object({
  name: z.string().min(1).max(50).optional(),
  status: statusSchema.optional(),
  balance: fen.optional(),
  insuplcAdmdvs: admdvs.optional(),
  /** sets this year's (or `year`'s) usage, e.g. to test the deductible or the cap */
  deductibleUsedFen: fen.optional(),
  capUsedFen: fen.optional(),
  year: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
});

export const catalogueItemSchema = z
  .object({
    name: z.string().min(1).max(200),
    class: z.enum(['A', 'B', 'C']),
    selfPayRatio: ratio.optional(),
    priceFen: fen.default(0),
  })
  .refine(
    (item) => item.selfPayRatio === undefined || item.class === 'B',
    'selfPayRatio is for class B items only',
  );

const insutypePolicyPatch = z.object({
  deductibleFen: fen.optional(),
  fundRatio: ratio.optional(),
  annualCapFen: fen.optional(),
});
export const policiesPatchSchema = z.object({
  classBSelfPayRatio: ratio.optional(),
  insutypes: z
    .object({ '310': insutypePolicyPatch.optional(), '390': insutypePolicyPatch.optional() })
    .optional(),
});

const isoTime = z.iso.datetime({ offset: true });

/** A refund recorded at the platform without a 6203 (长款/短款 tests). cash defaults to 0. */
export const platformRefundSchema = z
  .object({
    refundNo: z.string().min(1).max(40),
    fund: fen,
    account: fen,
    cash: fen.default(0),
    /** ISO 8601 with offset; default now (mock clock); not before the settlement */
    refundedAt: isoTime.optional(),
  })
  .strict();

/** What the platform's books show for a settlement; total = fund + account + cash follows. */
export const reportedSplitSchema = z
  .object({ fund: fen.optional(), account: fen.optional(), cash: fen.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of fund, account, cash');
