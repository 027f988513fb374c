// Desktop notifications after a kill, for people at a desktop who would otherwise only see a window vanish.
// Like nohang: every user with a session bus at /run/user/UID/bus gets `notify-send`, run as that user (no
// shell, a fixed environment, a timeout) against that bus. Nothing to notify (no notify-send, no session) is
// a warning, never an error: the kill has already happened and is in the log.
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { DaemonEvent, EventSink } from '../observe/events.js';
import { safeText } from '../observe/text/escape.js';

export const DEFAULT_RUNTIME_DIR = '/run/user';
export const DEFAULT_NOTIFY_TIMEOUT_MS = 5_000;
/** At most one notification in this time; kills in between are counted in the next one. */
export const DEFAULT_NOTIFY_INTERVAL_MS = 10_000;

/** The PATH notify-send runs with (it inherits nothing else from the daemon). */
const CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface NotifierOptions {
  /** Where the users' runtime directories are (logind's /run/user). */
  readonly runtimeDir?: string;
  /** notify-send, or another program with its arguments; a bare name is looked up on `searchPath`. */
  readonly command?: string;
  /** The PATH the command is looked up on; default: the daemon's PATH, else CHILD_PATH. */
  readonly searchPath?: string;
  readonly timeoutMs?: number;
  readonly minIntervalMs?: number;
  readonly now?: () => number;
  readonly onWarning?: (message: string) => void;
}

/** A user's session bus. */
export interface SessionBus {
  readonly uid: number;
  readonly gid: number;
  /** The user's runtime directory (XDG_RUNTIME_DIR). */
  readonly runtimeDir: string;
  /** The bus socket's path. */
  readonly socket: string;
}

/** An EventSink that notifies on 'exit' events; `settled()` resolves once every notify-send started has ended. */
export interface Notifier extends EventSink {
  settled(): Promise<void>;
}

/**
 * The session buses under runtimeDir: numeric directories owned by that uid holding a `bus` socket. A
 * directory owned by anyone else is not trusted with another user's name.
 */
export function findSessionBuses(runtimeDir: string): SessionBus[] {
  let names: string[];
  try {
    names = readdirSync(runtimeDir);
  } catch {
    return [];
  }
  const out: SessionBus[] = [];
  for (const name of names.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
    const uid = Number(name);
    const dir = join(runtimeDir, name);
    try {
      const d = statSync(dir);
      const socket = join(dir, 'bus');
      if (d.isDirectory() && d.uid === uid && statSync(socket).isSocket()) {
        out.push({ uid, gid: d.gid, runtimeDir: dir, socket });
      }
    } catch {
      // A session that ended while we looked.
    }
  }
  return out;
}

/** The executable a bare command name resolves to on PATH, or null. */
export function findExecutable(command: string, searchPath: string): string | null {
  const candidates = isAbsolute(command)
    ? [command]
    : searchPath
        .split(delimiter)
        .filter((d) => isAbsolute(d))
        .map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Notification servers read the body as simple markup: a process name must not add any. */
function noMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}

/** The title and body of the notification for one exit. */
export function notificationText(
  exit: DaemonEvent,
  reason: string | null,
  missed: number,
): { summary: string; body: string } {
  const f = exit.fields ?? {};
  const comm = safeText(text(f.comm, '?'));
  const how = f.signal === 'SIGTERM' ? 'stopped' : 'killed';
  const lines = [
    `oomguard ${how} it to keep the system responsive${reason === null ? '.' : `: ${safeText(reason)}`}`,
  ];
  if (missed > 0) lines.push(`${missed} more kill${missed === 1 ? '' : 's'} since the last notice.`);
  return {
    summary: `Low memory: ${comm} (pid ${text(f.pid, '?')}) was ${how}`,
    body: noMarkup(lines.join('\n')),
  };
}

export function createNotifier(opts: NotifierOptions = {}): Notifier {
  const runtimeDir = opts.runtimeDir ?? DEFAULT_RUNTIME_DIR;
  const command = opts.command ?? 'notify-send';
  const searchPath = opts.searchPath ?? process.env.PATH ?? CHILD_PATH;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const minIntervalMs = opts.minIntervalMs ?? DEFAULT_NOTIFY_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  const warn = opts.onWarning ?? (() => {});
  /** The reason of each victim's last signal, until its exit. */
  const reasons = new Map<number, string>();
  const running = new Set<Promise<void>>();
  let lastAt = Number.NEGATIVE_INFINITY;
  let missed = 0;

  const send = (bus: SessionBus, exe: string, summary: string, body: string): Promise<void> =>
    new Promise((resolve) => {
      const asUser = process.getuid?.() === bus.uid ? {} : { uid: bus.uid, gid: bus.gid };
      const child = spawn(exe, ['--app-name=oomguard', '--urgency=critical', '--', summary, body], {
        shell: false,
        stdio: 'ignore',
        cwd: '/',
        env: {
          PATH: CHILD_PATH,
          DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus.socket}`,
          XDG_RUNTIME_DIR: bus.runtimeDir,
        },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        ...asUser,
      });
      child.on('error', (e) => {
        warn(`desktop notification for uid ${bus.uid} failed: ${e.message}`);
        resolve();
      });
      child.on('close', (code, signal) => {
        if (signal !== null)
          warn(
            `desktop notification for uid ${bus.uid}: ${command} ended by ${signal} (timeout ${timeoutMs} ms)`,
          );
        else if (code !== 0) warn(`desktop notification for uid ${bus.uid}: ${command} exited ${code}`);
        resolve();
      });
    });

  const onExit = (e: DaemonEvent) => {
    const pid = e.fields?.pid;
    const reason = typeof pid === 'number' ? (reasons.get(pid) ?? null) : null;
    if (typeof pid === 'number') reasons.delete(pid);
    const t = now();
    if (t - lastAt < minIntervalMs) {
      missed++;
      return;
    }
    const exe = findExecutable(command, searchPath);
    if (exe === null) {
      warn(`no desktop notification: ${command} not found on PATH`);
      return;
    }
    const buses = findSessionBuses(runtimeDir);
    if (buses.length === 0) {
      warn(`no desktop notification: no user session bus under ${runtimeDir}`);
      return;
    }
    lastAt = t;
    const { summary, body } = notificationText(e, reason, missed);
    missed = 0;
    for (const bus of buses) {
      const p = send(bus, exe, summary, body).finally(() => running.delete(p));
      running.add(p);
    }
  };

  const sink = (e: DaemonEvent) => {
    if (e.event === 'signal' && typeof e.fields?.pid === 'number' && typeof e.fields.reason === 'string') {
      // Victims that never exit would pile up: a few hundred pending reasons is already far past normal.
      if (reasons.size >= 256) reasons.clear();
      reasons.set(e.fields.pid, e.fields.reason);
    } else if (e.event === 'exit') onExit(e);
  };
  return Object.assign(sink, {
    settled: async () => {
      while (running.size > 0) await Promise.all(running);
    },
  });
}
