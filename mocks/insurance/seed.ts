/**
 * The insurance mock's seeded, deterministic demo data: catalogue, default policies (DESIGN 10) and one
 * insured person per state. /__admin/reset puts exactly this back. Codes are fictional but shaped like the
 * national ones (service items 9 digits, drugs X…); ID numbers carry valid check digits.
 */
import type { CatalogueItem, InsuredStatus, Insutype, Policies } from './rules';

export const HOME_ADMDVS = '360100';

export function seedCatalogue(): CatalogueItem[] {
  return [
    { code: '110100001', name: '普通门诊挂号费', class: 'A', priceFen: 500 },
    { code: '110200001', name: '普通门诊诊查费', class: 'A', priceFen: 1000 },
    { code: '110200003', name: '副主任医师门诊诊查费', class: 'A', priceFen: 2500 },
    { code: '250101015', name: '血常规（五分类）', class: 'A', priceFen: 2500 },
    { code: '250305007', name: 'C反应蛋白测定', class: 'A', priceFen: 3000 },
    { code: '250301002', name: '肝功能检查', class: 'B', priceFen: 8000 },
    { code: '270800005', name: '尿常规', class: 'A', priceFen: 1500 },
    { code: '210200001', name: '胸部X线摄影（DR）', class: 'A', priceFen: 8000 },
    { code: '210300001', name: 'CT平扫（头颅）', class: 'B', selfPayRatioBp: 2000, priceFen: 30000 },
    { code: '220201001', name: 'B超常规检查', class: 'B', priceFen: 12000 },
    { code: '120400001', name: '静脉输液', class: 'A', priceFen: 1200 },
    { code: 'XJ01DDA087', name: '头孢克肟胶囊 0.1g×12粒', class: 'B', selfPayRatioBp: 1000, priceFen: 2400 },
    { code: 'XN02BEA001', name: '对乙酰氨基酚片 0.5g×20片', class: 'A', priceFen: 850 },
    { code: 'XR05CBA001', name: '盐酸氨溴索口服溶液 100ml', class: 'B', priceFen: 3200 },
    { code: 'XJ01CRA001', name: '进口阿莫西林克拉维酸钾片（原研）', class: 'C', priceFen: 12000 },
    { code: 'ZC0000001', name: '一次性医用口罩', class: 'C', priceFen: 150 },
    // the items of the HIS mock's seeded and demo bills (same codes, so the two mocks agree)
    { code: '110200002', name: '诊查费', class: 'A', priceFen: 2000 },
    { code: '250101001', name: '血常规', class: 'A', priceFen: 2500 },
    { code: '250301001', name: '肝功能', class: 'B', priceFen: 6000 },
    { code: '210103001', name: 'CT平扫', class: 'B', selfPayRatioBp: 2000, priceFen: 18000 },
    { code: 'XC01AAA001', name: '阿莫西林胶囊 0.25g×24粒', class: 'A', priceFen: 1850 },
    { code: 'XJ01DCA001', name: '头孢呋辛酯片 0.25g×12片', class: 'B', selfPayRatioBp: 1000, priceFen: 4550 },
    { code: 'ZZ9999001', name: '进口营养剂', class: 'C', priceFen: 12000 },
  ];
}

export function seedPolicies(): Policies {
  return {
    classBSelfPayRatioBp: 1000,
    insutypes: {
      '310': { deductibleFen: 20_000, fundRatioBp: 7000, annualCapFen: 500_000 },
      '390': { deductibleFen: 10_000, fundRatioBp: 5000, annualCapFen: 300_000 },
    },
  };
}

export interface SeedPerson {
  psnNo: string;
  name: string;
  idNo: string;
  insutype: Insutype;
  status: InsuredStatus;
  balanceFen: number;
  authCode: string;
  insuplcAdmdvs: string;
  /**
   * 代亲属: the WeChat user who holds the insurance e-voucher and authorizes for this person (a family member);
   * absent when the person authorizes for themself
   */
  holder?: { name: string; idNo: string };
}

export function seedPersons(): SeedPerson[] {
  return [
    {
      psnNo: '36010000000000000001',
      name: '张三',
      idNo: '360102198503122015',
      insutype: '310',
      status: 'ACTIVE',
      balanceFen: 150_000,
      authCode: 'AUTH-EMPLOYEE',
      insuplcAdmdvs: HOME_ADMDVS,
    },
    {
      psnNo: '36010000000000000002',
      name: '李梅',
      idNo: '360102199207183029',
      insutype: '390',
      status: 'ACTIVE',
      balanceFen: 0,
      authCode: 'AUTH-RESIDENT',
      insuplcAdmdvs: HOME_ADMDVS,
    },
    {
      psnNo: '36010000000000000003',
      name: '王强',
      idNo: '360103197801054016',
      insutype: '310',
      status: 'SUSPENDED',
      balanceFen: 50_000,
      authCode: 'AUTH-SUSPENDED',
      insuplcAdmdvs: HOME_ADMDVS,
    },
    {
      psnNo: '36010000000000000004',
      name: '赵丽',
      idNo: '360104198811225027',
      insutype: '310',
      status: 'ARREARS',
      balanceFen: 20_000,
      authCode: 'AUTH-ARREARS',
      insuplcAdmdvs: HOME_ADMDVS,
    },
    {
      psnNo: '36010000000000000005',
      name: '钱进',
      idNo: '440305199506066017',
      insutype: '390',
      status: 'OUT_OF_AREA',
      balanceFen: 0,
      authCode: 'AUTH-OUT-OF-AREA',
      insuplcAdmdvs: '440300',
    },
    {
      psnNo: '36010000000000000006',
      name: '孙悦',
      idNo: '360102200002297028',
      insutype: '310',
      status: 'ACTIVE',
      balanceFen: 1_000,
      authCode: 'AUTH-LOW-BALANCE',
      insuplcAdmdvs: HOME_ADMDVS,
    },
  ];
}
