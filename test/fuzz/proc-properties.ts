// Properties of the /proc and cgroup parsers: well-formed files (as the kernel writes them, with hostile
// names) parse back to what was written, and any input at all parses without throwing, in bounded time.
// Shared by test/fuzz/proc.test.ts (a few hundred cases) and bench/fuzz-long.ts (minutes).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseKeyValues,
  parseLimit,
  parseNumber,
  parseOomControl,
  parsePidList,
} from '../../src/host/linux/parse/cgroup-files.js';
import { parseMeminfo } from '../../src/host/linux/parse/meminfo.js';
import { parseCgroupMounts } from '../../src/host/linux/parse/mounts.js';
import { parseProcCgroup } from '../../src/host/linux/parse/proc-cgroup.js';
import { parseProcStat } from '../../src/host/linux/parse/proc-stat.js';
import { parseProcStatus } from '../../src/host/linux/parse/proc-status.js';
import { parsePsi } from '../../src/host/linux/parse/psi.js';
import { parseVmstat } from '../../src/host/linux/parse/vmstat.js';
import { commBytes, type FuzzParams, hostileText, keywordText, timed } from './arbitraries.js';

export interface FuzzProperty {
  readonly name: string;
  readonly check: (params: FuzzParams) => void;
}

/**
 * CPU ms a parser may take for one input of a few KB before the property calls it a hang (the inputs take
 * well under 10 ms; the backtracking this guards against took seconds to minutes).
 */
export const SLOW_MS = 500;

function noThrowQuickly(name: string, fn: () => unknown): void {
  const ms = timed(fn);
  assert.ok(ms < SLOW_MS, `${name} took ${ms.toFixed(0)} ms`);
}

const anyBytes = fc.uint8Array({ maxLength: 2048 });

// ---- /proc/PID/stat ----

const STAT_STATES = 'RSDZTtXIPKW';

interface StatFields {
  readonly pid: number;
  readonly comm: Buffer;
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  readonly flags: number;
  readonly utime: number;
  readonly stime: number;
  readonly nice: number;
  readonly threads: number;
  readonly start: number;
  readonly vsize: number;
}

const statFields: fc.Arbitrary<StatFields> = fc.record({
  pid: fc.integer({ min: 1, max: 4_194_304 }),
  comm: commBytes(),
  state: fc.constantFrom(...STAT_STATES),
  ppid: fc.integer({ min: 0, max: 4_194_304 }),
  pgrp: fc.integer({ min: 0, max: 4_194_304 }),
  session: fc.integer({ min: 0, max: 4_194_304 }),
  flags: fc.integer({ min: 0, max: 0xffffffff }),
  utime: fc.nat(),
  stime: fc.nat(),
  nice: fc.integer({ min: -20, max: 19 }),
  threads: fc.integer({ min: 1, max: 100_000 }),
  start: fc.nat(),
  vsize: fc.integer({ min: 0, max: 2 ** 47 }),
});

/** The 52-field line of Linux 3.5+ (fields that oomguard does not read hold other numbers). */
function statLine(f: StatFields): Buffer {
  const after = [
    f.ppid,
    f.pgrp,
    f.session,
    34816,
    -1,
    f.flags,
    101,
    0,
    0,
    0,
    f.utime,
    f.stime,
    0,
    0,
    20,
    f.nice,
    f.threads,
    0,
    f.start,
    f.vsize,
    390,
    '18446744073709551615',
    ...Array.from({ length: 28 }, (_, i) => i * 7),
  ];
  return Buffer.concat([Buffer.from(`${f.pid} (`), f.comm, Buffer.from(`) ${f.state} ${after.join(' ')}\n`)]);
}

