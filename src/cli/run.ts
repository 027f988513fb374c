// oomguard run: the daemon. Its flags are earlyoom's plus oomguard's own, parsed by src/config/flags.ts
// (commander cannot take earlyoom's `-m 10,5` style), so this command bypasses commander.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../config/defaults.js';
import { parseRunArgs, RUN_FLAGS_HELP } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import type { DaemonConfig } from '../config/types.js';
import { realClock, sharedWake } from '../daemon/clock.js';
import { Daemon, type Look } from '../daemon/daemon.js';
import { checkTrustedFile } from '../host/file-trust.js';
import { runHook } from '../host/hook-runner.js';
import { KmsgWatcher } from '../host/linux/kmsg-watch.js';
import { LinuxActions } from '../host/linux/linux-actions.js';
import { LinuxHost } from '../host/linux/linux-host.js';
import { readUserNames } from '../host/linux/passwd.js';
import { openPsiTrigger, type PsiTrigger } from '../host/linux/psi-trigger.js';
import { createSdNotifier } from '../host/linux/sd-notify.js';
import { WakeSources } from '../host/linux/wake-sources.js';
import { UsageError } from '../model/errors.js';
import { type DaemonEvent, EventBus } from '../observe/events.js';
import { createHistorySink } from '../observe/history.js';
import { createLogSink } from '../observe/log.js';
import { scopeWakeUsageBytes } from '../policy/thresholds.js';

/** Kernel PSI triggers need a window that is a multiple of 2 s without CAP_SYS_RESOURCE. */
const PSI_WINDOW_US = 2_000_000;

/** Splits `--root DIR` / `--root=DIR` out of the run arguments (it is a global option). */
export function extractRoot(args: readonly string[], root: string): { root: string; rest: string[] } {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--root') {
      const v = args[++i];
      if (v === undefined) throw new UsageError('--root: missing value');
      root = v;
    } else if (a.startsWith('--root=')) root = a.slice('--root='.length);
    else rest.push(a);
  }
  return { root, rest };
}

