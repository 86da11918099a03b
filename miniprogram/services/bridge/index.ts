/**
 * Taro builds resolve `./bridge/index` to index.weapp.ts or index.h5.ts by platform. This file is what the type
 * checker and the jsdom tests see: the H5 bridge. Both implementations are checked against `Bridge`.
 */
export { bridge } from './index.h5';
