/**
 * Deterministic demo data. Item codes are those of the insurance mock's catalogue, so its settlement rules
 * know every line. Prices in fen.
 */
import type { Clock } from '../../shared/clock';
import type { BillItem } from './records';

/** What seeding needs of the HIS state (state.ts seeds itself through this, so the two do not import each other). */
interface SeedTarget {
  readonly clock: Clock;
  addPatient(input: { name: string; idNo: string; phone?: string }): { patientId: string };
  addBill(input: {
    patientId: string;
    items: Omit<BillItem, 'amount'>[];
    dept?: string;
    doctor?: string;
    createdAtMs?: number;
  }): unknown;
}

type CatalogueItem = Omit<BillItem, 'amount' | 'qty'>;

export const HIS_CATALOGUE = {
  registration: { code: '110200001', name: '挂号费', price: 500, insuranceClass: 'A' },
  consultation: { code: '110200002', name: '诊查费', price: 2000, insuranceClass: 'A' },
  bloodRoutine: { code: '250101001', name: '血常规', price: 2500, insuranceClass: 'A' },
  liverFunction: { code: '250301001', name: '肝功能', price: 6000, insuranceClass: 'B' },
  ctPlain: { code: '210103001', name: 'CT平扫', spec: '头部', price: 18000, insuranceClass: 'B' },
  amoxicillin: {
    code: 'XC01AAA001',
    name: '阿莫西林胶囊',
    spec: '0.25g×24粒/盒',
    price: 1280,
    insuranceClass: 'A',
  },
  cefuroxime: {
    code: 'XJ01DCA001',
    name: '头孢呋辛酯片',
    spec: '0.25g×12片/盒',
    price: 3560,
    insuranceClass: 'B',
  },
  importedNutrition: {
    code: 'ZZ9999001',
    name: '进口营养剂',
    spec: '400g/罐',
    price: 26800,
    insuranceClass: 'C',
  },
} as const satisfies Record<string, CatalogueItem>;

const line = (item: CatalogueItem, qty = 1) => ({ ...item, qty });
const MINUTE_MS = 60_000;

export function seedHis(state: SeedTarget): void {
  const c = HIS_CATALOGUE;
  const now = state.clock.now();
  const zhang = state.addPatient({ name: '张伟', idNo: '360102198503121231', phone: '13800000001' });
  const li = state.addPatient({ name: '李娜', idNo: '360102199007182427', phone: '13800000002' });
  const wang = state.addPatient({ name: '王芳', idNo: '360103197802053568', phone: '13800000003' });
  state.addPatient({ name: '刘洋', idNo: '360104201509214516' });
  const chen = state.addPatient({ name: '陈秀英', idNo: '360102196611300043', phone: '13800000005' });

  const bills = [
    {
      patientId: zhang.patientId,
      dept: '呼吸内科',
      doctor: '周建国',
      items: [line(c.registration), line(c.consultation), line(c.bloodRoutine), line(c.amoxicillin, 2)],
    },
    {
      patientId: zhang.patientId,
      dept: '放射科',
      doctor: '吴敏',
      items: [line(c.ctPlain), line(c.liverFunction)],
    },
    {
      patientId: li.patientId,
      dept: '呼吸内科',
      doctor: '周建国',
      items: [line(c.registration), line(c.consultation), line(c.cefuroxime, 2)],
    },
    {
      patientId: li.patientId,
      dept: '临床营养科',
      doctor: '郑丽',
      items: [line(c.consultation), line(c.importedNutrition)],
    },
    {
      patientId: wang.patientId,
      dept: '检验科',
      doctor: '孙强',
      items: [line(c.bloodRoutine), line(c.liverFunction)],
    },
    {
      patientId: chen.patientId,
      dept: '老年病科',
      doctor: '钱文',
      items: [
        line(c.registration),
        line(c.consultation),
        line(c.ctPlain),
        line(c.cefuroxime),
        line(c.importedNutrition, 2),
      ],
    },
  ];
  bills.forEach((bill, i) =>
    state.addBill({ ...bill, createdAtMs: now - (bills.length - i) * 10 * MINUTE_MS }),
  );
}
