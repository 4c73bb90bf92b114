// Processes by group, from /proc: to check that nothing of a stopped Gunicorn remains, and to clean up
// after a test that failed half way (a leftover Gunicorn would hold the test's pipes open forever).
import { readdirSync, readFileSync } from 'node:fs';

/** Every process (zombies included) in a process group. */
export function processGroup(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members.sort((a, b) => a - b);
}

/** SIGKILLs, one by one, the Gunicorn processes still in the group a master led; returns how many. */
export function killLeftoverGunicorn(masterPid: number): number {
  let killed = 0;
  for (const pid of processGroup(masterPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gunicorn')) continue;
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  return killed;
}
