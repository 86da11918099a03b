/**
 * The trade bill file (PROTOCOLS 1.5) once WeChat has named it: the signed download to a temporary file with its
 * size bounded and its SHA1 checked, then the gzip read back line by line for tradeBill.ts to parse. Kept apart
 * from the client because it is file and stream handling, not an APIv3 call: the client asks for the bill and
 * hands the answer here.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { GatewayError, type TradeBillRow } from '../ports';
import { errorOf } from './transformers';
import { TradeBillReader, type TradeBillDownload } from './tradeBill';

/** The bill download may take this many outside-call timeouts (a day's file is megabytes, not a JSON answer). */
export const TRADE_BILL_DOWNLOAD_TIMEOUT_FACTOR = 10;
/** A bill file larger than this (as downloaded, gzipped) is refused rather than stored. */
export const TRADE_BILL_DOWNLOAD_BYTES_MAX = 512 * 1024 * 1024;
/** A bill line longer than this is refused: a line is held in memory whole. */
export const TRADE_BILL_LINE_BYTES_MAX = 64 * 1024;

export interface TradeBillFileOptions {
  /** the bill date, yyyy-MM-dd (names the temporary file) */
  date: string;
  /** where the file is stored while read; default os.tmpdir() */
  tempDir?: string;
  /** the timeout of one outside call; the download may take TRADE_BILL_DOWNLOAD_TIMEOUT_FACTOR of them */
  timeoutMs: number;
  /** the signed headers of a GET of the download URL (the request is signed like any other) */
  sign: (url: URL) => Record<string, string>;
}

/**
 * The rows of a trade bill WeChat has named for download: the file is downloaded to a temporary file while its
 * SHA1 is computed, and a mismatch throws before any row is yielded; then it is gunzipped and read line by line
 * (nothing grows with the file), and the summary is checked at the end. The temporary file is removed however the
 * reading ends.
 */
export async function* readTradeBillFile(
  download: TradeBillDownload,
  opts: TradeBillFileOptions,
): AsyncGenerator<TradeBillRow> {
  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'wechatpay-tradebill-'));
  try {
    const file = join(dir, `${opts.date}.csv.gz`);
    await downloadBill(download, file, opts);
    const reader = new TradeBillReader();
    for await (const line of gunzippedLines(file)) {
      const row = reader.line(line);
      if (row) yield row;
    }
    reader.end();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A signed GET of download_url (its answer is unsigned) streamed to `file`; throws unless the SHA1 agrees. */
async function downloadBill(
  download: TradeBillDownload,
  file: string,
  opts: TradeBillFileOptions,
): Promise<void> {
  const what = `GET ${download.downloadUrl.pathname}`;
  const timeoutMs = opts.timeoutMs * TRADE_BILL_DOWNLOAD_TIMEOUT_FACTOR;
  const headers = { ...opts.sign(download.downloadUrl), Accept: '*/*' };
  const sha1 = createHash('sha1');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > TRADE_BILL_DOWNLOAD_BYTES_MAX) {
        done(
          new GatewayError(
            'wechatpay',
            'invalid_response',
            `${what}: the bill is larger than ${TRADE_BILL_DOWNLOAD_BYTES_MAX} bytes`,
          ),
        );
        return;
      }
      sha1.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // no redirects: the signed request goes to the URL WeChat named, on the origin we called, or nowhere
    const response = await fetch(download.downloadUrl, {
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200 || !response.body) {
      const text = (await response.text()).slice(0, 500);
      throw downloadRefusal(what, response.status, text);
    }
    await pipelineAsync(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      meter,
      createWriteStream(file, { flags: 'wx', mode: 0o600 }),
    );
  } catch (err) {
    throw downloadFailure(what, timeoutMs, err);
  }
  const actual = sha1.digest('hex');
  if (actual !== download.sha1Hex) {
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `${what}: SHA1 of the ${bytes} bytes downloaded is ${actual}, WeChat said ${download.sha1Hex}`,
    );
  }
}

/** A non-200 answer to the download: 4xx → rejected with WeChat's code, else unavailable. */
function downloadRefusal(what: string, status: number, text: string): GatewayError {
  if (status >= 400 && status < 500) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const { code, message } = errorOf(body, status);
    return new GatewayError('wechatpay', 'rejected', `${what}: ${message}`, code, status);
  }
  return new GatewayError('wechatpay', 'unavailable', `${what} answered ${status}`, undefined, status);
}

/** Any failure of the download, as a GatewayError (a refusal or a bad file keeps its own). */
function downloadFailure(what: string, timeoutMs: number, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // not `instanceof Error`: fetch's DOMException comes from another realm under jest
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new GatewayError('wechatpay', 'timeout', `${what} timed out after ${timeoutMs} ms`);
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
  return new GatewayError('wechatpay', 'unavailable', `${what} failed: ${cause}`);
}

/**
 * The lines of a gzipped file, read as a stream: split on LF bytes (never inside a UTF-8 sequence), each line
 * decoded strictly. A corrupt gzip, bad UTF-8 or an endless line is invalid_response.
 */
async function* gunzippedLines(file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const gunzip = pipeline(createReadStream(file), createGunzip(), () => undefined);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;
  const decode = (bytes: Uint8Array): string => {
    lineNo++;
    if (bytes.length > TRADE_BILL_LINE_BYTES_MAX) {
      throw new GatewayError(
        'wechatpay',
        'invalid_response',
        `trade bill: line ${lineNo}: longer than ${TRADE_BILL_LINE_BYTES_MAX} bytes`,
      );
    }
    try {
      return decoder.decode(bytes);
    } catch {
      throw new GatewayError('wechatpay', 'invalid_response', `trade bill: line ${lineNo}: not UTF-8`);
    }
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, lf);
        const line = pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        start = lf + 1;
        yield decode(line);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > TRADE_BILL_LINE_BYTES_MAX) decode(Buffer.concat(pending));
      }
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `trade bill: the file does not gunzip: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (pendingBytes > 0) yield decode(Buffer.concat(pending));
}
