// One memory cgroup directory, v1 or v2, read into a CgroupInfo.
import { type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HostReadError } from '../../model/errors.js';
import type { CgroupInfo, CgroupVersion, Psi } from '../../model/snapshot.js';
import { type FileReader, GONE } from './file-reader.js';
import { loadNative } from './native.js';
import {
  parseKeyValues,
  parseLimit,
  parseNumber,
  parseOomControl,
  parsePidList,
} from './parse/cgroup-files.js';
import { parsePsi } from './parse/psi.js';

/** Reads the files of one cgroup directory, prefixing every error with the cgroup's path. */
class CgroupFiles {
  constructor(
    private readonly reader: FileReader,
    private readonly path: string,
    private readonly dir: string,
  ) {}

  /** The file's text; null when it does not exist. */
  text(name: string): string | null {
    const file = `${this.dir}/${name}`;
    let length: number;
    try {
      length = this.reader.read(file);
    } catch (error) {
      if (error instanceof HostReadError)
        throw new HostReadError(`cgroup ${this.path}: ${error.message}`, file);
      throw error;
    }
    return length === GONE ? null : this.reader.text(length);
  }

  number(name: string): number | null {
    const text = this.text(name);
    if (text === null) return null;
    const value = parseNumber(text);
    if (value === undefined) throw this.garbled(name, text);
    return value;
  }

  /** A limit file; null when absent or unlimited. */
  limit(name: string): number | null {
    const text = this.text(name);
    if (text === null) return null;
    const value = parseLimit(text);
    if (value === undefined) throw this.garbled(name, text);
    return value;
  }

  keyValues(name: string): Record<string, number> {
    const text = this.text(name);
    return text === null ? {} : parseKeyValues(text);
  }

  pressure(): Psi | null {
    const text = this.text('memory.pressure');
    return text === null ? null : parsePsi(text);
  }

  private garbled(name: string, text: string): HostReadError {
    const file = `${this.dir}/${name}`;
    return new HostReadError(
      `cgroup ${this.path}: ${file} holds ${JSON.stringify(text.trim())}, not a number`,
      file,
    );
  }
}

/**
 * Reads the memory cgroup `path` (as in /proc/PID/cgroup) from directory `dir`; null when the directory
 * does not exist or lacks the files every memory cgroup has (removed meanwhile, or not a memory cgroup).
 */
export function readCgroupDir(
  reader: FileReader,
  path: string,
  dir: string,
  version: CgroupVersion,
): CgroupInfo | null {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat === undefined) return null;
  const files = new CgroupFiles(reader, path, dir);
  if (version === 1) return readV1(files, path);
  const info = readV2(files, path);
  if (info === null) return null;
  const preference = oomdPreference(files, dir, stat);
  return preference === null ? info : { ...info, oomdPreference: preference };
}

/**
 * Fixture trees cannot hold extended attributes, so this file (which cgroupfs could never hold) stands in for
 * them: `name=value` lines, `#` comments.
 */
export const XATTR_SIDECAR = '.oomguard-xattrs';

/** systemd's parse_boolean() truths: `user.oomd_avoid` set to one of these counts. */
const TRUE_VALUES = new Set(['1', 'yes', 'y', 'true', 't', 'on']);

/**
 * systemd's ManagedOOMPreference from the `user.oomd_omit` / `user.oomd_avoid` xattrs (omit wins). Honoured, as by
 * systemd-oomd, only from a cgroup owned by root or by the owner of the cgroup above it (systemd checks the
 * monitored ancestor's owner; the reader does not know the scope, so it checks the parent): a user can steer
 * among their own cgroups, not against other users'.
 */
function oomdPreference(files: CgroupFiles, dir: string, stat: Stats): 'avoid' | 'omit' | null {
  const xattrs = readOomdXattrs(files, dir);
  const isSet = (name: string) => TRUE_VALUES.has((xattrs.get(name) ?? '').trim().toLowerCase());
  const preference = isSet('user.oomd_omit') ? 'omit' : isSet('user.oomd_avoid') ? 'avoid' : null;
  if (preference === null || stat.uid === 0) return preference;
  const parentUid = statSync(dirname(dir), { throwIfNoEntry: false })?.uid;
  return parentUid === stat.uid ? preference : null;
}

function readOomdXattrs(files: CgroupFiles, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const sidecar = files.text(XATTR_SIDECAR);
  if (sidecar !== null) {
    for (const line of sidecar.split('\n')) {
      const eq = line.indexOf('=');
      if (line.trimStart().startsWith('#') || eq < 0) continue;
      out.set(line.slice(0, eq).trim(), line.slice(eq + 1));
    }
    return out;
  }
  const native = loadNative();
  if (!native.ok) return out;
  for (const name of ['user.oomd_omit', 'user.oomd_avoid']) {
    // -ENODATA (not set), -EOPNOTSUPP (no user xattrs on this kernel), a cgroup gone meanwhile: no preference.
    const value = native.calls.getxattr(dir, name);
    if (typeof value === 'string') out.set(name, value);
  }
  return out;
}

function readV1(files: CgroupFiles, path: string): CgroupInfo | null {
  const usage = files.number('memory.usage_in_bytes');
  const procsText = files.text('cgroup.procs');
  if (usage === null || procsText === null) return null;
  const limit = files.limit('memory.limit_in_bytes');
  // memsw files exist only with swap accounting on; memsw counts memory plus swap.
  const memswUsage = files.number('memory.memsw.usage_in_bytes');
  const memswLimit = files.limit('memory.memsw.limit_in_bytes');
  const oomControl = files.text('memory.oom_control');
  return {
    path,
    version: 1,
    usage,
    limit,
    // The two counters are read apart and may cross; a negative swap size would be meaningless.
    swapUsage: memswUsage === null ? null : Math.max(0, memswUsage - usage),
    swapLimit: memswLimit !== null && limit !== null ? memswLimit - limit : null,
    memswUsage,
    memswLimit,
    high: null,
    low: null,
    min: null,
    peak: files.number('memory.max_usage_in_bytes'),
    stat: files.keyValues('memory.stat'),
    events: {},
    oomControl: oomControl === null ? null : parseOomControl(oomControl),
    oomGroup: false,
    swappiness: files.number('memory.swappiness'),
    pressure: files.pressure(),
    procs: parsePidList(procsText),
  };
}

function readV2(files: CgroupFiles, path: string): CgroupInfo | null {
  const procsText = files.text('cgroup.procs');
  if (procsText === null) return null;
  return {
    path,
    version: 2,
    // The root cgroup has no memory.current, memory.max, ...: those read as null.
    usage: files.number('memory.current'),
    limit: files.limit('memory.max'),
    swapUsage: files.number('memory.swap.current'),
    swapLimit: files.limit('memory.swap.max'),
    memswUsage: null,
    memswLimit: null,
    high: files.limit('memory.high'),
    low: files.limit('memory.low'),
    min: files.limit('memory.min'),
    peak: files.number('memory.peak'),
    stat: files.keyValues('memory.stat'),
    events: files.keyValues('memory.events'),
    oomControl: null,
    oomGroup: files.number('memory.oom.group') === 1,
    swappiness: null,
    pressure: files.pressure(),
    procs: parsePidList(procsText),
  };
}
