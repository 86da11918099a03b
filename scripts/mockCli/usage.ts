/** The options `npm run mock` understands, and its usage text. */
export const USAGE = `usage: npm run mock -- <command> [options]

  status                                  health and clock of the three mocks
  reset [mock]                            back to the seed (all three, or one)
  scenarios [--mock m]                    the scenarios each mock offers
  scenario set <name> [--session s] [--mock m]
  scenario clear [--session s] [--mock m]
  sessions [mock]                         the tester sessions each mock knows, with their scenarios
  fault add <mock> <path> <kind> [--status 503] [--latency 200 | --latency 100-500 | --long-tail 50,2000]
                                  [--count n] [--method POST] [--rate 0.5]
        kinds: error5xx (5xx) | timeout | latency | malformed | reset | badSignature
  fault list [mock] | fault clear [mock]
  journal <mock> [--path p] [--method m] [--tag k=v] [--status 5xx] [--text s] [--from t] [--to t] [--limit n]
  verify <mock> --path p [--method m] [--times n] [--body-contains s] [--tag k=v]   exit 0 = as expected, 1 = not
        (path exact; end it with * for a prefix)
  clock [show | freeze | unfreeze | advance 3h | next-day 10:00 | set 2026-12-01T09:00:00+08:00]
  callbacks list | callbacks replay <id> | callbacks send --url u --event e --resource '{...}' [--invalid|--signtest]
  person add --name 张三 --id-no 360102198503122015 --insutype 310 --balance 300000 [--status ACTIVE]
  person list | person set <psnNo> [--status SUSPENDED] [--balance 0]
  bill add --patient P100001 --item code:qty [--item code:qty:priceFen ...] [--dept d] [--doctor d]
  bill list [--patient P] | bill pay-at-window <billNo>
  messages [list] [--openid o]            subscribe messages WeChat accepted (newest last)
  messages consent <openid> <templateId> accept|reject|ban   what the user chose in the consent sheet

  mocks: insurance (ins) | his | wechatpay (wechat, wx)
  base URLs: --insurance-url/--his-url/--wechatpay-url, else INSURANCE_BASE_URL/HIS_BASE_URL/WECHATPAY_BASE_URL,
  else http://127.0.0.1:3101/3102/3103. --json prints the mocks' answers as JSON.`;

export const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'insurance-url': { type: 'string' },
  'his-url': { type: 'string' },
  'wechatpay-url': { type: 'string' },
  session: { type: 'string' },
  mock: { type: 'string' },
  status: { type: 'string' },
  latency: { type: 'string' },
  'long-tail': { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  tag: { type: 'string', multiple: true },
  text: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  times: { type: 'string' },
  'body-contains': { type: 'string' },
  url: { type: 'string' },
  event: { type: 'string' },
  resource: { type: 'string' },
  invalid: { type: 'boolean' },
  signtest: { type: 'boolean' },
  name: { type: 'string' },
  'id-no': { type: 'string' },
  insutype: { type: 'string' },
  balance: { type: 'string' },
  patient: { type: 'string' },
  openid: { type: 'string' },
  item: { type: 'string', multiple: true },
  dept: { type: 'string' },
  doctor: { type: 'string' },
} as const;
