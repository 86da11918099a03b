/** 6301's balance after the settlement (extData.setlinfo[0].balc) as the adapter reads it (issue 13 item 5). */
import { GatewayError } from '../../server/gateways/ports';
import { fromQueryOrder } from '../../server/gateways/insurance/transformers';
import { thrownBy } from '../helpers/thrown';

const settled = {
  ordStas: '4',
  payOrdId: 'ORD36010020261123120000000001',
  medOrgOrd: 'MO20261123000001',
  traceTime: '20261123193100',
  feeSumamt: '498.00',
  ownpayAmt: '0.00',
  psnAcctPay: '418.76',
  fundPay: '79.24',
  hiChrgTime: '20261123193000',
  setlId: 'SETL36010020261123193000000002',
};
const sent = { payOrdId: settled.payOrdId };

describe('6301 balance after the settlement', () => {
  test('reads balc of the first setlinfo, in fen', () => {
    const answer = {
      ...settled,
      extData: { setlinfo: [{ setl_id: settled.setlId, balc: '1081.24', acct_pay: '418.76' }] },
    };
    expect(fromQueryOrder(answer, sent).accountBalanceFen).toBe(108_124);
  });

  test('no setlinfo, or one without balc: no balance', () => {
    expect(fromQueryOrder({ ...settled, extData: {} }, sent).accountBalanceFen).toBeUndefined();
    expect(fromQueryOrder(settled, sent).accountBalanceFen).toBeUndefined();
    expect(
      fromQueryOrder({ ...settled, extData: { setlinfo: [{ setl_id: 'X' }] } }, sent).accountBalanceFen,
    ).toBeUndefined();
  });

  test('an order not settled gives no balance, whatever extData holds', () => {
    const answer = { ...settled, ordStas: '1', hiChrgTime: '', extData: { setlinfo: [{ balc: '1.00' }] } };
    expect(fromQueryOrder(answer, sent).accountBalanceFen).toBeUndefined();
  });

  test.each([[{ setlinfo: [{ balc: '-1.00' }] }], [{ setlinfo: [{ balc: 12 }] }], [{ setlinfo: 'x' }]])(
    'a malformed balance is invalid_response: %j',
    (extData) => {
      const err = thrownBy(GatewayError, () => fromQueryOrder({ ...settled, extData }, sent));
      expect(err).toMatchObject({ kind: 'invalid_response' });
    },
  );
});
