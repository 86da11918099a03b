/**
 * The day's records into the run's staging table (./items.ts) by one `COPY … FROM STDIN` on the run's session:
 * each party's record becomes a line of COPY's text format as it is parsed (our side arrives as such lines from
 * another connection), lines are sent in chunks, and a producer waits while the socket is full — so memory holds
 * a chunk, never a file. Several producers (ours and the three parties, read at once) write into the same COPY;
 * the first that fails aborts it for all.
 */
import type { PoolClient } from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import type { ReconSourceName } from '../../domain/reconciliation';
import { STAGE_COLUMNS, STAGE_TABLE, type ReconItem } from './items';

/**
 * Bytes gathered before they are handed to the socket. Lines are written into a Buffer (outside the JS heap) as
 * they are made, so each line's string dies young and nothing of a chunk is promoted to the old generation.
 */
const CHUNK_BYTES = 256 * 1024;

/** A text value in COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;
}

const copyInt = (value: number): string => {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return String(value);
};

/** One staged record as a line of COPY's text format (columns: STAGE_COLUMNS; \N is NULL). */
export function stageLine(source: ReconSourceName, item: ReconItem): string {
  const { split } = item;
  return (
    `${source}\t${item.record}\t${copyText(item.key)}\t${copyText(item.orderNo)}\t` +
    `${copyInt(split.total)}\t${copyInt(split.fund)}\t${copyInt(split.account)}\t${copyInt(split.cash)}\t` +
    `${item.ref === undefined ? '\\N' : copyText(item.ref)}\t${item.atMs === undefined ? '\\N' : copyInt(item.atMs)}\n`
  );
}

/** Where a source's records go. */
export interface ItemSink {
  push(item: ReconItem): Promise<void>;
}

export class StageCopy {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private failure: unknown;
  private failed = false;
  /** while the socket is full: settles when it has drained (or the COPY failed) */
  private full: Promise<void> | undefined;
  private readonly done: Promise<void>;

  private constructor(private readonly stream: CopyStreamQuery) {
    // the COPY is over (committed to the table, or failed) when the stream has closed
    this.done = new Promise((resolve, reject) => {
      stream.on('error', (err) => {
        this.fail(err);
        reject(err);
      });
      stream.on('finish', resolve);
    });
    this.done.catch(() => undefined);
  }

  /** Starts the COPY on the session's connection; nothing else may run on it until `end` or `abort`. */
  static open(client: PoolClient): StageCopy {
    return new StageCopy(client.query(copyFrom(`COPY ${STAGE_TABLE} (${STAGE_COLUMNS}) FROM STDIN`)));
  }

  /** The records of one source. */
  sink(source: ReconSourceName): ItemSink {
    return { push: (item) => this.push(source, item) };
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = err;
  }

  private async push(source: ReconSourceName, item: ReconItem): Promise<void> {
    if (this.failed) throw this.failure;
    this.append(stageLine(source, item));
    if (this.used >= CHUNK_BYTES / 2 && this.full === undefined) this.send();
    if (this.full !== undefined) await this.full;
    if (this.failed) throw this.failure;
  }

  /** Adds a line to the chunk; a chunk too full for it is sent first, whatever the socket says. */
  private append(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.used + bytes > this.chunk.length) {
      if (this.used > 0) this.stream.write(this.take());
      if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(bytes);
    }
    this.used += this.chunk.write(line, this.used);
  }

  /** The chunk so far, handed over; a new one begins. */
  private take(): Buffer {
    const out = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return out;
  }

  private send(): void {
    if (!this.stream.write(this.take())) this.waitForDrain();
  }

  /** Producers wait (`full`) until the socket has drained. */
  private waitForDrain(): void {
    if (this.full !== undefined) return;
    this.full = new Promise<void>((resolve) => {
      const settle = () => {
        this.stream.off('drain', settle);
        this.stream.off('close', settle);
        this.full = undefined;
        resolve();
      };
      this.stream.on('drain', settle);
      this.stream.on('close', settle);
    });
  }

  /**
   * Rows already in the staging table's COPY text format (another connection's `COPY … TO STDOUT`: ./items.ts
   * copyOurItems), passed through as they come, cut at line ends so no other source's line lands inside one.
   * Reads `rows` to the end even once the COPY has failed (then throws its failure).
   */
  async pipe(rows: AsyncIterable<Buffer>): Promise<void> {
    let tail: Buffer | undefined;
    for await (const chunk of rows) {
      if (this.failed) continue;
      const data = tail ? Buffer.concat([tail, chunk]) : chunk;
      const end = data.lastIndexOf(0x0a) + 1;
      tail = end < data.length ? Buffer.from(data.subarray(end)) : undefined;
      if (end === 0) continue;
      // the lines gathered so far first: a chunk always ends at a line end
      if (this.used > 0) this.stream.write(this.take());
      if (!this.stream.write(data.subarray(0, end))) this.waitForDrain();
      if (this.full !== undefined) await this.full;
    }
    if (this.failed) throw this.failure;
    if (tail) throw new Error('COPY rows that do not end with a line end');
  }

  /** Sends what is left and ends the COPY; resolves once PostgreSQL has taken every row (their count). */
  async end(): Promise<number> {
    if (this.failed) throw this.failure;
    if (this.full !== undefined) await this.full;
    if (this.used > 0) this.stream.write(this.take());
    this.stream.end();
    await this.done;
    return this.stream.rowCount;
  }

  /** Fails the COPY (nothing of it stays); later pushes throw `reason`. Resolves once the COPY is over. */
  async abort(reason: unknown): Promise<void> {
    this.fail(reason);
    if (!this.stream.destroyed)
      this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    await this.done.catch(() => undefined);
  }
}
