/** A line of an outpatient bill, as the HIS keeps it (state.ts) and the demo seed writes it (seed.ts). */
import type { HisInsuranceClass } from '../../shared/protocol/his';

export interface BillItem {
  code: string;
  name: string;
  spec?: string;
  price: number;
  qty: number;
  amount: number;
  insuranceClass?: HisInsuranceClass;
}
