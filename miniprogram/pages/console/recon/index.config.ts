export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 对账与日结',
  navigationStyle: 'custom',
});
