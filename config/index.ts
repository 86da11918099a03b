/**
 * Taro build config (weapp + h5). Each platform builds into its own folder (dist/weapp, dist/h5) because a
 * build wipes its outputRoot. The H5 build is served by the Koa server at the site root, hence publicPath '/'
 * and the hash router (the server needs no history fallback, and query strings that redirects append before
 * the '#' still reach the page through services/bridge).
 */
import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

/** miniprogram/ imports shared/ (money, API types): compile it like our own source. */
const SHARED = path.resolve(__dirname, '..', 'shared');

/** Where the weapp build sends API calls (the H5 build always uses its own origin). */
const WEAPP_API_BASE = process.env.TARO_APP_API_BASE ?? 'http://127.0.0.1:3000';

export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'medins-cardless-pay',
    date: '2026-1-1',
    designWidth: 375,
    deviceRatio: { 375: 2, 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
    sourceRoot: 'miniprogram',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {},
    env: { TARO_APP_API_BASE: JSON.stringify(WEAPP_API_BASE) },
    // H5: the site's icon (browsers ask for one; index.html links it)
    copy: {
      patterns:
        process.env.TARO_ENV === 'h5' ? [{ from: 'miniprogram/favicon.svg', to: 'dist/h5/favicon.svg' }] : [],
      options: {},
    },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    logger: { quiet: true, stats: false },
    mini: {
      compile: { include: [SHARED] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
    h5: {
      publicPath: '/',
      compile: { include: [SHARED] },
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
  };
  return merge({}, baseConfig, process.env.NODE_ENV === 'development' ? devConfig : prodConfig);
});
