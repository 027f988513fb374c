// The Host for Linux: reads /proc and the memory cgroup hierarchy under a root directory ('/' for the
// running machine; a fixture tree or the host's /proc mounted elsewhere otherwise).
//
// Two optional plain files at the root replace the kernel's own figures, because a fixture tree describes
// some other machine: `oomguard-pagesize` (bytes) and `oomguard-clk-tck` (USER_HZ). Both are read once, here.
import { execFileSync } from 'node:child_process';
import { type Dirent, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HostReadError } from '../../model/errors.js';
import type {
  CgroupInfo,
  CgroupLayout,
  CgroupVersion,
  MemInfo,
  ProcessInfo,
  Psi,
  Snapshot,
} from '../../model/snapshot.js';
import type { Host, OomScores, SampleOptions } from '../host.js';
import { readCgroupDir } from './cgroup-reader.js';
import { errnoCode, FileReader, GONE, ProcFiles } from './file-reader.js';
import { loadNative, type NativeFileCalls } from './native.js';
import { intAt } from './parse/bytes.js';
import { parseMeminfo } from './parse/meminfo.js';
import { type CgroupMounts, parseCgroupMounts } from './parse/mounts.js';
import { parseProcCgroup } from './parse/proc-cgroup.js';
import { parseProcStat } from './parse/proc-stat.js';
import { parseProcStatus } from './parse/proc-status.js';
import { parsePsi } from './parse/psi.js';
import { parseVmstat } from './parse/vmstat.js';

export interface LinuxHostOptions {
  /** Directory holding proc/ and sys/ (default '/'). */
  readonly root?: string;
}

/** From this many pids on, a partial scan reads the cgroups' member lists rather than each /proc/PID/cgroup. */
const MEMBER_LISTS_FROM = 64;

/** PF_KTHREAD in stat field 9. */
const PF_KTHREAD = 0x00200000;

/** ELF auxiliary vector entries (AT_PAGESZ, AT_CLKTCK): what sysconf, and so getconf, returns. */
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** The memory cgroup hierarchy: where it is mounted and which version it is. */
interface MemoryHierarchy {
  readonly mountDir: string;
  readonly version: CgroupVersion;
}

export class LinuxHost implements Host {
  readonly root: string;
  readonly pageSize: number;
  readonly clockTicks: number;
  readonly cgroupLayout: CgroupLayout;
  readonly hostPidNamespace: boolean;
  readonly selfPid: number | null;
  private readonly procDir: string;
  private readonly memory: MemoryHierarchy | null;
  private readonly reader = new FileReader(nativeFileCalls());
  /** The process scan's reader of /proc/PID files; opened on first use. */
  private procFilesReader: ProcFiles | null = null;

  constructor(options: LinuxHostOptions = {}) {
    this.root = options.root ?? '/';
    const rootStat = statSync(this.root, { throwIfNoEntry: false });
    if (rootStat === undefined) throw new HostReadError(`--root ${this.root}: no such directory`, this.root);
    if (!rootStat.isDirectory()) throw new HostReadError(`--root ${this.root}: not a directory`, this.root);
    this.procDir = join(this.root, 'proc');
    const meminfoPath = join(this.procDir, 'meminfo');
    if (statSync(meminfoPath, { throwIfNoEntry: false }) === undefined) {
      throw new HostReadError(`--root ${this.root}: no proc/meminfo under it`, meminfoPath);
    }
    this.pageSize = this.machineConstant('oomguard-pagesize', AT_PAGESZ, 'PAGESIZE', 4096);
    this.clockTicks = this.machineConstant('oomguard-clk-tck', AT_CLKTCK, 'CLK_TCK', 100);
    const mounts = this.readMounts();
    this.cgroupLayout = mounts.layout;
    this.memory = this.memoryHierarchy(mounts);
    this.hostPidNamespace = this.seesKthreadd();
    this.selfPid = this.readSelfPid();
  }

