export default definePageConfig({ navigationBarTitleText: '收费管理后台 · 登录', navigationStyle: 'custom' });
