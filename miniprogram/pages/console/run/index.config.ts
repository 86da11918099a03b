export default definePageConfig({
  navigationBarTitleText: '收费管理后台 · 对账结果',
  navigationStyle: 'custom',
});