  sample(options: SampleOptions = {}): Snapshot {
    const timeMs = performance.now();
    const meminfo = this.readMeminfo();
    const counters = options.counters !== false;
    const vmstatText = counters ? this.keptText('vmstat') : null;
    const scope = options.processScope ? normalizeCgroupPath(options.processScope) : null;
    const cgroups =
      options.cgroupSubtree === undefined || options.cgroupSubtree === null
        ? new Map<string, CgroupInfo>()
        : this.walkCgroups(normalizeCgroupPath(options.cgroupSubtree));
    return {
      timeMs,
      pageSize: this.pageSize,
      clockTicks: this.clockTicks,
      uptimeSec: this.readUptime(),
      meminfo,
      vmstat: vmstatText === null ? null : parseVmstat(vmstatText),
      psi: {
        memory: options.pressure === false ? null : this.keptPsi('pressure/memory'),
        io: counters ? this.keptPsi('pressure/io') : null,
        cpu: counters ? this.keptPsi('pressure/cpu') : null,
      },
      processes:
        options.processes === false
          ? []
          : this.readProcesses(options.kernelOomScore === true, scope, options.pids ?? null),
      cgroupLayout: this.cgroupLayout,
      cgroups,
      hostPidNamespace: this.hostPidNamespace,
      selfPid: this.selfPid,
    };
  }

  readOomScores(): OomScores {
    const pids: number[] = [];
    const scores: number[] = [];
    const reader = this.reader;
    const files = this.procFiles();
    this.forEachPid((pid) => {
      files.at(pid);
      const length = files.read('oom_score');
      if (length === GONE || length === 0) return;
      const score = intAt(reader.buf, 0, length);
      if (Number.isNaN(score)) throw files.malformed('oom_score', 'not a number');
      pids.push(pid);
      scores.push(score);
    });
    return { pids, scores };
  }

  readCmdline(pid: number): string[] | null {
    const length = this.reader.read(this.procFile(pid, 'cmdline'));
    if (length === GONE) return null;
    const args = this.reader.text(length).split('\0');
    if (args[args.length - 1] === '') args.pop();
    return args;
  }

  readExe(pid: number): string | null {
    try {
      return readlinkSync(this.procFile(pid, 'exe'));
    } catch {
      return null;
    }
  }

  readCgroup(path: string): CgroupInfo {
    const normalized = normalizeCgroupPath(path);
    const hierarchy = this.requireMemoryHierarchy(normalized);
    const dir = cgroupDir(hierarchy, normalized);
    const info = readCgroupDir(this.reader, normalized, dir, hierarchy.version);
    if (info === null) throw noSuchCgroup(normalized, dir);
    return info;
  }

  cgroupDir(path: string): string {
    const normalized = normalizeCgroupPath(path);
    return cgroupDir(this.requireMemoryHierarchy(normalized), normalized);
  }

  close(): void {
    this.procFilesReader?.close();
    this.procFilesReader = null;
    this.reader.close();
  }

  private procFile(pid: number, name: string): string {
    return `${this.procDir}/${pid}/${name}`;
  }

  /** visit(pid) for every process, as the listing goes (ProcFiles.forEachPid). */
  private forEachPid(visit: (pid: number) => void): void {
    if (this.procFiles().forEachPid(visit)) return;
    for (const name of readdirSync(this.procDir)) {
      const pid = pidOfEntry(name);
      if (pid >= 0) visit(pid);
    }
  }

  /** The reader of /proc/PID files for scans: openat on a kept proc directory fd where koffi loads. */
  private procFiles(): ProcFiles {
    if (this.procFilesReader === null) {
      this.procFilesReader = new ProcFiles(this.reader, this.procDir, nativeFileCalls());
    }
    return this.procFilesReader;
  }

