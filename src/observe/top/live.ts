// The live loop of `oomguard top`: sample, draw, react to keys, and put the terminal back the way it was on
// every way out — `q`, Ctrl-C (a key in raw mode), SIGINT/SIGTERM/SIGHUP, an exception, process exit.
import { writeSync } from 'node:fs';
import { safeText } from '../text/escape.js';
import { renderTop, type ScreenSize, type TopFrame } from './render.js';
import { ENTER, LEAVE, paint } from './screen.js';
import { commandForInput, type SortKey } from './sort.js';

/** The parts of a TTY the loop uses (process.stdin / process.stdout, or fakes in tests). */
export interface TopInput {
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', listener: (data: string) => void): unknown;
  off(event: 'data', listener: (data: string) => void): unknown;
}

export interface TopOutput {
  readonly fd: number;
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export interface LiveTopOptions {
  /** One sample; a throw is shown on the screen and the next tick tries again. */
  readonly read: () => TopFrame;
  readonly input: TopInput;
  readonly output: TopOutput;
  readonly intervalMs: number;
  readonly sort: SortKey;
}

/** How the view ended: `q` (or Ctrl-C), or a signal from outside. */
export type TopExit = { readonly by: 'key' } | { readonly by: 'signal'; readonly signal: NodeJS.Signals };

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function runLiveTop(opts: LiveTopOptions): Promise<TopExit> {
  const { input, output } = opts;
  let sort = opts.sort;
  let frame: TopFrame | null = null;
  let problem: string | undefined;
  let restored = false;
  let timer: NodeJS.Timeout | undefined;

  const write = (s: string) => writeSync(output.fd, s);
  const size = (): ScreenSize => ({ columns: output.columns || 80, rows: output.rows || 24 });
  const draw = () => {
    const s = size();
    write(paint(frame === null ? [problem ?? 'reading…'] : renderTop(frame, sort, s, problem)));
  };
  const sample = () => {
    try {
      frame = opts.read();
      problem = undefined;
    } catch (e) {
      problem = `cannot read: ${safeText((e as Error).message)}`;
    }
    draw();
  };

  return new Promise<TopExit>((resolve, reject) => {
    // Synchronous writes throughout: the last one must reach the terminal even when the process is exiting.
    const restore = () => {
      if (restored) return;
      restored = true;
      clearInterval(timer);
      input.off('data', onData);
      output.off('resize', onResize);
      for (const s of SIGNALS) process.off(s, onSignal);
      process.off('exit', restore);
      try {
        input.setRawMode(false);
        input.pause();
      } finally {
        write(LEAVE);
      }
    };
    const end = (result: TopExit | Error) => {
      try {
        restore();
      } catch (e) {
        reject(e);
        return;
      }
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    /** Every callback runs guarded: an exception anywhere ends the view with the terminal restored. */
    const guarded =
      <A extends unknown[]>(f: (...args: A) => void) =>
      (...args: A) => {
        try {
          f(...args);
        } catch (e) {
          end(e instanceof Error ? e : new Error(String(e)));
        }
      };
    const onData = guarded((data: string) => {
      const cmd = commandForInput(data);
      if (cmd?.kind === 'quit') end({ by: 'key' });
      else if (cmd?.kind === 'sort' && cmd.key !== sort) {
        sort = cmd.key;
        draw();
      }
    });
    const onResize = guarded(draw);
    const onSignal = (signal: NodeJS.Signals) => end({ by: 'signal', signal });

    // The last resort: a process.exit() from anywhere still leaves the terminal usable.
    process.on('exit', restore);
    for (const s of SIGNALS) process.on(s, onSignal);
    guarded(() => {
      write(ENTER);
      input.setRawMode(true);
      input.setEncoding('utf8');
      input.on('data', onData);
      input.resume();
      output.on('resize', onResize);
      sample();
      timer = setInterval(guarded(sample), opts.intervalMs);
    })();
  });
}
