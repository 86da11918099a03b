export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 运行监控',
  navigationStyle: 'custom',
});