  /**
   * A per-machine constant: the root's override file, else the kernel's auxiliary vector in proc/self/auxv
   * (the same figure getconf prints, without starting a process: tens of ms off every start-up), else
   * `getconf NAME`, else the usual value.
   */
  private machineConstant(
    overrideFile: string,
    auxvType: number,
    getconfName: string,
    fallback: number,
  ): number {
    const overridePath = join(this.root, overrideFile);
    let text: string | null = null;
    try {
      text = readFileSync(overridePath, 'utf8');
    } catch {
      // No override: ask the C library below.
    }
    if (text !== null) {
      const value = Number(text.trim());
      if (!Number.isInteger(value) || value <= 0) {
        throw new HostReadError(
          `${overridePath}: expected a positive integer, got ${JSON.stringify(text.trim())}`,
          overridePath,
        );
      }
      return value;
    }
    const fromAuxv = this.auxvEntry(auxvType);
    if (fromAuxv !== null) return fromAuxv;
    try {
      const value = Number(
        execFileSync('getconf', [getconfName], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim(),
      );
      return Number.isInteger(value) && value > 0 ? value : fallback;
    } catch {
      return fallback;
    }
  }

  /** One entry of proc/self/auxv (native-endian 64-bit type/value pairs); null when absent or unreadable. */
  private auxvEntry(type: number): number | null {
    let auxv: Buffer;
    try {
      auxv = readFileSync(join(this.procDir, 'self/auxv'));
    } catch {
      return null;
    }
    if (auxv.length % 16 !== 0) return null;
    const read = (at: number) =>
      Number(endianness() === 'LE' ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at));
    for (let i = 0; i + 16 <= auxv.length; i += 16) {
      if (read(i) !== type) continue;
      const value = read(i + 8);
      return Number.isSafeInteger(value) && value > 0 ? value : null;
    }
    return null;
  }

  private readMounts(): CgroupMounts {
    for (const name of ['self/mounts', 'mounts']) {
      try {
        return parseCgroupMounts(readFileSync(join(this.procDir, name), 'utf8'));
      } catch {
        // Try the next place; a tree without a mount table has no cgroups.
      }
    }
    return parseCgroupMounts('');
  }

  /** The v1 memory controller's hierarchy where there is one (v1, hybrid), else the unified one. */
  private memoryHierarchy(mounts: CgroupMounts): MemoryHierarchy | null {
    if (mounts.v1Memory !== null) return { mountDir: join(this.root, mounts.v1Memory), version: 1 };
    if (mounts.cgroup2 !== null) return { mountDir: join(this.root, mounts.cgroup2), version: 2 };
    return null;
  }

  private requireMemoryHierarchy(path: string): MemoryHierarchy {
    if (this.memory === null) {
      throw new HostReadError(
        `cgroup ${path}: no memory cgroup hierarchy is mounted (cgroup layout ${this.cgroupLayout})`,
        join(this.procDir, 'self/mounts'),
      );
    }
    return this.memory;
  }

  /** Kernel threads are visible only in the initial PID namespace, and PID 2 is kthreadd there. */
  private seesKthreadd(): boolean {
    const statLength = this.reader.read(this.procFile(2, 'stat'));
    if (statLength === GONE) return false;
    const stat = parseProcStat(this.reader.buf, statLength);
    if (stat === null || stat.ppid !== 0) return false;
    if ((stat.flags & PF_KTHREAD) !== 0) return true;
    const statusLength = this.reader.read(this.procFile(2, 'status'));
    if (statusLength === GONE) return false;
    return parseProcStatus(this.reader.buf, statusLength)?.kthread === true;
  }

