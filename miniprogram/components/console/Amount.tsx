/** Every amount on the console goes through formatFen (shared/money): fen in, "¥12.30" out. */
import { formatFen } from '../../../shared/money';

export function Fen({ fen, id, className }: { fen: number | undefined; id?: string; className?: string }) {
  if (fen === undefined) return <span className="c-muted">—</span>;
  return (
    <span
      id={id}
      className={`c-amount${fen < 0 ? ' c-amount--negative' : ''}${className ? ` ${className}` : ''}`}
    >
      {formatFen(fen)}
    </span>
  );
}
