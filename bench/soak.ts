// The soak run: the daemon, wired as `oomguard run --cgroup` wires it, runs in this process for minutes or
// hours while memory pressure comes and goes in a memory cgroup of its own (oomguard-test-soak-*): again
// and again a hog grows towards the cgroup's limit, the daemon stops it, memory comes back. Every window it
// records the process's RSS and heap, its open file descriptors and the event loop's delay; at the end it
// compares the first and the last third of the run. Steady means: RSS and heap within 20 % (or 16 MiB),
// the same number of descriptors, event-loop p99 not growing, and the kernel's OOM killer never needed.
//
// usage (root, cgroup v1 memory at /sys/fs/cgroup/memory):
//   node --import tsx bench/soak.ts [--minutes N] [--window SECONDS]
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseRunArgs } from '../src/config/flags.js';
import { loadConfig } from '../src/config/load.js';
import { realClock } from '../src/daemon/clock.js';
import { Daemon } from '../src/daemon/daemon.js';
import { runHook } from '../src/host/hook-runner.js';
import { LinuxActions } from '../src/host/linux/linux-actions.js';
import { LinuxHost } from '../src/host/linux/linux-host.js';
import { type DaemonEvent, EventBus } from '../src/observe/events.js';
import { memcgUnavailableReason, Sandbox } from '../test/helpers/sandbox.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '5' }, window: { type: 'string', default: '15' } },
});
const minutes = Number(values.minutes);
const windowMs = Number(values.window) * 1000;
const MiB = 1024 * 1024;

interface Sample {
  readonly atS: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly fds: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly kills: number;
}

async function main(): Promise<number> {
  const unavailable = memcgUnavailableReason();
  if (unavailable) {
    console.log(`soak: cannot run: ${unavailable}`);
    return 2;
  }
  const sandbox = new Sandbox();
  const stop = new AbortController();
  try {
    const cg = sandbox.createMemcg('soak', 512 * MiB);
    // Bystanders that must survive every round: small, and protected by name.
    const bystanders = [
      await sandbox.startHog({ cgroup: cg, sizeMiB: 30, name: 'soak-keep' }),
      await sandbox.startHog({ cgroup: cg, sizeMiB: 30, name: 'soak-keep' }),
    ];
    const flags = parseRunArgs(['--cgroup', cg.path, '-m', '40,10']);
    const config = {
      ...loadConfig({
        flags,
        text: '[action]\ngrace = "1s"\ncooldown = "1s"\n[[rules]]\naction = "protect"\ncomm = "^soak-keep$"\n',
      }),
      selfProtection: { enabled: false, oomScoreAdj: 0, nice: 0 },
    };
    const counts = new Map<string, number>();
    const bus = new EventBus();
    bus.subscribe((e: DaemonEvent) => {
      counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
      if (e.event === 'error') console.log(`daemon error: ${e.message}`);
    });
    const host = new LinuxHost({ root: '/' });
    const actions = new LinuxActions({ onWarning: (m) => console.log(`warning: ${m}`) });
    const daemon = new Daemon({
      host,
      actions,
      clock: realClock,
      emit: bus.emit.bind(bus),
      config,
      runHook,
      users: new Map(),
    });
    const running = daemon.run(stop.signal);

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = Date.now();
    const deadline = started + minutes * 60_000;
    const samples: Sample[] = [];
    let nextSample = started + windowMs;
    let rounds = 0;
    while (Date.now() < deadline) {
      // Pressure comes: a hog grows at 100 MiB/s towards the 512 MiB limit; the daemon acts at 40 % available.
      const grower = await sandbox.startHog({
        cgroup: cg,
        sizeMiB: 10,
        pushMiB: 600,
        rateMiBPerSec: 100,
        growNow: true,
        name: 'soak-grow',
      });
      await Promise.race([grower.exit(), new Promise((r) => setTimeout(r, 20_000))]);
      if (grower.child.exitCode === null && grower.child.signalCode === null) grower.child.kill('SIGKILL');
      rounds++;
      // Pressure goes: a quiet spell.
      await new Promise((r) => setTimeout(r, 1500));
      if (Date.now() >= nextSample) {
        nextSample += windowMs;
        const mem = process.memoryUsage();
        samples.push({
          atS: Math.round((Date.now() - started) / 1000),
          rssMiB: mem.rss / MiB,
          heapMiB: mem.heapUsed / MiB,
          fds: readdirSync('/proc/self/fd').length,
          lagP99Ms: lag.percentile(99) / 1e6,
          lagMaxMs: lag.max / 1e6,
          kills: daemon.killCount,
        });
        lag.reset();
        const s = samples[samples.length - 1] as Sample;
        console.log(
          `${String(s.atS).padStart(5)} s  rss ${s.rssMiB.toFixed(1)} MiB  heap ${s.heapMiB.toFixed(1)} MiB  fds ${s.fds}  ` +
            `lag p99 ${s.lagP99Ms.toFixed(1)} ms max ${s.lagMaxMs.toFixed(1)} ms  kills ${s.kills}`,
        );
      }
    }
    stop.abort();
    await running;
    host.close();

    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (xs: Sample[], f: (s: Sample) => number) => xs.reduce((a, s) => a + f(s), 0) / xs.length;
    const first = samples.slice(0, third);
    const last = samples.slice(-third);
    const rss = [mean(first, (s) => s.rssMiB), mean(last, (s) => s.rssMiB)] as const;
    const heap = [mean(first, (s) => s.heapMiB), mean(last, (s) => s.heapMiB)] as const;
    const fds = [first[0]?.fds ?? 0, last[last.length - 1]?.fds ?? 0] as const;
    const p99 = [mean(first, (s) => s.lagP99Ms), mean(last, (s) => s.lagP99Ms)] as const;
    const grew = (a: number, b: number) => b - a > Math.max(16, a * 0.2);
    const kernelKills = cg.oomKills();
    const bystandersAlive = bystanders.every((h) => h.child.exitCode === null && h.child.signalCode === null);
    const verdicts = [
      [`RSS ${rss[0].toFixed(1)} → ${rss[1].toFixed(1)} MiB`, !grew(rss[0], rss[1])],
      [`heap ${heap[0].toFixed(1)} → ${heap[1].toFixed(1)} MiB`, !grew(heap[0], heap[1])],
      [`fds ${fds[0]} → ${fds[1]}`, fds[1] <= fds[0]],
      [
        `event-loop p99 ${p99[0].toFixed(1)} → ${p99[1].toFixed(1)} ms`,
        p99[1] <= Math.max(p99[0] * 1.5, p99[0] + 5),
      ],
      [`kernel OOM kills in the cgroup: ${kernelKills}`, kernelKills === 0],
      [`protected bystanders alive: ${bystandersAlive}`, bystandersAlive],
      [`daemon errors: ${counts.get('error') ?? 0}`, (counts.get('error') ?? 0) === 0],
    ] as const;
    console.log(
      `soak: ${minutes} min, ${rounds} pressure rounds, ${daemon.killCount} kills, events ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    for (const [what, ok] of verdicts) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    return verdicts.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    stop.abort();
    await sandbox.cleanup();
  }
}

process.exitCode = await main();
