export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 风险审核',
  navigationStyle: 'custom',
});
