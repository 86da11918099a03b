export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 用户管理',
  navigationStyle: 'custom',
});