const stat: FuzzProperty[] = [
  {
    name: 'stat: any comm (")", ") (", spaces, newlines, escapes, a cut UTF-8 sequence) parses back',
    check: (p) =>
      fc.assert(
        fc.property(statFields, (f) => {
          const s = parseProcStat(statLine(f));
          assert.notEqual(s, null);
          assert.deepEqual(s, {
            pid: f.pid,
            // The kernel prints the bytes as they are; a name cut inside a UTF-8 sequence decodes with U+FFFD.
            comm: new TextDecoder('utf-8', { ignoreBOM: true }).decode(f.comm),
            state: f.state,
            ppid: f.ppid,
            pgrp: f.pgrp,
            session: f.session,
            flags: f.flags,
            utime: f.utime,
            stime: f.stime,
            nice: f.nice,
            numThreads: f.threads,
            startTime: f.start,
            vsize: f.vsize,
          });
        }),
        p,
      ),
  },
  {
    name: 'stat: a line cut anywhere is refused (null) or keeps its pid',
    check: (p) =>
      fc.assert(
        fc.property(statFields, fc.nat(), (f, at) => {
          const line = statLine(f);
          const cut = at % (line.length + 1);
          const s = parseProcStat(line, cut);
          if (s !== null) assert.equal(s.pid, f.pid);
          // Without the last fields nothing may be read: vsize is field 23.
          if (cut < line.indexOf(` ${f.vsize} 390 `, line.lastIndexOf(')'))) assert.equal(s, null);
        }),
        p,
      ),
  },
  {
    name: 'stat: any bytes parse to null or to numbers, quickly',
    check: (p) =>
      fc.assert(
        fc.property(fc.oneof(anyBytes, keywordText(['(', ')', ' ', '1', '-1', 'S'], 3, 80)), (data) => {
          let s: ReturnType<typeof parseProcStat> = null;
          noThrowQuickly('parseProcStat', () => {
            s = parseProcStat(data);
          });
          if (s !== null) {
            const r = s as NonNullable<ReturnType<typeof parseProcStat>>;
            for (const n of [r.pid, r.vsize, r.startTime]) assert.equal(typeof n, 'number');
            assert.equal(typeof r.comm, 'string');
            assert.equal(r.state.length, 1);
          }
        }),
        p,
      ),
  },
];

// ---- /proc/PID/status ----

