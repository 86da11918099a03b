/**
 * The cashier console (desktop, H5 only): its pages join the H5 build and never the weapp one. Kept out of the
 * literal list below, which tests/web/weapp-structure.test.ts reads as the weapp's pages.
 */
const CONSOLE_PAGES = [
  'pages/console/login/index',
  'pages/console/orders/index',
  'pages/console/order/index',
  'pages/console/recon/index',
  'pages/console/run/index',
  'pages/console/requests/index',
  'pages/console/audit/index',
  'pages/console/users/index',
  'pages/console/risk/index',
  'pages/console/ops/index',
];

const consolePages = (): string[] => (process.env.TARO_ENV === 'h5' ? CONSOLE_PAGES : []);

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
    'pages/messages/index',
    'pages/settings/index',
    ...consolePages(),
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
