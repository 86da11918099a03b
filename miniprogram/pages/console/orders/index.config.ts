export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 订单查询',
  navigationStyle: 'custom',
});
