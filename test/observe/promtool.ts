// promtool (Debian package prometheus) for the tests that check an exposition with it.
import { spawnSync } from 'node:child_process';

/** Why promtool cannot be used here, or null when it can. */
export function promtoolMissing(): string | null {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.error ? 'promtool is not installed (Debian package prometheus)' : null;
}

/** `promtool check metrics` on an exposition: exit status and everything it said. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The value of one exposition line, by its name and labels exactly as printed. */
export function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