  /** proc/self is a link to the reader's pid as this /proc numbers it. */
  private readSelfPid(): number | null {
    const self = join(this.procDir, 'self');
    try {
      if (!lstatSync(self).isSymbolicLink()) return null;
      const target = readlinkSync(self);
      const pid = Number(target.slice(target.lastIndexOf('/') + 1));
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  private readMeminfo(): MemInfo {
    const path = join(this.procDir, 'meminfo');
    const length = this.reader.readKept(path);
    if (length === GONE) throw new HostReadError(`cannot read ${path}: ENOENT`, path);
    const meminfo = parseMeminfo(this.reader.buf, length);
    if (meminfo === null) throw new HostReadError(`${path}: no MemTotal line`, path);
    return meminfo;
  }

  private readUptime(): number {
    const path = join(this.procDir, 'uptime');
    const length = this.reader.readKept(path);
    const uptime = length === GONE ? Number.NaN : Number.parseFloat(this.reader.text(length));
    if (!Number.isFinite(uptime))
      throw new HostReadError(`${path}: missing or not a number of seconds`, path);
    return uptime;
  }

  /** A file of proc/ read through a kept fd; null when the kernel does not provide it. */
  private keptText(name: string): string | null {
    const length = this.reader.readKept(join(this.procDir, name));
    return length === GONE ? null : this.reader.text(length);
  }

  private keptPsi(name: string): Psi | null {
    const text = this.keptText(name);
    return text === null ? null : parsePsi(text);
  }

  private readProcesses(
    kernelOomScore: boolean,
    scope: string | null,
    only: readonly number[] | null,
  ): ProcessInfo[] {
    const processes: ProcessInfo[] = [];
    // For a handful of pids, their own /proc/PID/cgroup is cheaper than every cgroup's list.
    const members = only !== null && only.length < MEMBER_LISTS_FROM ? null : this.cgroupMembers();
    const visit = (pid: number) => {
      // A scoped look reads only the scope's processes: the lists already place the rest outside it.
      const listed = scope === null ? null : (members?.get(pid) ?? null);
      if (listed !== null && scope !== null && !isInCgroup(listed, scope)) return;
      const info = this.readProcess(pid, kernelOomScore, members);
      if (info === null) return;
      if (scope !== null && !isInCgroup(info.cgroup, scope)) return;
      processes.push(info);
    };
    if (only === null) this.forEachPid(visit);
    else for (const pid of only) visit(pid);
    return processes.sort((a, b) => a.pid - b.pid);
  }

  /**
   * pid → memory cgroup path for every process listed in the hierarchy's cgroup.procs files: one read per
   * cgroup instead of one /proc/PID/cgroup per process, the costliest file of the scan after status (see
   * BENCHMARKS.md, "Selection cost"). Only where those files number pids as this /proc does: the machine's
   * own /proc at root '/', with proc/self naming this very process. A pid listed in two cgroups (v1 threads
   * split across cgroups) maps to null; unlisted and null pids fall back to /proc/PID/cgroup, which also
   * covers processes started after the lists were read. null when the lists cannot be used at all.
   */
  private cgroupMembers(): Map<number, string | null> | null {
    if (this.memory === null || this.root !== '/' || this.selfPid !== process.pid) return null;
    const members = new Map<number, string | null>();
    const reader = this.reader;
    const visit = (path: string, dir: string): boolean => {
      const length = reader.read(`${dir}/cgroup.procs`);
      if (length === GONE) return true; // removed while we walked: its processes fall back
      const buf = reader.buf;
      let pid = 0;
      for (let i = 0; i < length; i++) {
        const c = buf[i] as number;
        if (c >= 0x30 && c <= 0x39) pid = pid * 10 + (c - 0x30);
        else if (c === 0x0a) {
          const listed = members.get(pid);
          members.set(pid, listed === undefined || listed === path ? path : null);
          pid = 0;
        } else return false;
      }
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return true;
      }
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const childPath = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
        if (!visit(childPath, `${dir}/${entry.name}`)) return false;
      }
      return true;
    };
    try {
      return visit('/', this.memory.mountDir) ? members : null;
    } catch {
      return null; // an unreadable list: every process falls back to its own /proc/PID/cgroup
    }
  }

