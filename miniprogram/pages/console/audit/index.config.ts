export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 审计日志',
  navigationStyle: 'custom',
});
