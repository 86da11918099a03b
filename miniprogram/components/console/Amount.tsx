/** Every amount on the console goes through formatFen (shared/money): fen in, "¥12.30" out. */
import { formatFen } from '../../../shared/money';

/** `plain`: a negative amount is not red (a refund in a reconciliation is money going back, not an error). */
export function Fen({
  fen,
  id,
  className,
  plain,
}: {
  fen: number | undefined;
  id?: string;
  className?: string;
  plain?: boolean;
}) {
  if (fen === undefined) return <span className="c-muted">—</span>;
  return (
    <span
      id={id}
      className={`c-amount${fen < 0 && !plain ? ' c-amount--negative' : ''}${className ? ` ${className}` : ''}`}
    >
      {formatFen(fen)}
    </span>
  );
}
