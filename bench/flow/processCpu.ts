/**
 * A process's own CPU time (user + system) from /proc/<pid>/stat, in ms: what the kernel charged it, whoever
 * else shares the machine. Linux only (the bench's machines); elsewhere NaN, and the bench says so.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux the bench runs on (sysconf(_SC_CLK_TCK) is not reachable from Node). */
const TICKS_PER_S = 100;

export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces; fields after its closing parenthesis are plain
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}
