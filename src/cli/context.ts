// What every command shares: the global options and the host they point at.
import type { Host } from '../host/host.js';
import { LinuxHost } from '../host/linux/linux-host.js';
import { UsageError } from '../model/errors.js';

export interface GlobalOptions {
  readonly root: string;
}

/** The subset of a commander Command that commands need to find the global options. */
export interface HasGlobals {
  optsWithGlobals(): unknown;
}

export function globalOptions(cmd: HasGlobals): GlobalOptions {
  const opts = cmd.optsWithGlobals() as { root?: string };
  return { root: opts.root ?? '/' };
}

export function openHost(g: GlobalOptions): Host {
  return new LinuxHost({ root: g.root });
}

/** A positive integer from a flag, or a usage error naming the flag. */
export function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  }
  return Number(value);
}

/** A --cgroup value: absolute, without `.` or `..` segments (paths as in /proc/PID/cgroup), or a usage error. */
export function parseCgroupPath(value: string): string {
  if (!value.startsWith('/') || value.split('/').some((s) => s === '.' || s === '..')) {
    throw new UsageError(`--cgroup: expected an absolute cgroup path such as /system.slice, got "${value}"`);
  }
  return value;
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
