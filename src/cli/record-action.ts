// oomguard record, run: sample every interval and append to the trace until a count, a duration or a signal.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../model/errors.js';
import { decodeTrace, encodeSnapshot, traceHeaderLine } from '../sim/trace.js';
import { parseSimTime } from '../sim/units.js';
import { globalOptions, type HasGlobals, openHost, parsePositiveInt } from './context.js';
import type { RecordOptions } from './record.js';

export async function record(opts: RecordOptions, cmd: HasGlobals): Promise<void> {
  const interval = parsePositiveInt('--interval', opts.interval);
  const count = opts.count === undefined ? null : parsePositiveInt('--count', opts.count);
  const duration = opts.duration === undefined ? null : parseSimTime(opts.duration);
  if (opts.duration !== undefined && (duration === null || duration === 0)) {
    throw new UsageError(`--duration: expected a time such as 30s or 5min, got "${opts.duration}"`);
  }
  prepare(opts.out);
  const host = openHost(globalOptions(cmd));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  try {
    for (let n = 0; !stop.signal.aborted; n++) {
      if (count !== null && n >= count) break;
      if (duration !== null && performance.now() - started >= duration) break;
      const snap = host.sample({ processes: true, cgroupSubtree: '/' });
      appendFileSync(opts.out, encodeSnapshot(snap));
      if (count !== null && n + 1 >= count) break;
      await sleep(interval, stop.signal);
    }
  } finally {
    host.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A new file gets the header; an existing one must be a trace, and is appended to. */
function prepare(file: string): void {
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0) {
      decodeTrace(file, text.slice(0, text.indexOf('\n') + 1 || undefined));
      return;
    }
  }
  try {
    appendFileSync(file, traceHeaderLine());
  } catch (e) {
    throw new UsageError(
      `${file}: cannot write the trace: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
