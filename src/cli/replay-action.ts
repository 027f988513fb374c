// oomguard replay, run: decode the trace, replay it through each policy, print what each would have done.
import { readFileSync } from 'node:fs';
import { UsageError } from '../model/errors.js';
import { replayTrace } from '../sim/replay.js';
import { parsePolicy } from '../sim/runner.js';
import { decodeTrace } from '../sim/trace.js';
import { formatDuration, formatT } from '../sim/units.js';
import { writeJson } from './context.js';
import type { ReplayOptions } from './replay.js';

export async function replay(file: string, opts: ReplayOptions): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the trace: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const snaps = decodeTrace(file, text);
  const policies = (opts.policy.length > 0 ? opts.policy : ['kernel', 'earlyoom']).map(parsePolicy);
  const runs = [];
  for (const p of policies) runs.push(await replayTrace(snaps, p));
  const span = snaps.length > 1 ? (snaps[snaps.length - 1]?.timeMs ?? 0) - (snaps[0]?.timeMs ?? 0) : 0;
  if (opts.json) {
    writeJson({
      snapshots: snaps.length,
      spanMs: span,
      policies: runs.map((r) => ({ policy: r.policy, events: r.decisions })),
    });
    return;
  }
  const out = [`Trace ${file}: ${snaps.length} snapshots over ${formatDuration(Math.round(span))}`, ''];
  for (const r of runs) {
    out.push(`Policy ${r.policy}`);
    if (r.decisions.length === 0) out.push('  would have done nothing');
    for (const d of r.decisions) {
      const who = d.pid === null ? (d.name ?? d.cgroup ?? '') : `pid ${d.pid} (${d.name})`;
      out.push(`  ${formatT(Math.round(d.t)).padEnd(12)} ${d.type.padEnd(7)} ${who}: ${d.reason}`);
    }
    out.push('');
  }
  process.stdout.write(`${out.join('\n')}`);
}
