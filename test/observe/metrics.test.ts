// /metrics: the live figures read at scrape time, the daemon's events counted as they happen, the exposition
// accepted by promtool.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EventBus } from '../../src/observe/events.js';
import { type MetricsSample, OomguardMetrics } from '../../src/observe/metrics.js';
import type { CandidateView } from '../../src/observe/state.js';
import { promtoolCheck, promtoolMissing, metricValue as value } from './promtool.js';

function candidate(position: number, pid: number, comm: string, oomScore: number): CandidateView {
  return {
    position,
    pid,
    comm,
    uid: 0,
    user: null,
    cgroup: '/',
    rssBytes: pid * 1000,
    swapBytes: 7,
    oomScoreAdj: 0,
    badness: 1,
    oomScore,
    key: 1,
    tied: false,
  };
}

function sample(over: Partial<MetricsSample> = {}): MetricsSample {
  const line = (a: number) => ({ avg10: a, avg60: a / 2, avg300: a / 4, totalUs: 2_500_000 });
  return {
    ranker: 'kernel',
    scope: '/job',
    level: 'term',
    memory: {
      scope: '/job',
      availableBytes: 1000,
      sizeBytes: 4000,
      swapFreeBytes: 10,
      swapSizeBytes: 20,
      termBytes: 400,
      killBytes: 200,
      source: 'x',
    },
    pressure: { memory: { some: line(12.5), full: line(5) }, io: null, cpu: { some: line(1), full: null } },
    kernelOomKills: 3,
    candidates: [
      candidate(1, 11, 'big "one"', 900),
      candidate(2, 22, 'back\\slash', 800),
      candidate(3, 33, 'third', 700),
    ],
    ...over,
  };
}

