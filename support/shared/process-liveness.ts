/**
 * Whether a process of this machine still runs, asked of the operating system: the owner of
 * a lock, a private folder or a hand-over offer that died is told apart from one that works.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user, which still holds what it held.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
