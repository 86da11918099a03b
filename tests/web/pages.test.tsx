/** Loading, empty and error states of the pages, with the server's message; the forms' own checks. */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Authorize, { eligibilityText } from '../../miniprogram/pages/authorize/index';
import Bill from '../../miniprogram/pages/bill/index';
import Bills from '../../miniprogram/pages/bills/index';
import Bind from '../../miniprogram/pages/bind/index';
import Cards from '../../miniprogram/pages/cards/index';
import Order from '../../miniprogram/pages/order/index';
import Orders from '../../miniprogram/pages/orders/index';
import { api } from '../../miniprogram/services/api';
import { ApiError } from '../../miniprogram/services/errors';
import { getCurrentPatientId } from '../../miniprogram/services/storage';
import Taro, { resetTaro } from './stubs/taro';
import { ORDER_ID, PATIENT_ID, bill, order, patient } from './fixtures';

const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const authorized = (eligible: boolean, reason?: string) => ({
  eligible,
  reason,
  insutype: '310',
  insutypeName: '职工基本医疗保险',
  balance: 3000,
  authorizedAt: '2026-03-01T08:00:00.000Z',
  expiresAt: '2999-01-01T00:00:00.000Z',
});

afterEach(() => jest.restoreAllMocks());

describe('Orders page', () => {
  beforeEach(() => resetTaro({ path: '/pages/orders/index' }));

  it('shows a loading state, then each order with its Chinese status and total', async () => {
    jest.spyOn(api, 'orders').mockResolvedValue([order({ status: 'COMPLETED' })]);
    render(<Orders />);
    expect(screen.getByText('加载中…')).toBeTruthy();
    await screen.findByText('已完成');
    expect(text(`order-${ORDER_ID}`)).toContain('¥491.00');
    fireEvent.click(document.getElementById(`order-${ORDER_ID}`)!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/order/index?orderId=${ORDER_ID}` });
  });

  it('shows an empty state', async () => {
    jest.spyOn(api, 'orders').mockResolvedValue([]);
    render(<Orders />);
    expect(await screen.findByText('暂无缴费记录')).toBeTruthy();
  });

  it("shows the server's message on error, and retries", async () => {
    jest
      .spyOn(api, 'orders')
      .mockRejectedValueOnce(new ApiError('UPSTREAM_UNAVAILABLE', 'the HIS is not answering', 503))
      .mockResolvedValue([]);
    render(<Orders />);
    expect(await screen.findByText('the HIS is not answering')).toBeTruthy();
    expect(screen.getByText('医院或医保系统暂时不可用')).toBeTruthy();
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByText('暂无缴费记录')).toBeTruthy();
  });
});

describe('Order detail page', () => {
  beforeEach(() => resetTaro({ path: '/pages/order/index', params: { orderId: ORDER_ID } }));

  it('shows the status in Chinese, the receipt number, the split, no refunds yet, and the timeline in patient words', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(
      order({
        status: 'COMPLETED',
        receiptNo: 'EINV0001',
        timeline: [
          { at: '2026-03-01T09:00:00.000Z', title: '已提交', detail: '订单已创建' },
          { at: '2026-03-01T09:02:00.000Z', title: '医院已确认收费', detail: '缴费完成' },
        ],
      }),
    );
    render(<Order />);
    await waitFor(() => expect(text('order-status')).toBe('已完成'));
    expect(text('receipt-no')).toBe('EINV0001');
    expect(document.body.textContent).toContain('¥148.33');
    expect(text('refunds')).toContain('暂无退款');
    expect(text('order-events')).toMatch(/医院已确认收费.*缴费完成.*已提交/);
    // the raw events' actors and reasons stay out of the patient's page
    expect(text('order-events')).not.toMatch(/HIS|outbox|confirmed/);
  });

  it('lists refunds split by fund', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(
      order({
        status: 'REFUNDED',
        refunds: [
          {
            id: 'RF1',
            refundNo: 'RF20260301090000123456789001',
            status: 'SUCCEEDED',
            reason: '患者退费',
            split: { total: 49100, fund: 14833, account: 3000, cash: 31267 },
            legs: [
              { kind: 'cash', amount: 31267, status: 'SUCCEEDED' },
              { kind: 'insurance', amount: 17833, status: 'SUCCEEDED' },
              { kind: 'his', amount: 49100, status: 'SUCCEEDED' },
            ],
            createdAt: '2026-03-01T10:00:00.000Z',
          },
        ],
      }),
    );
    render(<Order />);
    await waitFor(() => expect(text('refunds')).toContain('退款成功'));
    expect(text('refunds')).toContain('统筹¥148.33·个账¥30.00·自费¥312.67');
  });

  it("shows the server's message when the order is not there", async () => {
    jest
      .spyOn(api, 'order')
      .mockRejectedValue(new ApiError('ORDER_NOT_FOUND', '没有找到这笔订单，请返回订单列表。', 404));
    render(<Order />);
    expect(await screen.findByText('没有找到这笔订单，请返回订单列表。')).toBeTruthy();
  });
});

describe('Bind page', () => {
  beforeEach(() => resetTaro({ path: '/pages/bind/index' }));

  const fill = (id: string, value: string) =>
    fireEvent.change(document.getElementById(id)!, { target: { value } });

  it('checks the form before sending anything', async () => {
    const bind = jest.spyOn(api, 'bindPatient');
    render(<Bind />);
    fill('bind-idno', '12345');
    fireEvent.click(document.getElementById('bind-submit')!);
    expect(await screen.findByText('请填写姓名')).toBeTruthy();
    expect(screen.getByText('身份证号应为 18 位（最后一位可为 X）')).toBeTruthy();
    expect(bind).not.toHaveBeenCalled();
    // a wrong check digit (GB 11643) is caught before sending
    fill('bind-name', '张三');
    fill('bind-idno', '360102199001011238');
    fireEvent.click(document.getElementById('bind-submit')!);
    expect(await screen.findByText('身份证号校验位不对，请核对后重新填写')).toBeTruthy();
    expect(bind).not.toHaveBeenCalled();
  });

  const started = {
    status: 'VERIFICATION_REQUIRED' as const,
    verificationId: '99999999-2222-4333-8444-555555555555',
    channel: 'sms' as const,
    phoneMasked: '138****0001',
    expiresAt: '2026-12-07T10:05:00.000Z',
    resendAfterS: 60,
  };

  it('asks for a code, shows where it went with a resend countdown, then binds with the code and goes back', async () => {
    const bind = jest.spyOn(api, 'bindPatient').mockResolvedValue(started);
    const verify = jest
      .spyOn(api, 'verifyBinding')
      .mockRejectedValueOnce(
        new ApiError('VERIFICATION_CODE_INVALID', '验证码不正确，还可以再试 4 次。', 422),
      )
      .mockResolvedValue(patient());
    render(<Bind />);
    fill('bind-name', ' 张三 ');
    fill('bind-idno', '36010219900101123x');
    fireEvent.click(document.getElementById('bind-submit')!);
    expect(await screen.findByText(/138\*\*\*\*0001/)).toBeTruthy();
    expect(bind).toHaveBeenCalledWith({ name: '张三', idNo: '36010219900101123X' });
    expect(screen.getByText('60 秒后可重新获取')).toBeTruthy();
    fill('bind-code', '12');
    fireEvent.click(document.getElementById('bind-code-submit')!);
    expect(await screen.findByText('验证码为 6 位数字')).toBeTruthy();
    expect(verify).not.toHaveBeenCalled();
    fill('bind-code', '654321');
    fireEvent.click(document.getElementById('bind-code-submit')!);
    expect(await screen.findByText(/验证码不正确，还可以再试 4 次/)).toBeTruthy();
    fireEvent.click(document.getElementById('bind-code-submit')!);
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/cards/index' }));
    expect(verify).toHaveBeenLastCalledWith(started.verificationId, '654321');
    expect(getCurrentPatientId()).toBe(PATIENT_ID);
  });

  it('offers a new code once the countdown is over', async () => {
    jest.useFakeTimers();
    try {
      const bind = jest.spyOn(api, 'bindPatient').mockResolvedValue({ ...started, resendAfterS: 2 });
      render(<Bind />);
      fill('bind-name', '张三');
      fill('bind-idno', '36010219900101123X');
      fireEvent.click(document.getElementById('bind-submit')!);
      expect(await screen.findByText('2 秒后可重新获取')).toBeTruthy();
      act(() => jest.advanceTimersByTime(1000));
      act(() => jest.advanceTimersByTime(1000));
      expect(screen.getByText('重新获取验证码')).toBeTruthy();
      fireEvent.click(document.getElementById('bind-code-resend')!);
      await waitFor(() => expect(bind).toHaveBeenCalledTimes(2));
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('Cards page', () => {
  beforeEach(() => resetTaro({ path: '/pages/cards/index' }));

  it('unbinds a card after the patient confirms, and lists the cards again', async () => {
    const list = jest.spyOn(api, 'patients').mockResolvedValueOnce([patient()]).mockResolvedValue([]);
    const unbind = jest.spyOn(api, 'unbindPatient').mockResolvedValue(undefined);
    render(<Cards />);
    fireEvent.click(await screen.findByText('解绑'));
    await waitFor(() => expect(unbind).toHaveBeenCalledWith(PATIENT_ID));
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '解绑就诊卡' }));
    await waitFor(() => expect(list).toHaveBeenCalledTimes(2));
  });

  it('lists cards with masked ID numbers and switches the current one', async () => {
    const other = patient({
      id: '11111111-2222-4333-8444-555555555555',
      name: '李*',
      idNoMasked: '3601**********5678',
    });
    jest.spyOn(api, 'patients').mockResolvedValue([patient({ insurance: authorized(true) }), other]);
    render(<Cards />);
    await waitFor(() => expect(document.getElementById(`card-${PATIENT_ID}`)).not.toBeNull());
    expect(text(`card-${PATIENT_ID}`)).toContain('3601**********1234');
    expect(text(`card-${PATIENT_ID}`)).toContain('当前就诊人');
    expect(text(`card-${PATIENT_ID}`)).toContain('个账余额¥30.00');
    fireEvent.click(document.getElementById(`card-${other.id}`)!);
    expect(getCurrentPatientId()).toBe(other.id);
    expect(text(`card-${other.id}`)).toContain('当前就诊人');
    expect(document.getElementById('authorize-button')).not.toBeNull();
    expect(document.getElementById('add-card')).not.toBeNull();
  });

  it('shows an empty state that still offers to add a card', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue([]);
    render(<Cards />);
    expect(await screen.findByText('还没有绑定就诊卡')).toBeTruthy();
    fireEvent.click(document.getElementById('add-card')!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' });
  });
});

describe('Authorize page', () => {
  it('exchanges the authCode that came back and says plainly why an ineligible person cannot use insurance', async () => {
    resetTaro({ path: '/pages/authorize/index', params: { patientId: PATIENT_ID, authCode: 'AC-1' } });
    const reason = '医保参保状态为暂停，暂不能使用医保支付，可选择全部自费支付';
    jest.spyOn(api, 'authorizeInsurance').mockResolvedValue(authorized(false, reason));
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    render(<Authorize />);
    await waitFor(() => expect(text('eligibility')).toContain('暂停'));
    expect(api.authorizeInsurance).toHaveBeenCalledWith(PATIENT_ID, 'AC-1');
    fireEvent.click(document.getElementById('use-cash')!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/bills/index' });
  });

  it('says an eligible person may use insurance, without words of refusal', () => {
    expect(eligibilityText(authorized(true))).toBe(
      '医保授权成功：职工基本医疗保险，个人账户余额 ¥30.00。缴费时可使用医保支付。',
    );
    expect(eligibilityText(authorized(true))).not.toMatch(/不能|暂停|欠费/);
  });

  // issue 11: the suspended message said "暂不能使用医保支付：…暂不能使用医保支付…"
  it('says why an ineligible person cannot use insurance, never twice', () => {
    const suspended = {
      ...authorized(false),
      reason: '医保参保状态为暂停，暂不能使用医保支付，可选择全部自费支付',
    };
    expect(eligibilityText(suspended)).toBe('医保参保状态为暂停，暂不能使用医保支付，可选择全部自费支付');
    expect(eligibilityText({ ...authorized(false), reason: '医保欠费' })).toBe(
      '暂不能使用医保支付：医保欠费',
    );
  });

  it('after a cancelled authorization offers to retry or to pay in cash', async () => {
    resetTaro({ path: '/pages/authorize/index', params: { patientId: PATIENT_ID, error: 'user_cancelled' } });
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    render(<Authorize />);
    await waitFor(() => expect(text('eligibility')).toContain('您已取消医保授权'));
    expect(document.getElementById('use-cash')).not.toBeNull();
    expect(document.getElementById('reauthorize-button')).not.toBeNull();
  });

  it("shows the server's message when the authCode is refused, and still offers cash", async () => {
    resetTaro({ path: '/pages/authorize/index', params: { patientId: PATIENT_ID, authCode: 'OLD' } });
    jest
      .spyOn(api, 'authorizeInsurance')
      .mockRejectedValue(
        new ApiError('AUTH_CODE_INVALID', 'the insurance authorization code is invalid or expired', 422),
      );
    render(<Authorize />);
    expect(await screen.findByText('the insurance authorization code is invalid or expired')).toBeTruthy();
    expect(document.getElementById('use-cash')).not.toBeNull();
  });
});

describe('Bills and bill detail', () => {
  it('lists the unpaid bills of the current card with their amounts', async () => {
    resetTaro({ path: '/pages/bills/index' });
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    jest.spyOn(api, 'bills').mockResolvedValue([bill()]);
    render(<Bills />);
    await waitFor(() => expect(text('bill-B20260301001')).toContain('¥491.00'));
  });

  it('shows an empty state when nothing is due', async () => {
    resetTaro({ path: '/pages/bills/index' });
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    jest.spyOn(api, 'bills').mockResolvedValue([]);
    render(<Bills />);
    expect(await screen.findByText('暂无待缴费账单')).toBeTruthy();
  });

  it('shows the items with 甲/乙/丙 and offers insurance only with a usable authorization', async () => {
    resetTaro({ path: '/pages/bill/index', params: { billNo: 'B20260301001', patientId: PATIENT_ID } });
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    jest.spyOn(api, 'bills').mockResolvedValue([bill()]);
    render(<Bill />);
    await waitFor(() => expect(document.getElementById('bill-items')).not.toBeNull());
    expect(text('bill-items')).toMatch(/诊查费甲类¥20\.00.*CT平扫乙类¥350\.00.*自费材料丙类¥30\.00/);
    expect(document.getElementById('checkout-insurance')).toBeNull();
    expect(document.getElementById('checkout-cash')).not.toBeNull();
  });

  it("creates the order with an Idempotency-Key and opens the pre-settlement; shows the server's refusal", async () => {
    resetTaro({ path: '/pages/bill/index', params: { billNo: 'B20260301001', patientId: PATIENT_ID } });
    jest.spyOn(api, 'patients').mockResolvedValue([patient({ insurance: authorized(true) })]);
    jest.spyOn(api, 'bills').mockResolvedValue([bill()]);
    const create = jest
      .spyOn(api, 'createOrder')
      .mockRejectedValueOnce(
        new ApiError('BILL_NOT_PAYABLE', '账单 B1 正在另一笔订单中支付，请刷新账单列表。', 409),
      )
      .mockResolvedValue(order());
    render(<Bill />);
    fireEvent.click(await screen.findByText('使用医保支付'));
    expect(await screen.findByText(/正在另一笔订单中支付/)).toBeTruthy();
    fireEvent.click(screen.getByText('使用医保支付'));
    await waitFor(() =>
      expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/confirm/index?orderId=${ORDER_ID}` }),
    );
    expect(create).toHaveBeenCalledWith(
      { patientId: PATIENT_ID, billNos: ['B20260301001'], useInsurance: true },
      expect.stringMatching(/^[A-Za-z0-9_.:-]{8,128}$/),
    );
  });

  // issue 11: after an insurance refusal the green 使用医保支付 button was still offered
  it('after the insurance platform refuses, offers cash only and says why', async () => {
    resetTaro({ path: '/pages/bill/index', params: { billNo: 'B20260301001', patientId: PATIENT_ID } });
    jest.spyOn(api, 'patients').mockResolvedValue([patient({ insurance: authorized(true) })]);
    jest.spyOn(api, 'bills').mockResolvedValue([bill()]);
    jest
      .spyOn(api, 'createOrder')
      .mockRejectedValue(new ApiError('INSURANCE_REJECTED', '医保结算未通过，可以选择全部自费支付。', 422));
    render(<Bill />);
    fireEvent.click(await screen.findByText('使用医保支付'));
    expect(await screen.findByText(/这张账单不能使用医保支付/)).toBeTruthy();
    expect(document.getElementById('checkout-insurance')).toBeNull();
    // said once, not twice
    expect(screen.getAllByText(/医保结算未通过/)).toHaveLength(1);
  });
});