  /** One /proc/PID; null when the process vanished while it was read. */
  private readProcess(
    pid: number,
    kernelOomScore: boolean,
    members: ReadonlyMap<number, string | null> | null,
  ): ProcessInfo | null {
    const reader = this.reader;
    const files = this.procFiles();
    files.at(pid);
    let length = files.read('stat');
    if (length === GONE || length === 0) return null;
    const stat = parseProcStat(reader.buf, length);
    if (stat === null) throw files.malformed('stat', 'not a stat line');

    length = files.read('status');
    if (length === GONE || length === 0) return null;
    const status = parseProcStatus(reader.buf, length);
    if (status === null) throw files.malformed('status', 'no Uid line');

    length = files.read('oom_score_adj');
    if (length === GONE || length === 0) return null;
    const oomScoreAdj = intAt(reader.buf, 0, length);
    if (Number.isNaN(oomScoreAdj)) throw files.malformed('oom_score_adj', 'not a number');

    let cgroup = members?.get(pid) ?? null;
    if (cgroup === null) {
      length = files.read('cgroup');
      if (length === GONE) return null;
      cgroup = parseProcCgroup(reader.text(length)) ?? '/';
    }

    let score: number | null = null;
    if (kernelOomScore) {
      length = files.read('oom_score');
      if (length === GONE || length === 0) return null;
      score = intAt(reader.buf, 0, length);
    }

    return {
      pid,
      ppid: stat.ppid,
      pgid: stat.pgrp,
      sid: stat.session,
      uid: status.uid,
      euid: status.euid,
      comm: stat.comm,
      state: stat.state,
      flags: stat.flags,
      kthread: status.kthread === true || (stat.flags & PF_KTHREAD) !== 0,
      hasMm: status.hasMm,
      nice: stat.nice,
      cpuTicks: stat.utime + stat.stime,
      startTicks: stat.startTime,
      threads: stat.numThreads,
      vmSize: stat.vsize,
      rssAnon: status.rssAnon,
      rssFile: status.rssFile,
      rssShmem: status.rssShmem,
      swap: status.vmSwap,
      pageTables: status.vmPte,
      oomScoreAdj,
      kernelOomScore: score,
      capEff: status.capEff,
      cgroup,
    };
  }

  private walkCgroups(subtree: string): Map<string, CgroupInfo> {
    const hierarchy = this.requireMemoryHierarchy(subtree);
    const cgroups = new Map<string, CgroupInfo>();
    const top = cgroupDir(hierarchy, subtree);
    const info = readCgroupDir(this.reader, subtree, top, hierarchy.version);
    if (info === null) throw noSuchCgroup(subtree, top);
    cgroups.set(subtree, info);
    const visit = (path: string, dir: string): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ENOENT') return; // removed while we walked
        throw new HostReadError(`cgroup ${path}: cannot list ${dir}: ${code}`, dir);
      }
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const childPath = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
        const childDir = `${dir}/${entry.name}`;
        const child = readCgroupDir(this.reader, childPath, childDir, hierarchy.version);
        if (child === null) continue;
        cgroups.set(childPath, child);
        visit(childPath, childDir);
      }
    };
    visit(subtree, top);
    return cgroups;
  }
}

/** The pid a /proc entry names; -1 for the entries that are not processes (meminfo, self, sys, …). */
function pidOfEntry(name: string): number {
  const first = name.charCodeAt(0);
  if (first < 0x30 || first > 0x39) return -1;
  const pid = Number(name);
  return Number.isInteger(pid) ? pid : -1;
}

/** '/a/b/' → '/a/b'; '' → '/'. Rejects relative paths and `.`/`..` segments, which would leave the hierarchy. */
function normalizeCgroupPath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  if (!path.startsWith('/') || segments.some((s) => s === '.' || s === '..')) {
    throw new HostReadError(
      `cgroup ${path}: not a cgroup path (it must start with / and hold no . or ..)`,
      path,
    );
  }
  return `/${segments.join('/')}`;
}

function cgroupDir(hierarchy: MemoryHierarchy, path: string): string {
  return path === '/' ? hierarchy.mountDir : join(hierarchy.mountDir, path);
}

function noSuchCgroup(path: string, dir: string): HostReadError {
  return new HostReadError(`cgroup ${path}: no such memory cgroup (looked in ${dir})`, dir);
}

/** '/a' covers '/a' and '/a/b', not '/ab'. */
function isInCgroup(cgroup: string, scope: string): boolean {
  return scope === '/' || cgroup === scope || cgroup.startsWith(`${scope}/`);
}

/** libc's file calls through koffi, or null where it does not load (node:fs then reads instead). */
function nativeFileCalls(): NativeFileCalls | null {
  const native = loadNative();
  return native.ok ? native.calls : null;
}
