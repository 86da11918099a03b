// Taro's webpack build compiles miniprogram/ (and the shared/ modules it imports) with Babel; jest uses swc.
// H5 targets the browsers a patient's phone runs (WeChat's built-in browser is a recent Chromium, iOS Safari 13+):
// async/await, classes and spread stay native, so no regenerator runtime and far less code to parse on the first
// load. The weapp build keeps Taro's defaults.
const H5_TARGETS = { chrome: '80', ios: '13', safari: '13' };

module.exports = {
  presets: [
    [
      'taro',
      {
        framework: 'react',
        ts: true,
        compiler: 'webpack5',
        ...(process.env.TARO_ENV === 'h5' ? { targets: H5_TARGETS } : {}),
      },
    ],
  ],
};
