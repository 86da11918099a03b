/**
 * Wire of the national healthcare security platform (国家医保信息平台) as the mock speaks it and the adapter
 * calls it: paths, infno codes, dictionaries, and zod schemas of every body either side parses.
 *
 * Two envelopes (PROTOCOLS 3.1 and 3.3):
 * - standard: `POST /fsi/api/rsfComIfsService/callService`, `{infno, msgid, …, input:{data}}` → `{infcode, …,
 *   output}`, authenticated by x-tif-* headers (shared/crypto/smEnvelope.ts). Used for 1101, 3201, 3202 and
 *   9102 (whose input is `{fsDownloadIn}` and whose answer, on success, is the file itself, not JSON).
 * - mobile payment (6201–6401): body and answer data inside the SM4/SM2 envelope; the answer is
 *   `{code: 0, message, success: true, ...envelope}`, or `{code: <non-zero>, message, success: false}` unsealed.
 *
 * Amounts on the mobile wire are yuan strings ("12.30"); convert with shared/money only.
 * Choices marked "unverified" are ours where no public source fixed them; the mock README lists them.
 *
 * One module per family (standard.ts, mobile.ts, dayFiles.ts) plus what they share (common.ts); this index
 * re-exports them all, so `from '…/shared/protocol/insurance'` names any of them.
 */
export * from './common';
export * from './standard';
export * from './mobile';
export * from './dayFiles';
