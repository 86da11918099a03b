/** Every page of the mini-program; the first is the home page (H5: the site root). */
export default defineAppConfig({
  pages: [
    'pages/home/index',
    'pages/login/index',
    'pages/cards/index',
    'pages/bind/index',
    'pages/authorize/index',
    'pages/bills/index',
    'pages/bill/index',
    'pages/confirm/index',
    'pages/result/index',
    'pages/orders/index',
    'pages/order/index',
  ],
  // H5: no slide-in between pages (mid-transition, two pages side by side would scroll sideways)
  animation: false,
  window: {
    navigationBarBackgroundColor: '#1e6fd9',
    navigationBarTitleText: '医保缴费',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f3f6fa',
    backgroundTextStyle: 'dark',
  },
});
