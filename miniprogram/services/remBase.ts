/**
 * Taro builds resolve `./services/remBase` to remBase.h5.ts on H5 (the root font size the rem units scale with);
 * a mini-program sizes rpx itself, so elsewhere there is nothing to do.
 */
export {};