/** status's Name line: the kernel escapes it, so it holds no raw newline (the escape's exact form does not matter here). */
function statusName(comm: Buffer): string {
  return new TextDecoder('utf-8', { ignoreBOM: true })
    .decode(comm)
    .replace(/[\\"\p{Cc}]/gu, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

const statusFields = fc.record({
  comm: commBytes(),
  uids: fc.tuple(fc.nat({ max: 2 ** 32 - 2 }), fc.nat({ max: 2 ** 32 - 2 })),
  hasMm: fc.boolean(),
  rssAnonKb: fc.nat({ max: 2 ** 32 }),
  rssFileKb: fc.nat({ max: 2 ** 32 }),
  rssShmemKb: fc.nat({ max: 2 ** 32 }),
  swapKb: fc.nat({ max: 2 ** 32 }),
  pteKb: fc.nat({ max: 2 ** 24 }),
  kthread: fc.option(fc.boolean(), { nil: null }),
  capEff: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
});

const status: FuzzProperty[] = [
  {
    name: 'status: uids, sizes, Kthread and CapEff parse back, whatever the name',
    check: (p) =>
      fc.assert(
        fc.property(statusFields, (f) => {
          const lines = [
            `Name:\t${statusName(f.comm)}`,
            'Umask:\t0022',
            'State:\tS (sleeping)',
            `Uid:\t${f.uids[0]}\t${f.uids[1]}\t${f.uids[1]}\t${f.uids[1]}`,
            'Gid:\t0\t0\t0\t0',
            ...(f.kthread === null ? [] : [`Kthread:\t${f.kthread ? 1 : 0}`]),
            ...(f.hasMm
              ? [
                  'VmPeak:\t  100 kB',
                  `RssAnon:\t${String(f.rssAnonKb).padStart(8)} kB`,
                  `RssFile:\t${String(f.rssFileKb).padStart(8)} kB`,
                  `RssShmem:\t${String(f.rssShmemKb).padStart(8)} kB`,
                  `VmPTE:\t${String(f.pteKb).padStart(8)} kB`,
                  `VmSwap:\t${String(f.swapKb).padStart(8)} kB`,
                ]
              : []),
            `CapEff:\t${f.capEff.toString(16).padStart(16, '0')}`,
          ];
          const s = parseProcStatus(`${lines.join('\n')}\n`);
          assert.deepEqual(s, {
            uid: f.uids[0],
            euid: f.uids[1],
            rssAnon: f.hasMm ? f.rssAnonKb * 1024 : 0,
            rssFile: f.hasMm ? f.rssFileKb * 1024 : 0,
            rssShmem: f.hasMm ? f.rssShmemKb * 1024 : 0,
            vmSwap: f.hasMm ? f.swapKb * 1024 : 0,
            vmPte: f.hasMm ? f.pteKb * 1024 : 0,
            kthread: f.kthread,
            capEff: f.capEff,
            hasMm: f.hasMm,
          });
        }),
        p,
      ),
  },
  {
    name: 'status: any bytes parse to null or to a record, quickly',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.oneof(anyBytes, keywordText(['Uid:', 'VmSwap:', 'Kthread:', 'CapEff:', '\t', ' kB', 'ffff'])),
          (data) => {
            let s: ReturnType<typeof parseProcStatus> = null;
            noThrowQuickly('parseProcStatus', () => {
              s = parseProcStatus(data);
            });
            if (s !== null) assert.equal(typeof (s as { capEff: unknown }).capEff, 'bigint');
          },
        ),
        p,
      ),
  },
];

// ---- meminfo, vmstat, PSI ----

const MEMINFO_KEYS = [
  ['MemTotal', 'memTotal'],
  ['MemFree', 'memFree'],
  ['Buffers', 'buffers'],
  ['Cached', 'cached'],
  ['SwapCached', 'swapCached'],
  ['Active(anon)', 'activeAnon'],
  ['Inactive(anon)', 'inactiveAnon'],
  ['Active(file)', 'activeFile'],
  ['Inactive(file)', 'inactiveFile'],
  ['AnonPages', 'anonPages'],
  ['Shmem', 'shmem'],
  ['SReclaimable', 'sReclaimable'],
  ['SUnreclaim', 'sUnreclaim'],
  ['SwapTotal', 'swapTotal'],
  ['SwapFree', 'swapFree'],
  ['CommitLimit', 'commitLimit'],
  ['Committed_AS', 'committedAs'],
  ['Hugetlb', 'hugetlb'],
] as const;

const meminfo: FuzzProperty[] = [
  {
    name: 'meminfo: any subset of lines, in any order, parses back in bytes (absent: 0, MemAvailable: null)',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...MEMINFO_KEYS.map(([k]) => k), 'MemAvailable', 'DirectMap4k'), {
            maxLength: 24,
          }),
          fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 24, maxLength: 24 }),
          (keys, values) => {
            const kb = new Map<string, number>();
            for (const [i, k] of keys.entries()) kb.set(k, values[i] ?? 0);
            const text = [...kb]
              .map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB`)
              .join('\n');
            const m = parseMeminfo(`${text}\n`);
            if (!kb.has('MemTotal')) return assert.equal(m, null);
            assert.notEqual(m, null);
            for (const [key, field] of MEMINFO_KEYS) assert.equal(m?.[field], (kb.get(key) ?? 0) * 1024, key);
            const avail = kb.get('MemAvailable');
            assert.equal(m?.memAvailable, avail === undefined ? null : avail * 1024);
          },
        ),
        p,
      ),
  },
  {
    name: 'meminfo: any text parses to null or finite numbers, quickly',
    check: (p) =>
      fc.assert(
        fc.property(
          keywordText(['MemTotal:', 'MemAvailable:', ' kB', ':', '  ', '-', 'e308', '0x']),
          (text) => {
            let m: ReturnType<typeof parseMeminfo> = null;
            noThrowQuickly('parseMeminfo', () => {
              m = parseMeminfo(text);
            });
            if (m !== null) {
              for (const v of Object.values(m as object)) assert.ok(v === null || Number.isFinite(v));
            }
          },
        ),
        p,
      ),
  },
  {
    name: 'vmstat: counters parse back; any text parses to finite numbers',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.nat(),
          fc.nat(),
          keywordText(['oom_kill ', 'pgscan_kswapd ', 'pswpin', ' ', '1e999', 'NaN']),
          (oomKill, pswpin, noise) => {
            const v = parseVmstat(`nr_free_pages 5\noom_kill ${oomKill}\npswpin ${pswpin}\n`);
            assert.equal(v.oomKill, oomKill);
            assert.equal(v.pswpin, pswpin);
            assert.equal(v.pgscanDirect, 0);
            let w: ReturnType<typeof parseVmstat> | undefined;
            noThrowQuickly('parseVmstat', () => {
              w = parseVmstat(noise);
            });
            for (const n of Object.values(w as object)) assert.ok(Number.isFinite(n));
          },
        ),
        p,
      ),
  },
  {
    name: 'PSI: some and full lines parse back; full absent → null; no some line → null',
    check: (p) => {
      const line = fc.record({
        avg10: fc.integer({ min: 0, max: 10000 }),
        avg60: fc.integer({ min: 0, max: 10000 }),
        avg300: fc.integer({ min: 0, max: 10000 }),
        total: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      });
      const fmt = (kind: string, l: { avg10: number; avg60: number; avg300: number; total: number }) =>
        `${kind} avg10=${(l.avg10 / 100).toFixed(2)} avg60=${(l.avg60 / 100).toFixed(2)} avg300=${(l.avg300 / 100).toFixed(2)} total=${l.total}`;
      const parsed = (l: { avg10: number; avg60: number; avg300: number; total: number }) => ({
        avg10: l.avg10 / 100,
        avg60: l.avg60 / 100,
        avg300: l.avg300 / 100,
        totalUs: l.total,
      });
      fc.assert(
        fc.property(fc.option(line, { nil: null }), fc.option(line, { nil: null }), (some, full) => {
          const text = [some && fmt('some', some), full && fmt('full', full)].filter(Boolean).join('\n');
          const psi = parsePsi(`${text}\n`);
          if (some === null) return assert.equal(psi, null);
          assert.deepEqual(psi, { some: parsed(some), full: full === null ? null : parsed(full) });
        }),
        p,
      );
    },
  },
  {
    name: 'PSI: any text parses to null or finite numbers, quickly',
    check: (p) =>
      fc.assert(
        fc.property(
          keywordText(['some ', 'full ', 'avg10=', 'avg60=', 'avg300=', 'total=', ' ', 'Infinity', '-0'], 4),
          (text) => {
            let psi: ReturnType<typeof parsePsi> = null;
            noThrowQuickly('parsePsi', () => {
              psi = parsePsi(text);
            });
            if (psi === null) return;
            const r = psi as NonNullable<ReturnType<typeof parsePsi>>;
            for (const l of [r.some, r.full]) {
              if (l !== null) for (const n of Object.values(l)) assert.ok(Number.isFinite(n));
            }
          },
        ),
        p,
      ),
  },
];

// ---- cgroup files (v1 and v2), /proc/PID/cgroup, mounts ----

const cgroupName = fc
  .array(fc.constantFrom('a', 'b', '-', '_', '.', ':', ' ', ',', 'é', '\\', 'x'), {
    minLength: 1,
    maxLength: 10,
  })
  .map((c) => c.join(''))
  .filter((n) => n !== '.' && n !== '..');
const cgroupPath = fc.array(cgroupName, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);

const cgroupFiles: FuzzProperty[] = [
  {
    name: 'memory.stat / memory.events / memory.oom_control: key value lines parse back',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,20}$/), fc.nat({ max: Number.MAX_SAFE_INTEGER })),
          (dict) => {
            const kv = Object.fromEntries(Object.entries(dict));
            const text = Object.entries(kv)
              .map(([k, v]) => `${k} ${v}`)
              .join('\n');
            assert.deepEqual(parseKeyValues(`${text}\n`), kv);
            const oc = parseOomControl(`${text}\n`);
            assert.deepEqual(oc, {
              oomKillDisable: kv.oom_kill_disable === 1,
              underOom: kv.under_oom === 1,
              oomKill: kv.oom_kill ?? null,
            });
          },
        ),
        p,
      ),
  },
  {
    name: 'memory.max / limit_in_bytes: max and values ≥ 2^62 are unlimited, garbage is undefined (never "no limit")',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.oneof(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constant(2 ** 63 - 4096)),
          hostileText(4),
          (n, junk) => {
            assert.equal(parseLimit(`${n}\n`), n >= 2 ** 62 ? null : n);
            assert.equal(parseLimit('max\n'), null);
            const j = parseLimit(junk);
            if (j === null) assert.equal(junk.trim(), 'max');
            else if (j !== undefined) assert.match(junk.trim(), /^-?\d+$/);
            const num = parseNumber(junk);
            if (num !== undefined) assert.equal(num, Number(junk.trim()));
          },
        ),
        p,
      ),
  },
  {
    name: 'cgroup.procs: pids parse back; junk lines are dropped',
    check: (p) =>
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4_194_304 })), hostileText(6), (pids, junk) => {
          assert.deepEqual(parsePidList(`${pids.join('\n')}\n`), pids);
          for (const pid of parsePidList(junk)) assert.ok(Number.isInteger(pid) && pid > 0);
        }),
        p,
      ),
  },
  {
    name: '/proc/PID/cgroup: the memory controller path (v1, hybrid) or the unified path (v2), with ":" in paths',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              controllers: fc.subarray(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'name=systemd']),
              path: cgroupPath,
            }),
            { maxLength: 6 },
          ),
          fc.option(cgroupPath, { nil: null }),
          (v1, unified) => {
            const lines = v1
              .filter((h) => h.controllers.length > 0)
              .map((h, i) => `${i + 1}:${h.controllers.join(',')}:${h.path}`);
            if (unified !== null) lines.push(`0::${unified}`);
            const memory = v1.find((h) => h.controllers.includes('memory'));
            assert.equal(parseProcCgroup(`${lines.join('\n')}\n`), memory?.path ?? unified);
          },
        ),
        p,
      ),
  },
  {
    name: 'mounts: v1 memory and cgroup2 mount points with spaces, tabs, newlines and backslashes parse back',
    check: (p) => {
      const mountPoint = fc
        .array(fc.constantFrom('a', '/', ' ', '\t', '\n', '\\', 'é', 'x'), { minLength: 1, maxLength: 12 })
        .map((c) => `/${c.join('')}`);
      const escapeMount = (s: string) =>
        s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
      fc.assert(
        fc.property(
          fc.option(mountPoint, { nil: null }),
          fc.option(mountPoint, { nil: null }),
          fc.boolean(),
          (memory, unified, otherV1) => {
            const lines = ['proc /proc proc rw 0 0'];
            if (otherV1) lines.push('cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,pids 0 0');
            if (memory !== null) lines.push(`cgroup ${escapeMount(memory)} cgroup rw,memory 0 0`);
            if (unified !== null) lines.push(`cgroup2 ${escapeMount(unified)} cgroup2 rw,nsdelegate 0 0`);
            const m = parseCgroupMounts(`${lines.join('\n')}\n`);
            const anyV1 = otherV1 || memory !== null;
            assert.deepEqual(m, {
              layout: anyV1 ? (unified === null ? 'v1' : 'hybrid') : unified === null ? 'none' : 'v2',
              v1Memory: memory,
              cgroup2: unified,
            });
          },
        ),
        p,
      );
    },
  },
  {
    name: 'cgroup and mount files: any text parses without throwing, quickly',
    check: (p) =>
      fc.assert(
        fc.property(
          keywordText([
            '0::',
            '4:memory:',
            'cgroup ',
            'cgroup2 ',
            ' rw,memory ',
            '\\040',
            'max',
            ' ',
            '18446744073709551615',
          ]),
          (text) => {
            noThrowQuickly('cgroup parsers', () => {
              parseKeyValues(text);
              parseLimit(text);
              parseOomControl(text);
              parsePidList(text);
              const path = parseProcCgroup(text);
              assert.ok(path === null || typeof path === 'string');
              parseCgroupMounts(text);
            });
          },
        ),
        p,
      ),
  },
];

export const procProperties: readonly FuzzProperty[] = [...stat, ...status, ...meminfo, ...cgroupFiles];
