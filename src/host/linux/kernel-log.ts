// The live kernel log, read the way an administrator would: `dmesg` (util-linux), which reads the kernel's
// ring buffer through /dev/kmsg or syslog(2). Only the host layer runs programs.
import { execFileSync } from 'node:child_process';
import { HostReadError } from '../../model/errors.js';

/** The kernel ring buffer as `dmesg` prints it, with [seconds] stamps. */
export function readKernelLog(): string {
  try {
    return execFileSync('dmesg', [], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const reason =
      err.code === 'ENOENT'
        ? 'the dmesg program is not installed'
        : ((err.stderr?.trim() || err.message).split('\n')[0] ?? String(e));
    throw new HostReadError(
      `cannot read the kernel log with dmesg: ${reason} (reading it may need root or kernel.dmesg_restrict = 0)`,
      'dmesg',
    );
  }
}