describe('OomguardMetrics', () => {
  test('the live figures in base units: bytes, ratios of 0-1, seconds, the level as 0/1/2', async () => {
    let s = sample();
    const m = new OomguardMetrics({ sample: () => s });
    const t = await m.scrape();
    assert.equal(value(t, 'oomguard_info{ranker="kernel",scope="/job"}'), 1);
    assert.equal(value(t, 'oomguard_memory_available_bytes'), 1000);
    assert.equal(value(t, 'oomguard_memory_size_bytes'), 4000);
    assert.equal(value(t, 'oomguard_swap_free_bytes'), 10);
    assert.equal(value(t, 'oomguard_swap_size_bytes'), 20);
    assert.equal(value(t, 'oomguard_memory_term_threshold_bytes'), 400);
    assert.equal(value(t, 'oomguard_memory_kill_threshold_bytes'), 200);
    assert.equal(value(t, 'oomguard_trigger_level'), 1);
    assert.equal(value(t, 'oomguard_pressure_ratio{resource="memory",kind="some",window="10s"}'), 0.125);
    assert.equal(value(t, 'oomguard_pressure_ratio{resource="memory",kind="some",window="60s"}'), 0.0625);
    assert.equal(value(t, 'oomguard_pressure_ratio{resource="memory",kind="full",window="300s"}'), 0.0125);
    assert.equal(value(t, 'oomguard_pressure_ratio{resource="cpu",kind="some",window="10s"}'), 0.01);
    assert.ok(!t.includes('resource="io"'), 'no series for a resource without PSI');
    assert.ok(!t.includes('resource="cpu",kind="full"'), 'no series for a missing full line');
    assert.equal(value(t, 'oomguard_pressure_stall_seconds_total{resource="memory",kind="some"}'), 2.5);
    assert.equal(value(t, 'oomguard_kernel_oom_kills_total'), 3);
    s = sample({ level: 'kill' });
    assert.equal(value(await m.scrape(), 'oomguard_trigger_level'), 2);
    s = sample({ level: 'ok' });
    assert.equal(value(await m.scrape(), 'oomguard_trigger_level'), 0);
  });

  test('kernel counters read at scrape time stay counters: they move by what the kernel added', async () => {
    let kills = 3;
    const m = new OomguardMetrics({ sample: () => sample({ kernelOomKills: kills }) });
    assert.equal(value(await m.scrape(), 'oomguard_kernel_oom_kills_total'), 3);
    kills = 5;
    assert.equal(value(await m.scrape(), 'oomguard_kernel_oom_kills_total'), 5);
    assert.equal(value(await m.scrape(), 'oomguard_kernel_oom_kills_total'), 5);
  });

  test('the next victims: only the first N, labels escaped, last scrape’s series gone', async () => {
    let s = sample();
    const m = new OomguardMetrics({ sample: () => s, candidates: 2 });
    const t = await m.scrape();
    assert.equal(value(t, 'oomguard_candidate_oom_score{position="1",pid="11",comm="big \\"one\\""}'), 900);
    assert.equal(value(t, 'oomguard_candidate_oom_score{position="2",pid="22",comm="back\\\\slash"}'), 800);
    assert.equal(
      value(t, 'oomguard_candidate_memory_bytes{position="1",pid="11",comm="big \\"one\\""}'),
      11007,
    );
    assert.ok(!t.includes('pid="33"'), 'the third is beyond N = 2');
    s = sample({ candidates: [candidate(1, 33, 'third', 700)] });
    const t2 = await m.scrape();
    assert.equal(value(t2, 'oomguard_candidate_oom_score{position="1",pid="33",comm="third"}'), 700);
    assert.ok(!t2.includes('pid="11"'), 'a process that left the top is not kept');
    assert.throws(() => new OomguardMetrics({ sample, candidates: 21 }), RangeError);
  });

  test('kills counted by signal and unit, once per victim; dry runs apart; every event by name', async () => {
    const bus = new EventBus();
    const m = new OomguardMetrics({ sample, bus });
    const signal = (fields: Record<string, unknown>) =>
      bus.emit({ event: 'signal', level: 'notice', message: 's', fields });
    signal({ pid: 1, signal: 'SIGTERM', unit: 'process', dryRun: false });
    signal({ pid: 1, signal: 'SIGKILL', unit: 'process', dryRun: false });
    signal({ pid: 2, signal: 'SIGKILL', unit: 'process-group', dryRun: false });
    // Another member of the same group kill: not a second kill.
    signal({ pid: 3, signal: 'SIGKILL', unit: 'process-group', dryRun: false, victim: 2 });
    signal({ pid: 4, signal: 'SIGTERM', unit: 'process', dryRun: true });
    bus.emit({ event: 'exit', level: 'notice', message: 'e', fields: { pid: 1, afterMs: 300 } });
    const t = await m.scrape();
    assert.equal(value(t, 'oomguard_kills_total{signal="SIGTERM",unit="process"}'), 1);
    assert.equal(value(t, 'oomguard_kills_total{signal="SIGKILL",unit="process"}'), 1);
    assert.equal(value(t, 'oomguard_kills_total{signal="SIGKILL",unit="process-group"}'), 1);
    assert.equal(value(t, 'oomguard_dry_run_kills_total{signal="SIGTERM",unit="process"}'), 1);
    assert.equal(value(t, 'oomguard_events_total{event="signal"}'), 5);
    assert.equal(value(t, 'oomguard_events_total{event="exit"}'), 1);
    assert.equal(value(t, 'oomguard_victim_exit_seconds_bucket{le="0.25"}'), 0);
    assert.equal(value(t, 'oomguard_victim_exit_seconds_bucket{le="0.5"}'), 1);
    assert.equal(value(t, 'oomguard_victim_exit_seconds_sum'), 0.3);
    m.close();
    signal({ pid: 5, signal: 'SIGTERM', unit: 'process', dryRun: false });
    assert.equal(
      value(await m.scrape(), 'oomguard_kills_total{signal="SIGTERM",unit="process"}'),
      1,
      'closed: no longer counting',
    );
  });

  test('selection duration: from the trigger to the choice, debug lines of the candidate table ignored', async () => {
    const bus = new EventBus();
    const m = new OomguardMetrics({ sample, bus });
    bus.emit({ event: 'trigger', level: 'warning', message: 't', fields: { level: 'term' } });
    await new Promise((r) => setTimeout(r, 30));
    bus.emit({ event: 'select', level: 'debug', message: 'candidate pid 1' });
    let t = await m.scrape();
    assert.equal(value(t, 'oomguard_selection_duration_seconds_count'), 0);
    bus.emit({ event: 'select', level: 'notice', message: 'chose pid 1', fields: { pid: 1 } });
    t = await m.scrape();
    assert.equal(value(t, 'oomguard_selection_duration_seconds_count'), 1);
    const sum = value(t, 'oomguard_selection_duration_seconds_sum') ?? 0;
    assert.ok(sum >= 0.029 && sum < 1, `selection took ${sum} s`);
    // A choice without a trigger before it is not timed.
    bus.emit({ event: 'select', level: 'notice', message: 'chose pid 2', fields: { pid: 2 } });
    assert.equal(value(await m.scrape(), 'oomguard_selection_duration_seconds_count'), 1);
  });

  test("the process's own RSS and CPU, as /proc/self tells them", async () => {
    const m = new OomguardMetrics({ sample });
    const t = await m.scrape();
    const rss = value(t, 'process_resident_memory_bytes') ?? 0;
    const vmRss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    assert.ok(Math.abs(rss - vmRss) < vmRss * 0.2, `RSS ${rss} vs VmRSS ${vmRss}`);
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 (index 11 and 12 after the comm), in USER_HZ = 100 ticks.
    const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
    const seconds = value(t, 'process_cpu_seconds_total') ?? -1;
    assert.ok(Math.abs(seconds - cpu) < 0.5, `CPU ${seconds} s vs /proc/self/stat ${cpu} s`);
  });

  test('promtool check metrics accepts the exposition', { skip: promtoolMissing() ?? false }, async () => {
    const bus = new EventBus();
    const m = new OomguardMetrics({ sample, bus });
    bus.emit({
      event: 'signal',
      level: 'notice',
      message: 's',
      fields: { signal: 'SIGTERM', unit: 'process' },
    });
    const r = promtoolCheck(await m.scrape());
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '');
  });
});