export async function runCommand(args: readonly string[], globalRoot: string): Promise<number> {
  const { root, rest } = extractRoot(args, globalRoot);
  const flags = parseRunArgs(rest);
  if (flags.help) {
    process.stdout.write(RUN_FLAGS_HELP);
    return 0;
  }
  // The packaged config file is read when present; --config names another one.
  const file = flags.configFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const config = loadConfig({ ...(file === undefined ? {} : { file }), flags, checkFile: checkTrustedFile });
  if (flags.checkConfig) {
    process.stdout.write(
      `${file ?? 'built-in defaults'}: configuration OK\n${JSON.stringify(config, null, 2)}\n`,
    );
    return 0;
  }

  const bus = new EventBus();
  bus.subscribe(
    createLogSink({
      format: config.logFormat,
      journald: process.env.JOURNAL_STREAM !== undefined,
      minLevel: config.debug ? 'debug' : 'info',
    }),
  );
  const emit = bus.emit.bind(bus);
  const warn = (message: string) => emit({ event: 'warning', level: 'warning', message });
  // Features that are off cost nothing: their modules load only when on (the server's prom-client alone is
  // ~30 ms of start-up and ~3 MiB of resident memory; BENCHMARKS.md, "Footprint").
  if (config.notify) {
    const { createNotifier } = await import('../host/notify.js');
    bus.subscribe(createNotifier({ onWarning: warn }));
  }
  if (config.historyFile !== null) {
    // One warning for a history that cannot be written (read-only /var, no permission), not one per kill.
    let warned = false;
    const onError = (message: string) => {
      if (!warned) warn(`kill history ${config.historyFile} not written: ${message}`);
      warned = true;
    };
    bus.subscribe(createHistorySink({ file: config.historyFile, onError }));
  }
  const host = new LinuxHost({ root });
  // A wrong --cgroup is reported now, not at the first look.
  if (config.scopeCgroup !== null) host.readCgroup(config.scopeCgroup);
  const actions = new LinuxActions({ onWarning: warn });
  if (config.selfProtection.enabled) {
    const res = actions.protectSelf({
      oomScoreAdj: config.selfProtection.oomScoreAdj,
      nice: config.selfProtection.nice,
    });
    const refused = res.oomScoreAdj.startsWith('unchanged') || res.nice.startsWith('unchanged');
    emit({
      event: refused ? 'warning' : 'start',
      level: refused ? 'warning' : 'info',
      message: `self-protection: oom_score_adj ${res.oomScoreAdj}; nice ${res.nice}`,
      fields: { ...res },
    });
  }
  const trigger = armPsiTrigger(config, root, emit);
  // On cgroup v1 the kernel also wakes the loop when the watched cgroup's usage crosses its TERM level.
  const v1Memory = host.cgroupLayout === 'v1' || host.cgroupLayout === 'hybrid';
  const wakes = new WakeSources({
    psi: trigger,
    scopeDir:
      config.scopeCgroup !== null && root === '/' && v1Memory ? host.cgroupDir(config.scopeCgroup) : null,
    onWarning: warn,
  });
  const kmsg = watchKernelLog(config, root, emit);
  const users = readUserNames(root);
  const server =
    config.listen === null
      ? null
      : await (await import('../observe/server.js')).attachServer({ bus, host, config, users });
  if (server)
    emit({
      event: 'start',
      level: 'info',
      message: `dashboard on ${server.url}, metrics on ${server.url}metrics`,
    });
  const sd = createSdNotifier({ onWarning: warn });
  const stop = new AbortController();
  const onSignal = () => {
    sd.stopping();
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // systemd (Type=notify) learns the daemon is up once it is watching.
  const unsubscribeReady = bus.subscribe((e) => {
    if (e.event === 'start' && e.level === 'notice') sd.ready(e.message);
  });
  const daemon = new Daemon({
    host,
    actions,
    clock: realClock,
    emit,
    config,
    runHook,
    users,
    ...(wakes.active
      ? {
          wake: sharedWake((ms) => wakes.wait(ms)),
          onLook: (look: Look) => wakes.setUsageThreshold(scopeWakeUsageBytes(look.snap, look.verdict)),
        }
      : {}),
  });
  try {
    await daemon.run(stop.signal);
  } finally {
    unsubscribeReady();
    await server?.close();
    wakes.close();
    kmsg?.stop();
    host.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return 0;
}

/**
 * Follows the kernel log (/dev/kmsg) and logs each kernel OOM kill, decoded and checked against oomguard's
 * model. Without access to the log (containers, dmesg_restrict) the daemon carries on without it.
 */
function watchKernelLog(
  config: DaemonConfig,
  root: string,
  emit: (e: DaemonEvent) => void,
): KmsgWatcher | null {
  if (root !== '/') return null;
  const watcher = new KmsgWatcher();
  try {
    watcher.start(
      (report) => {
        // The analyser loads with the first kernel OOM report, which most daemons never see.
        void Promise.all([import('../daemon/kernel-oom.js'), import('../postmortem/analyze.js')])
          .then(([{ kernelOomEvent }, { analyzeReport }]) =>
            emit(kernelOomEvent(analyzeReport(report, { config }))),
          )
          .catch((e: unknown) =>
            emit({
              event: 'warning',
              level: 'warning',
              message: `a kernel OOM report could not be decoded: ${(e as Error).message}`,
            }),
          );
      },
      (error) =>
        emit({
          event: 'warning',
          level: 'warning',
          message: `stopped following the kernel log: ${error.message}`,
        }),
    );
    return watcher;
  } catch (e) {
    emit({
      event: 'warning',
      level: 'warning',
      message: `kernel OOM kills will not be decoded: ${(e as Error).message}`,
    });
    return null;
  }
}

/**
 * Arms a kernel PSI trigger for the first system-wide PSI rule so that pressure wakes the loop at once,
 * instead of at the next poll. The rule itself is still judged on the averages; the trigger only wakes.
 */
function armPsiTrigger(
  config: DaemonConfig,
  root: string,
  emit: (e: import('../observe/events.js').DaemonEvent) => void,
): PsiTrigger | null {
  const rule = config.psi.find((p) => p.cgroup === null);
  if (!rule) return null;
  const stallUs = Math.max(1, Math.round((rule.limit / 100) * PSI_WINDOW_US));
  try {
    return openPsiTrigger(join(root, 'proc/pressure/memory'), rule.line, stallUs, PSI_WINDOW_US);
  } catch (e) {
    emit({
      event: 'warning',
      level: 'warning',
      message: `no PSI wake-ups, polling only: ${(e as Error).message}`,
    });
    return null;
  }
}
