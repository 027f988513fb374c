// record → replay on this machine's own trace: snapshots of the live machine go to a trace file and come
// back as the same snapshots; a policy replayed on them names the process the trace says it must.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from '@commander-js/extra-typings';
import { registerRecord } from '../../src/cli/record.js';
import { registerReplay } from '../../src/cli/replay.js';
import { decodeTrace } from '../../src/sim/trace.js';
import { memcgUnavailableReason, Sandbox } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'oomguard-trace-'));

/** Runs one command of a program holding record and replay; returns what it printed. */
async function cli(args: string[]): Promise<string> {
  const program = new Command().option('--root <dir>', 'root', '/').exitOverride();
  registerRecord(program);
  registerReplay(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('record and replay on this machine', { skip: memcgUnavailableReason() ?? false }, () => {
  const sandbox = new Sandbox();
  after(() => sandbox.cleanup());

  test('a hog recorded live is the one oomguard would have chosen on the replay', async () => {
    const hog = await sandbox.startHog({ cgroup: null, adj: 1000, sizeMiB: 64, name: 'og-rec-hog' });
    const trace = join(dir, 'live.trace');
    await cli(['record', '--interval', '100', '--count', '3', '--out', trace]);
    // Append-only: a second recording adds to the same file.
    await cli(['record', '--interval', '100', '--count', '1', '--out', trace]);
    const text = readFileSync(trace, 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 1 + 4, 'a header and four snapshots');
    const snaps = decodeTrace(trace, text);
    assert.equal(snaps.length, 4);
    for (let i = 1; i < snaps.length; i++) assert.ok((snaps[i]?.timeMs ?? 0) > (snaps[i - 1]?.timeMs ?? 0));
    const seen = snaps[0]?.processes.find((p) => p.pid === hog.pid);
    assert.equal(seen?.comm, 'og-rec-hog');
    assert.equal(seen?.oomScoreAdj, 1000);
    assert.ok((seen?.rssAnon ?? 0) >= 64 * MiB, String(seen?.rssAnon));
    assert.equal(typeof seen?.capEff, 'bigint');

    // A configuration that is always short of memory and may only pick the hog.
    const config = join(dir, 'always.toml');
    writeFileSync(
      config,
      '[memory]\nterm_percent = 99.9\nkill_percent = 0.1\n\n[[rules]]\naction = "ignore"\ncomm = "^(?!og-rec-hog$)"\n',
    );
    const json = JSON.parse(await cli(['replay', trace, '--json', '--policy', `oomguard:${config}`])) as {
      snapshots: number;
      policies: {
        policy: string;
        events: { t: number; type: string; pid: number; name: string; by: string }[];
      }[];
    };
    assert.equal(json.snapshots, 4);
    const first = json.policies[0]?.events[0];
    assert.equal(first?.type, 'signal');
    assert.equal(first?.pid, hog.pid);
    assert.equal(first?.name, 'og-rec-hog');
    assert.equal(first?.by, 'oomguard');
    assert.equal(first?.t, 0);
    const text2 = await cli(['replay', trace, '--policy', 'kernel']);
    assert.match(text2, /^Trace .*: 4 snapshots over /);
  });

  test('a trace that is not one is refused with its line', () => {
    const bad = join(dir, 'bad.trace');
    writeFileSync(bad, 'hello\n');
    assert.throws(() => decodeTrace(bad, readFileSync(bad, 'utf8')), /line 1: not an oomguard trace/);
  });
});
