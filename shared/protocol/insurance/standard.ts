/**
 * The standard envelope (PROTOCOLS 3.1): `POST /fsi/api/rsfComIfsService/callService`, `{infno, msgid, …,
 * input:{data}}` → `{infcode, …, output}`, authenticated by x-tif-* headers (shared/crypto/smEnvelope.ts), and
 * 1101 人员信息获取 with its psn_insu_stas dictionary. The reconciliation calls (dayFiles.ts) ride the same envelope.
 */
import { z } from 'zod';
import { yuanSchema, id } from './common';

/**
 * psn_insu_stas in 1101 insuinfo. '1' 正常参保, '2' 暂停参保 and '4' 终止参保 are the national codes; '3' 欠费
 * and '5' 异地未备案 are this mock's extensions (unverified) so the adapter can name the reason.
 */
export const PSN_INSU_STAS = {
  ACTIVE: '1',
  SUSPENDED: '2',
  ARREARS: '3',
  TERMINATED: '4',
  OUT_OF_AREA: '5',
} as const;
export const psnInsuStasSchema = z.enum(['1', '2', '3', '4', '5']);
export type PsnInsuStas = z.infer<typeof psnInsuStasSchema>;

// ───────────────────────────── standard envelope (1101) ─────────────────────────────

export const standardRequestSchema = z.object({
  infno: z.string().regex(/^\d{4}$/),
  msgid: id(30),
  mdtrtarea_admvs: z.string().max(6),
  insuplc_admdvs: z.string().max(6).optional(),
  recer_sys_code: z.string().max(10),
  dev_no: z.string().optional(),
  dev_safe_info: z.string().optional(),
  cainfo: z.string().optional(),
  signtype: z.string().optional(),
  infver: z.string().min(1),
  opter_type: z.enum(['1', '2', '3']),
  opter: z.string(),
  opter_name: z.string(),
  inf_time: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  fixmedins_code: id(12),
  fixmedins_name: z.string(),
  sign_no: z.string().optional(),
  /** usually `{data: {…}}`; 9102 sends `{fsDownloadIn: {…}}` */
  input: z.record(z.string(), z.unknown()),
});
export type StandardRequest = z.infer<typeof standardRequestSchema>;

export const standardResponseSchema = z.object({
  infcode: z.number().int(),
  inf_refmsgid: z.string(),
  refmsg_time: z.string(),
  respond_time: z.string(),
  err_msg: z.string().nullable().optional(),
  warn_msg: z.string().nullable().optional(),
  output: z.unknown(),
});
export type StandardResponse = z.infer<typeof standardResponseSchema>;

/** 1101 input.data. mdtrt_cert_type: 01 e-voucher (payAuthNo), 02 ID card, 03 social security card. */
export const personInfoInputSchema = z.object({
  mdtrt_cert_type: z.enum(['01', '02', '03']),
  mdtrt_cert_no: id(64),
  card_sn: z.string().optional(),
  begntime: z.string().optional(),
  psn_cert_type: z.string().optional(),
  certno: z.string().optional(),
  psn_name: z.string().optional(),
});
export type PersonInfoInput = z.infer<typeof personInfoInputSchema>;

export const personInfoOutputSchema = z.object({
  baseinfo: z.object({
    psn_no: id(30),
    psn_cert_type: z.string(),
    certno: z.string(),
    psn_name: z.string(),
    gend: z.string(),
    naty: z.string(),
    brdy: z.string(),
    age: z.number(),
  }),
  insuinfo: z.array(
    z.object({
      balc: yuanSchema,
      insutype: z.string(),
      psn_type: z.string(),
      psn_insu_stas: z.string(),
      psn_insu_date: z.string().nullable(),
      paus_insu_date: z.string().nullable(),
      cvlserv_flag: z.string(),
      insuplc_admdvs: z.string(),
      emp_name: z.string().nullable(),
    }),
  ),
  idetinfo: z.array(
    z.object({
      psn_idet_type: z.string(),
      psn_type_lv: z.string().nullable(),
      memo: z.string().nullable(),
      begntime: z.string().nullable(),
      endtime: z.string().nullable(),
    }),
  ),
});
export type PersonInfoOutput = z.infer<typeof personInfoOutputSchema>;
