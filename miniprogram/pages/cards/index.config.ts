export default definePageConfig({ navigationBarTitleText: '就诊卡' });
