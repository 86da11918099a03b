/** `npm run demo`: one mixed-payment patient journey against the running stack (`npm start`), step by step. */
import { fenToYuan } from '../shared/money';
import { endpointsFromEnv, runJourney, type StepName } from './journey';

const LABELS: Record<StepName, string> = {
  login: '登录 (wx.login → jscode2session → session)',
  bind: '绑定就诊卡 (HIS lookup, code texted to the HIS phone and sent back)',
  authorize: '医保授权 (authCode → payAuthNo, 1101 eligibility)',
  bills: '待缴费账单 (HIS unpaid bills)',
  checkout: '预结算 (lock bill, 6201 upload, 6202 pre-settle)',
  pay: '下单 (JSAPI prepay + /v3/med-ins/orders, paySign)',
  confirm: '患者在微信确认支付 (mock: insurance settles, cash taken, callback sent)',
  complete: '支付结果 (callback verified and answered; outbox: 6301 → PAID → HIS confirm)',
};

async function main(): Promise<void> {
  const endpoints = endpointsFromEnv();
  console.log(`Driving one journey against ${endpoints.api}\n`);
  const result = await runJourney(endpoints, {
    insured: true,
    balanceFen: 30000,
    onStep: (step, ms, detail) => {
      console.log(`✔ ${LABELS[step]}  (${ms.toFixed(0)} ms)`);
      if (step === 'checkout') {
        const { split, orderNo } = detail as {
          split: { total: number; fund: number; account: number; cash: number };
          orderNo: string;
        };
        console.log(`    order ${orderNo}`);
        console.log(
          `    total ¥${fenToYuan(split.total)} = 统筹 ¥${fenToYuan(split.fund)} + 个账 ¥${fenToYuan(split.account)} + 自费 ¥${fenToYuan(split.cash)}`,
        );
      }
    },
  });
  console.log(
    `\nstatus ${result.status}, receipt ${result.receiptNo ?? '-'}, ${result.totalMs.toFixed(0)} ms in all`,
  );
  if (result.status !== 'COMPLETED') process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(
    `demo failed: ${err instanceof Error ? err.message : String(err)}\nIs the stack running? (npm start)`,
  );
  process.exit(1);
});
