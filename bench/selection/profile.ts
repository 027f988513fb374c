// Where a full scan's time goes: run as PID 1 of a fresh PID namespace with N sleepers (all alike), it times
// each stage of oomguard's full-scan selection on its own (CPU ms per selection, process.cpuUsage, so GC
// helper threads count as they do in the harness), beside bare open/read/close loops.
//   unshare --pid --fork --kill-child --mount-proc node --import tsx bench/selection/profile.ts 5000 [ROUNDS]
// With PROFILE_ONLY=full it only runs full scans for a while (for node --cpu-prof).
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { VictimSearcher } from '../../src/daemon/victim-search.js';
import { FileReader, ProcFiles } from '../../src/host/linux/file-reader.js';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { loadNative, type NativeFileCalls } from '../../src/host/linux/native.js';
import { intAt } from '../../src/host/linux/parse/bytes.js';
import { parseProcStat } from '../../src/host/linux/parse/proc-stat.js';
import { parseProcStatus } from '../../src/host/linux/parse/proc-status.js';
import { sampleForRanking } from '../../src/host/ranking-sample.js';
import { selectVictim } from '../../src/policy/select.js';
import { runThenExit, startSleepers } from '../lib/sleepers.js';

const n = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);
const iterations = Math.max(5, Math.ceil(50_000 / n));

function cpuMs(f: () => void): number {
  f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / iterations;
}

