/** Taro builds pick index.weapp.tsx or index.h5.tsx; the type checker and the jsdom tests see the H5 one. */
export { TextField } from './index.h5';
