// systemd's readiness and watchdog protocol (sd_notify(3)) for `Type=notify` units: READY=1 once the daemon
// watches, WATCHDOG=1 every half WATCHDOG_USEC while the event loop runs, STOPPING=1 on the way out. Outside
// systemd (no NOTIFY_SOCKET) every call does nothing. Node has no unix datagram sockets, so the message goes
// through libsystemd's sd_notify (native.ts); where libsystemd is missing, one warning says so.
import { loadSystemd, type SdNotifyCall } from './native.js';

export interface SdNotifier {
  /** READY=1 (with STATUS= when given), and the watchdog pings from then on. */
  ready(status?: string): void;
  /** STATUS=… shown by `systemctl status`. */
  status(text: string): void;
  /** STOPPING=1, and the watchdog pings stop. */
  stopping(): void;
  /** The watchdog interval in ms (half of WATCHDOG_USEC), or null when systemd wants no pings. */
  readonly watchdogIntervalMs: number | null;
}

export interface SdNotifierOptions {
  /** The environment holding NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Sends one state string; default: libsystemd's sd_notify. Tests pass a fake. */
  readonly send?: SdNotifyCall;
  readonly pid?: number;
  readonly onWarning?: (message: string) => void;
}

/**
 * The watchdog interval systemd asked for: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises, or null
 * when it is unset, not a positive integer, or meant for another process (WATCHDOG_PID).
 */
export function watchdogInterval(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): number | null {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^\d+$/.test(usec) || Number(usec) === 0) return null;
  const forPid = env.WATCHDOG_PID;
  if (forPid !== undefined && forPid !== String(pid)) return null;
  return Math.max(1, Math.trunc(Number(usec) / 2000));
}

export function createSdNotifier(opts: SdNotifierOptions = {}): SdNotifier {
  const env = opts.env ?? process.env;
  const warn = opts.onWarning ?? (() => {});
  const enabled = (env.NOTIFY_SOCKET ?? '') !== '';
  const watchdogIntervalMs = enabled ? watchdogInterval(env, opts.pid ?? process.pid) : null;
  let send: SdNotifyCall | null = opts.send ?? null;
  let timer: NodeJS.Timeout | undefined;
  let broken = false;

  const notify = (state: string) => {
    if (!enabled || broken) return;
    if (send === null) {
      const lib = loadSystemd();
      if (!lib.ok) {
        broken = true;
        warn(
          `NOTIFY_SOCKET is set but sd_notify is unavailable (${lib.reason}): systemd will not hear from oomguard`,
        );
        return;
      }
      send = lib.sdNotify;
    }
    const r = send(state);
    if (r < 0) warn(`sd_notify(${state.split('\n')[0]}) failed: errno ${-r}`);
  };

  return {
    watchdogIntervalMs,
    ready(status) {
      notify(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${status}`);
      if (watchdogIntervalMs !== null && timer === undefined && !broken) {
        // unref: the pings prove the event loop turns; they must not be what keeps the process alive.
        timer = setInterval(() => notify('WATCHDOG=1'), watchdogIntervalMs).unref();
      }
    },
    status(text) {
      notify(`STATUS=${text}`);
    },
    stopping() {
      clearInterval(timer);
      timer = undefined;
      notify('STOPPING=1');
    },
  };
}
