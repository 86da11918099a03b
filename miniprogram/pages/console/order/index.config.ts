export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 订单详情',
  navigationStyle: 'custom',
});
