/**
 * The pure data side of the WeChat Pay adapter: request bodies from our port types, answers parsed and checked
 * back into them. Status mapping is exhaustive (a switch per WeChat enum, no default); every answer is checked
 * against what we sent (out_trade_no, amounts), and a mismatch is invalid_response — the adapter never acts on
 * an answer about another order or another amount. Split by concern: payments (JSAPI and med-ins orders),
 * refunds, what comes encrypted (callback envelopes, platform certificates), and what they share (common.ts).
 */
export * from './common';
export * from './payments';
export * from './refunds';
export * from './encrypted';
