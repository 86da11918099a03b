export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 退款申请',
  navigationStyle: 'custom',
});
