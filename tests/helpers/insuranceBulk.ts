/**
 * Many settlements straight into the insurance mock's books, for tests and the bench that are about a day's
 * size: one settles the normal way (upload, pre-settle, settle: 5.00, all cash), the others are copies of it
 * with their own numbers, times and split. The HTTP path is covered by the contract tests.
 */
import type { InsuranceState } from '../../mocks/insurance/state';
import type { Split } from '../../shared/money';
import type { UploadFeesInput } from '../../shared/protocol/insurance';

const ORG = 'H36010000001';

export interface BulkSettlement {
  payOrdId: string;
  medOrgOrd: string;
  setlId: string;
  settledAtMs: number;
  /** default: the template's (5.00, all cash) */
  split?: Split;
}

/** Settles one template order the normal way; returns a function that books a copy of it per settlement. */
export function bulkSettler(state: InsuranceState, date: string, insutype: '310' | '390' = '390') {
  const person = state.addPerson({
    name: '批量',
    idNo: '360102199001017777',
    insutype,
    balanceFen: 0,
    status: 'ACTIVE',
  });
  const { payAuthNo } = state.issuePayAuth(person.authCode);
  const input: UploadFeesInput = {
    orgCodg: ORG,
    psnNo: person.psnNo,
    insutype,
    medOrgOrd: 'BULK0',
    begntime: `${date} 10:00:00`,
    idNo: person.idNo,
    userName: person.name,
    idType: '01',
    payAuthNo,
    iptOtpNo: 'BULK0',
    medType: '11',
    medfeeSumamt: '5.00',
    acctUsedFlag: '0',
    chrgBchno: 'BULK0',
    mdtrtCertType: '01',
    feedetailList: [
      {
        feedetlSn: '0001',
        feeOcurTime: `${date} 10:00:00`,
        medListCodg: 'ZC0000001',
        medinsListCodg: 'ZC0000001',
        detItemFeeSumamt: '5.00',
        cnt: '1',
        pric: '5.00',
      },
    ],
  };
  const template = state.uploadFees(input);
  state.preSettle({
    payAuthNo,
    payOrdId: template.payOrdId,
    payToken: template.payToken,
    orgCodg: ORG,
    orgBizSer: template.medOrgOrd,
    acctUsedFlag: '0',
  });
  state.settle(template.payOrdId, 'SUCCESS');
  const settlement = template.settlement as NonNullable<typeof template.settlement>;
  return {
    template,
    settlement,
    book(s: BulkSettlement): void {
      const split = s.split ?? settlement.result.split;
      const order = {
        ...template,
        payOrdId: s.payOrdId,
        medOrgOrd: s.medOrgOrd,
        totalFen: split.total,
        refunds: [],
        settlement: {
          ...settlement,
          setlId: s.setlId,
          settledAtMs: s.settledAtMs,
          result: { ...settlement.result, split },
        },
      };
      state.orders.set(s.payOrdId, order);
      state.days.add(s.settledAtMs, { kind: 'SETTLEMENT', order });
    },
  };
}