async function main(): Promise<void> {
  const sleepers = await startSleepers(n);
  const host = new LinuxHost();
  const h = host as unknown as {
    readProcesses(k: boolean, s: string | null, o: readonly number[] | null): unknown[];
    cgroupMembers(): Map<number, string | null> | null;
    procFiles(): ProcFiles;
  };
  const procsPath = `/sys/fs/cgroup/memory${readFileSync('/proc/self/cgroup', 'utf8').match(/:memory:(.*)/)?.[1] ?? ''}/cgroup.procs`;
  const full = () => {
    const snap = sampleForRanking(host, {});
    selectVictim(snap, DEFAULT_CONFIG, [], () => null);
  };
  if (process.env.PROFILE_ONLY === 'full') {
    for (let i = 0; i < 200; i++) full();
    sleepers.kill('SIGKILL');
    return;
  }
  const pids = readdirSync('/proc')
    .filter((e) => e.charCodeAt(0) >= 0x31 && e.charCodeAt(0) <= 0x39)
    .map(Number);
  const buf = Buffer.allocUnsafe(64 * 1024);
  const paths = pids.flatMap((p) => [`/proc/${p}/stat`, `/proc/${p}/status`, `/proc/${p}/oom_score_adj`]);
  const bareNode = () => {
    for (const p of paths) {
      const fd = openSync(p, 'r');
      readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
    }
  };
  const bareNodeBuild = () => {
    for (const e of readdirSync('/proc')) {
      const c = e.charCodeAt(0);
      if (c < 0x31 || c > 0x39) continue;
      for (const name of ['stat', 'status', 'oom_score_adj']) {
        const fd = openSync(`/proc/${e}/${name}`, 'r');
        readSync(fd, buf, 0, buf.length, 0);
        closeSync(fd);
      }
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: koffi's types are loose here
  const koffi = createRequire(import.meta.url)('koffi') as any;
  const libc = koffi.load('libc.so.6');
  const kopen = libc.func('int open(const char *path, int flags)');
  const kread = libc.func('long read(int fd, void *buf, unsigned long n)');
  const kclose = libc.func('int close(int fd)');
  const bareKoffi = () => {
    for (const p of paths) {
      const fd = kopen(p, 0o2000000);
      kread(fd, buf, buf.length);
      kclose(fd);
    }
  };
  const reader = new FileReader();
  const readerOnly = () => {
    for (const p of paths) reader.read(p, true);
  };
  const readerParse = (keep: unknown[] | null) => () => {
    for (let i = 0; i < paths.length; i += 3) {
      let l = reader.read(paths[i] as string, true);
      const st = parseProcStat(reader.buf, l);
      l = reader.read(paths[i + 1] as string, true);
      const ss = parseProcStatus(reader.buf, l);
      l = reader.read(paths[i + 2] as string, true);
      const adj = intAt(reader.buf, 0, l);
      if (keep) keep.push({ st, ss, adj });
    }
  };
  const saved: Buffer[] = [];
  for (const p of paths) {
    const l = reader.read(p, true);
    saved.push(Buffer.from(reader.buf.subarray(0, l)));
  }
  const big = Buffer.allocUnsafe(64 * 1024);
  const parseOnly = () => {
    for (let i = 0; i < saved.length; i += 3) {
      const a = saved[i] as Buffer;
      a.copy(big);
      parseProcStat(big, a.length);
      const b = saved[i + 1] as Buffer;
      b.copy(big);
      parseProcStatus(big, b.length);
      const c = saved[i + 2] as Buffer;
      c.copy(big);
      intAt(big, 0, c.length);
    }
  };
  // The JavaScript alone: a second host whose openat/read/close hand back the files saved above (read copies
  // them, as the kernel's copy_to_user would): readProcesses minus the system calls' kernel time.
  const fake = new LinuxHost();
  const savedByPid = new Map<number, Buffer[]>();
  pids.forEach((pid, k) => {
    savedByPid.set(pid, [saved[3 * k], saved[3 * k + 1], saved[3 * k + 2]] as Buffer[]);
  });
  const load = loadNative();
  if (!load.ok) throw new Error(load.reason);
  const real = load.calls;
  const open: (Buffer | undefined)[] = [];
  const fakeCalls: NativeFileCalls = {
    ...real,
    openat: (dirfd, path, flags) => {
      if (dirfd < 0) return real.openat(dirfd, path, flags);
      let i = 0;
      let pid = 0;
      for (; (path[i] as number) !== 0x2f; i++) pid = pid * 10 + ((path[i] as number) - 0x30);
      // stat, status, oom_score_adj: told apart by their 5th byte (NUL, 'u', 's').
      const which = path[i + 5] === 0 ? 0 : path[i + 5] === 0x75 ? 1 : 2;
      open.push(savedByPid.get(pid)?.[which]);
      return 1000 + open.length;
    },
    read: (fd, buf) => {
      if (fd < 1000) return real.read(fd, buf);
      const b = open[fd - 1001];
      if (b === undefined) return -2;
      open[fd - 1001] = undefined;
      return b.copy(buf);
    },
    close: (fd) => {
      if (fd < 1000) return real.close(fd);
      if (fd - 1000 === open.length) open.length = 0;
      return 0;
    },
  };
  (fake as unknown as { procFilesReader: ProcFiles }).procFilesReader = new ProcFiles(
    (fake as unknown as { reader: FileReader }).reader,
    '/proc',
    fakeCalls,
  );
  const fakeH = fake as unknown as typeof h;
  if (process.env.PROFILE_ONLY === 'js') {
    for (let i = 0; i < 300; i++) fakeH.readProcesses(false, null, null);
    sleepers.kill('SIGKILL');
    return;
  }
  const snap = sampleForRanking(host, {});
  const table: Record<string, number[]> = {};
  const stages: [string, () => void][] = [
    ['readdir /proc', () => readdirSync('/proc')],
    ['cgroup member lists', () => h.cgroupMembers()],
    ['  read own cgroup.procs', () => reader.read(procsPath)],
    ['pids via getdents64 (listPids)', () => h.procFiles().listPids()],
    ['bare node open/read/close x3 (prebuilt paths)', bareNode],
    ['bare node readdir + x3 (paths built)', bareNodeBuild],
    ['bare koffi open/read/close x3 (prebuilt paths)', bareKoffi],
    ['FileReader.read x3 (prebuilt paths)', readerOnly],
    ['FileReader.read x3 + parse', readerParse(null)],
    ['FileReader.read x3 + parse + keep objects', () => readerParse([])()],
    ['parse only (saved files)', parseOnly],
    ['readProcesses, files from memory (JS only)', () => fakeH.readProcesses(false, null, null)],
    ['readProcesses (all)', () => h.readProcesses(false, null, null)],
    ['host.sample (full)', () => host.sample({ processes: true })],
    ['selectVictim on a snapshot', () => selectVictim(snap, DEFAULT_CONFIG, [], () => null)],
    ['full selection (sampleForRanking + selectVictim)', full],
    [
      "daemon's search",
      (() => {
        const s = new VictimSearcher(host, []);
        return () => s.search(DEFAULT_CONFIG, () => () => null);
      })(),
    ],
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of stages) {
      const figures = table[name] ?? [];
      figures.push(cpuMs(f));
      table[name] = figures;
    }
  }
  const lines = [
    `${pids.length} pids, ${iterations} iterations a stage, CPU ms per call, median of ${rounds}:`,
  ];
  for (const [name, xs] of Object.entries(table)) {
    const s = [...xs].sort((a, b) => a - b);
    lines.push(
      `${name.padEnd(52)} ${(s[Math.floor(s.length / 2)] as number).toFixed(2)}  [${s.map((x) => x.toFixed(1)).join(' ')}]`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  host.close();
  sleepers.kill('SIGKILL');
}

runThenExit(main);
