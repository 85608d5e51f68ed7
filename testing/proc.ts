/**
 * Process figures read from Linux's /proc, shared by benchmarks and load tests (one parser, one clock-tick source).
 * CPU time barely moves when other processes share the cores, so CPU ms per call is the figure a capacity model can
 * use; RSS is what the issues' memory goals are stated in.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let hz: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run, but asked rather than assumed). */
export function clockTicks(): number {
  hz ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return hz;
}

/** User + system CPU time a process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces or parentheses) start at state; utime and stime are
  // fields 14 and 15 of the whole line, so 11 and 12 after the name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** The same in milliseconds, NaN once the process has gone (a round that outlived its server). */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return cpuSeconds(pid) * 1000;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU ms of a process and its live children (a postmaster and its backends), NaN once it has gone. Children that
 * exited during a measurement take their time with them: for servers whose workers live as long as their clients.
 */
export function treeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let total = cpuMs(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // ppid is field 4 of the whole line, so 1 after the name.
      if (Number(fields[1]) === pid) total += cpuMs(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}
