export default definePageConfig({ navigationBarTitleText: '确认支付' });
