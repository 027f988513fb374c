// Reaction: a memory cgroup limited to 1 GiB, oomguard watching it (--cgroup, SIGTERM at 10 % available,
// i.e. at 921.6 MiB used), and a hog growing at 100 MiB/s … 2 GiB/s towards 2 GiB. Per rate and mode:
// the time from the threshold crossing to the signal, the overshoot of the peak usage past the threshold,
// and how often the kernel's OOM killer struck first. Modes: polling (the adaptive sleep alone) and with
// a PSI wake-up rule. Runs alternate mode and rate; everything is removed afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess } from '../../test/helpers/daemon-process.js';
import { BIN, OUT, resultFile } from '../lib/paths.js';
import { type Summary, show, summarize } from '../lib/stats.js';

const MIB = 1024 * 1024;
const LIMIT = 1024 * MIB;
const THRESHOLD = Math.round(LIMIT * 0.9);
const rates = (process.env.BENCH_RATES ?? '100,200,500,1000,2000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
/**
 * Since the second round a scoped daemon on v1 also wakes on a kernel usage threshold at its TERM level, in
 * both modes. BENCH_BASELINE names a checkout of an earlier oomguard (with node_modules) to run beside it as
 * the `baseline` mode: polling only, as before the threshold.
 */
const baseline = process.env.BENCH_BASELINE ?? null;
const MODES: Record<string, string[]> = {
  ...(baseline === null ? {} : { 'baseline (poll only)': [] }),
  'poll + threshold': [],
  'psi + threshold': ['--psi', 'some,avg10,10,0s'],
};

interface Outcome {
  crossMs: number;
  signalMs: number;
  signal: number;
  grownMiB: number;
  peakBytes: number;
  kernelKills: number;
  timedOut: boolean;
}

const V1 = '/sys/fs/cgroup/memory';
let serial = 0;

async function once(mode: string, rate: number): Promise<Outcome> {
  const name = `oomguard-test-bench-reaction-${process.pid}-${++serial}`;
  const dir = join(V1, name);
  mkdirSync(dir);
  let daemon: DaemonProcess | null = null;
  try {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(LIMIT));
    daemon = await DaemonProcess.start(
      ['--cgroup', `/${name}`, '-m', '10', ...(MODES[mode] ?? [])],
      mode.startsWith('baseline') && baseline !== null ? baseline : undefined,
    );
    const r = spawnSync(join(BIN, 'grower'), [dir, String(rate), '2048', String(THRESHOLD), '60'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`grower: ${r.stderr}`);
    return JSON.parse(r.stdout) as Outcome;
  } finally {
    await daemon?.stop();
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  }
}

async function main(): Promise<void> {
  const all: Record<string, Outcome[]> = {};
  for (let run = 0; run < runs; run++) {
    for (const rate of rates) {
      for (const mode of Object.keys(MODES)) {
        const o = await once(mode, rate);
        const key = `${mode} ${rate}`;
        all[key] = [...(all[key] ?? []), o];
        process.stderr.write(`  reaction ${key} MiB/s run ${run + 1}: ${JSON.stringify(o)}\n`);
      }
    }
  }
  const lines = [
    `Reaction: 1 GiB memory cgroup, SIGTERM threshold 10 % available (${(THRESHOLD / MIB).toFixed(1)} MiB used); median (min–max) of ${runs} runs`,
    '| mode | rate MiB/s | measured rate MiB/s | crossing → signal, ms | overshoot past threshold, MiB | kernel struck first |',
    '|---|---|---|---|---|---|',
  ];
  const table: Record<string, Record<string, Summary | string>> = {};
  for (const mode of Object.keys(MODES)) {
    for (const rate of rates) {
      const os = all[`${mode} ${rate}`] ?? [];
      const reacted = os.filter((o) => o.kernelKills === 0 && !o.timedOut && o.crossMs >= 0);
      const delay = summarize(reacted.map((o) => o.signalMs - o.crossMs));
      const overshoot = summarize(os.map((o) => (o.peakBytes - THRESHOLD) / MIB));
      const measured = summarize(
        os.filter((o) => o.crossMs > 0).map((o) => THRESHOLD / MIB / (o.crossMs / 1000)),
      );
      const kernel = `${os.filter((o) => o.kernelKills > 0).length}/${os.length}`;
      table[`${mode} ${rate}`] = { delay, overshoot, measured, kernel };
      lines.push(
        `| ${mode} | ${rate} | ${show(measured, 0)} | ${show(delay, 0)} | ${show(overshoot, 1)} | ${kernel} |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resultFile('reaction'), `${JSON.stringify({ runs: all, table }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
