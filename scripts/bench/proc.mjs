// What the kernel says about a process: CPU seconds (utime + stime from /proc/<pid>/stat) and peak resident
// memory (VmHWM from /proc/<pid>/status), plus a description of this machine for the results.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a live process in seconds (its own threads, not its children). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
export function peakRssMb(pid) {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** Resident set size (VmRSS) of a live process right now, in MB. */
export function rssMb(pid) {
  return statusKb(pid, 'VmRSS') / 1024;
}

function statusKb(pid, key) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** CPU seconds of several processes between start() and stop(). */
export function cpuMeter(pids) {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) - start[name]]));
}

export function machine() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    measuredAt: new Date().toISOString(),
  };
}

/** The commit the measured code was built from, with `+changes` when tracked files differed from it; null outside git. */
export function codeVersion() {
  try {
    const git = (...args) =>
      execFileSync('git', args, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${commit}+changes` : commit;
  } catch {
    return null;
  }
}

export function round(x, digits = 2) {
  return x === null || x === undefined ? null : Number(x.toFixed(digits));
}
