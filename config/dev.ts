import type { UserConfigExport } from '@tarojs/cli';

/** `taro build --watch` (NODE_ENV=development): readable output. */
export default {
  mini: {},
  h5: {},
} satisfies UserConfigExport<'webpack5'>;
