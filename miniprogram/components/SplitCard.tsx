/**
 * The split of a settlement (DESIGN 5): total = 统筹 fund + 个账 account + 自费 cash. Every amount is fen,
 * formatted by formatFen only. If the legs do not add up, the card says so instead of hiding it, and the
 * caller must not offer to pay.
 */
import { Text, View } from '@tarojs/components';
import { formatFen, isValidSplit, type Split } from '../../shared/money';
import './SplitCard.css';

interface Props {
  split: Split;
  /** element ids: `${idPrefix}-total`, `-fund`, `-account`, `-cash` (the browser tests select them) */
  idPrefix?: string;
  title?: string;
}

export function SplitCard({ split, idPrefix, title = '费用明细' }: Props) {
  const id = (leg: string) => (idPrefix ? `${idPrefix}-${leg}` : undefined);
  const valid = isValidSplit(split);
  return (
    <View className="card split">
      <Text className="card-title">{title}</Text>
      <View className="split-total" id={id('total')}>
        <Text className="split-total-label">总金额</Text>
        <Text className="amount amount--big">{formatFen(split.total)}</Text>
      </View>
      <View className="split-leg" id={id('fund')}>
        <View className="grow">
          <Text className="split-leg-name">医保统筹支付</Text>
          <Text className="split-leg-note">统筹基金直接结算</Text>
        </View>
        <Text className="amount amount--insurance">{formatFen(split.fund)}</Text>
      </View>
      <View className="split-leg" id={id('account')}>
        <View className="grow">
          <Text className="split-leg-name">个人账户支付</Text>
          <Text className="split-leg-note">医保个账余额</Text>
        </View>
        <Text className="amount amount--insurance">{formatFen(split.account)}</Text>
      </View>
      <View className="split-leg split-leg--cash" id={id('cash')}>
        <View className="grow">
          <Text className="split-leg-name">自费（微信支付）</Text>
          <Text className="split-leg-note">需要您支付的部分</Text>
        </View>
        <Text className="amount amount--cash split-cash-amount">{formatFen(split.cash)}</Text>
      </View>
      {valid ? (
        <Text className="split-check" id={id('check')}>
          {formatFen(split.fund)} + {formatFen(split.account)} + {formatFen(split.cash)} ={' '}
          {formatFen(split.total)}
        </Text>
      ) : (
        <View className="notice notice--danger" id={id('invalid')}>
          <Text>金额校验未通过：各项之和与总金额不一致，请勿支付并联系医院。</Text>
        </View>
      )}
    </View>
  );
}
