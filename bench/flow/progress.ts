/** A progress bar on stderr for long runs (a line per 10 % when stderr is not a terminal). */
export function progress(label: string, total: number): { tick(done: number): void; end(): void } {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const render = (done: number) => {
    const s = (performance.now() - started) / 1000;
    const rate = s > 0 ? (done / s).toFixed(1) : '0';
    const width = 30;
    const filled = Math.round((done / total) * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate} flows/s`;
  };
  return {
    tick(done) {
      if (tty) process.stderr.write(`\r${render(done)}`);
      else if (Math.floor((done * 10) / total) > lastTenth) {
        lastTenth = Math.floor((done * 10) / total);
        process.stderr.write(`${render(done)}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
