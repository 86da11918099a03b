import type { UserConfigExport } from '@tarojs/cli';

/** `taro build` (production): minified, no source maps in the shipped bundle. */
export default {
  mini: {},
  h5: {},
} satisfies UserConfigExport<'webpack5'>;
