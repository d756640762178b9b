import { spawnSync } from 'child_process';

import { isAlive, isOrphaned, launcherPid } from './parent-watch';

/** The pid of a process that has ended (spawnSync waits for and reaps it). */
function endedPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('launcherPid', () => {
  it('is JPY_PARENT_PID, which jupyter_client sets to its own pid', () => {
    expect(launcherPid({ JPY_PARENT_PID: String(process.pid) }, 'linux')).toBe(process.pid);
  });

  it('is the parent when JPY_PARENT_PID is missing, not a pid or names no live process', () => {
    expect(launcherPid({}, 'linux')).toBe(process.ppid);
    expect(launcherPid({ JPY_PARENT_PID: 'abc' }, 'linux')).toBe(process.ppid);
    expect(launcherPid({ JPY_PARENT_PID: String(endedPid()) }, 'linux')).toBe(process.ppid);
  });

  it('is the parent on Windows, where JPY_PARENT_PID is a handle', () => {
    expect(launcherPid({ JPY_PARENT_PID: String(process.pid) }, 'win32')).toBe(process.ppid);
  });
});

describe('isOrphaned', () => {
  it('is false while the launcher lives and the parent is unchanged', () => {
    expect(isAlive(process.ppid)).toBe(true);
    expect(isOrphaned({ launcher: process.ppid, ppid: process.ppid })).toBe(false);
  });

  it('is true when the launcher is gone or the process was re-parented', () => {
    expect(isOrphaned({ launcher: endedPid(), ppid: process.ppid })).toBe(true);
    expect(isOrphaned({ launcher: process.ppid, ppid: process.ppid + 1 })).toBe(true);
  });
});
