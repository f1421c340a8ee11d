import fs from 'node:fs';

export type ProcessInfo = { pid: number; ppid: number; comm: string; cmdline: string };

/** Every process on this machine, read from /proc (Linux): pid, parent, name and command line. */
function allProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      processes.push({ pid: Number(entry), ppid, comm, cmdline });
    } catch {
      // The process ended while we read it.
    }
  }
  return processes;
}

/** The processes below `rootPid` (children, grandchildren…), not `rootPid` itself. */
export function descendantsOf(rootPid: number): ProcessInfo[] {
  const processes = allProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const process of processes) {
      if (parents.has(process.ppid) && !parents.has(process.pid)) {
        parents.add(process.pid);
        found.push(process);
        grew = true;
      }
    }
  }
  return found;
}

/** The ffmpeg processes the worker (started as `rootPid`) is running now. */
export function ffmpegUnder(rootPid: number): ProcessInfo[] {
  return descendantsOf(rootPid).filter((process) => process.comm === 'ffmpeg');
}
