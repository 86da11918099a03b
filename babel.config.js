// Taro's webpack build compiles miniprogram/ (and the shared/ modules it imports) with Babel; jest uses swc.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
