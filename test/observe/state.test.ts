// The live picture: memory of the watched scope against its levels, the next victims, kills, the series.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { NoSuchProcessError } from '../../src/model/errors.js';
import { EventBus } from '../../src/observe/events.js';
import { type EventView, LiveState, type StateSettings } from '../../src/observe/state.js';
import { FakeHost } from '../helpers/fake-host.js';
import { GIB, MIB } from '../helpers/snapshot-builder.js';

function world(settings: Partial<StateSettings> = {}, opts: { seriesPoints?: number } = {}) {
  let now = 1_700_000_000_000;
  const host = new FakeHost({ now: () => now, memTotal: 16 * GIB, memAvailable: 4 * GIB });
  host.add({ pid: 100, comm: 'web', anonPages: 1000 });
  host.add({ pid: 200, comm: 'db\x1b[31m', anonPages: 3000 });
  host.add({ pid: 300, comm: 'tiny', anonPages: 10 });
  host.add({ pid: 400, comm: 'shielded', anonPages: 9000, oomScoreAdj: -1000 });
  const bus = new EventBus();
  const state = new LiveState({
    host,
    bus,
    settings: { ...DEFAULT_CONFIG, ...settings },
    now: () => now,
    users: new Map([[1000, 'alice']]),
    ...opts,
  });
  return {
    host,
    bus,
    state,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('LiveState', () => {
  test('memory of the system against the default levels (10 % and 5 % of MemTotal)', () => {
    const { state } = world();
    state.tick();
    const v = state.view();
    assert.deepEqual(v.memory, {
      scope: '/',
      availableBytes: 4 * GIB,
      sizeBytes: 16 * GIB,
      swapFreeBytes: 0,
      swapSizeBytes: 0,
      // trunc(10 × 17179869184 / 100) and trunc(5 × 17179869184 / 100)
      termBytes: 1717986918,
      killBytes: 858993459,
      source: 'MemAvailable of MemTotal',
    });
    assert.equal(v.level, 'ok');
    assert.equal(v.scope, '/');
    assert.equal(v.ranker, 'kernel');
  });

  test('the level follows available memory: 1 GiB is below 10 %, 512 MiB below 5 %', () => {
    const { host, state } = world();
    host.setMemAvailable(1 * GIB);
    state.tick();
    assert.equal(state.view().level, 'term');
    host.setMemAvailable(512 * MIB);
    state.tick();
    assert.equal(state.view().level, 'kill');
  });

  test("a daemon's trigger raises the level for two seconds", () => {
    const { bus, state, advance } = world();
    state.tick();
    bus.emit({
      event: 'trigger',
      level: 'warning',
      message: 'PSI some avg10 40 > 20',
      fields: { memoryLevel: 'kill' },
    });
    assert.equal(state.view().level, 'kill');
    assert.equal(state.view().levelReason, 'PSI some avg10 40 > 20');
    advance(2000);
    assert.equal(state.view().level, 'kill');
    advance(1);
    assert.equal(state.view().level, 'ok');
  });

  test('the next victims in kernel order, killable only, names escaped, users named', () => {
    const { state } = world();
    const v = state.view();
    assert.deepEqual(
      v.candidates.map((c) => [c.position, c.pid, c.comm, c.badness, c.user]),
      [
        [1, 200, 'db\\x1b[31m', 3000, 'alice'],
        [2, 100, 'web', 1000, 'alice'],
        [3, 300, 'tiny', 10, 'alice'],
      ],
    );
    assert.equal(v.killableCount, 3);
    // T = 16 GiB / 4 KiB = 4194304 pages; trunc(3000 × 1000 / T) = 0; trunc((1000 + 0) × 2 / 3) = 666.
    assert.equal(v.candidates[0]?.oomScore, 666);
  });

  test('a watched cgroup: limit minus working set, levels as shares of the limit', () => {
    const { host, state } = world({ scopeCgroup: '/job' });
    host.addCgroup('/job', { limit: 100 * MIB, usage: 60 * MIB, stat: { inactive_file: 10 * MIB } });
    state.tick();
    const m = state.view().memory;
    assert.equal(m?.scope, '/job');
    assert.equal(m?.availableBytes, 50 * MIB);
    assert.equal(m?.sizeBytes, 100 * MIB);
    assert.equal(m?.termBytes, 10485760);
    assert.equal(m?.killBytes, 5242880);
    // None of the processes is in /job.
    assert.deepEqual(state.view().candidates, []);
  });

  test('a watched cgroup that goes away: the error is shown, the last figures kept', () => {
    const { host, state, advance } = world({ scopeCgroup: '/job' });
    host.addCgroup('/job', { limit: 100 * MIB, usage: 60 * MIB });
    state.tick();
    host.removeCgroup('/job');
    advance(1000);
    state.tick();
    const v = state.view();
    assert.match(v.error ?? '', /^cannot read memory: .*\/job/);
    assert.equal(v.memory?.availableBytes, 40 * MIB);
  });

  test('kills come from the daemon events, escaped, and listeners hear them at once', () => {
    const { bus, state, now } = world();
    const heard: EventView[] = [];
    state.onEvent((e) => heard.push(e));
    bus.emit({
      event: 'signal',
      level: 'notice',
      message: 'sent SIGTERM to pid 7 (a\nb)',
      fields: {
        pid: 7,
        comm: 'a\nb',
        signal: 'SIGTERM',
        unit: 'process',
        reason: 'low',
        rssBytes: 5,
        dryRun: false,
      },
    });
    bus.emit({ event: 'cooldown', level: 'debug', message: 'quiet' });
    const kill = {
      timeMs: now(),
      event: 'signal',
      pid: 7,
      comm: 'a\\nb',
      signal: 'SIGTERM',
      unit: 'process',
      reason: 'low',
      rssBytes: 5,
      dryRun: false,
      message: 'sent SIGTERM to pid 7 (a\\nb)',
    };
    assert.deepEqual(state.view().kills, [kill]);
    assert.deepEqual(
      heard.map((e) => [e.event, e.kill]),
      [
        ['signal', kill],
        ['cooldown', null],
      ],
    );
  });

  test('kills recorded on disk are shown with those of the bus, oldest first', () => {
    let now = 2_000_000;
    const host = new FakeHost({ now: () => now });
    const bus = new EventBus();
    const state = new LiveState({
      host,
      bus,
      settings: DEFAULT_CONFIG,
      now: () => now,
      recordedKills: () => [
        { time: '1970-01-01T00:00:01.000Z', event: 'exit', message: 'gone', fields: { pid: 3, comm: 'old' } },
        { time: 'not a time', event: 'exit', message: 'torn', fields: {} },
        { time: '1970-01-01T00:00:00.500Z', event: 'hook', message: 'not a kill', fields: {} },
      ],
    });
    now = 3_000_000;
    bus.emit({ event: 'exit', level: 'notice', message: 'new', fields: { pid: 4, comm: 'new' } });
    assert.deepEqual(
      state.view().kills.map((k) => [k.timeMs, k.pid, k.comm]),
      [
        [1000, 3, 'old'],
        [3_000_000, 4, 'new'],
      ],
    );
  });

  test('the series keeps the newest points, times in seconds', () => {
    const { host, state, advance, now } = world({}, { seriesPoints: 3 });
    for (let i = 1; i <= 5; i++) {
      host.setMemAvailable(i * GIB);
      host.setMemoryPsi(i, i / 2);
      state.tick();
      advance(1000);
    }
    const pts = state.points();
    assert.deepEqual(
      pts.map((p) => [p.t, p.memAvailableBytes, p.psiSome, p.psiFull]),
      [
        [(now() - 3000) / 1000, 3 * GIB, 3, 1.5],
        [(now() - 2000) / 1000, 4 * GIB, 4, 2],
        [(now() - 1000) / 1000, 5 * GIB, 5, 2.5],
      ],
    );
    assert.deepEqual(state.view().point, pts[2]);
  });

  test('update listeners get the view at each tick; nothing is ranked for nobody', () => {
    const { host, state } = world();
    state.tick();
    const rankedReads = () => host.samples.filter((s) => s.processes !== false).length;
    assert.equal(rankedReads(), 0);
    const seen: number[] = [];
    const off = state.onUpdate((v) => seen.push(v.candidates.length));
    state.tick();
    off();
    state.tick();
    assert.deepEqual(seen, [3]);
    assert.equal(rankedReads(), 1);
  });

  test('explain: the structured explanation and its text, names escaped', () => {
    const { state } = world();
    const e = state.explain(200);
    assert.equal(e.explanation.candidate.comm, 'db\\x1b[31m');
    assert.equal(e.explanation.candidate.position, 1);
    assert.equal(e.explanation.behind?.pid, 100);
    assert.match(e.text, /^pid 200 \(db\\x1b\[31m\), uid 1000/);
    assert.ok(!e.text.includes('\x1b'));
    assert.throws(() => state.explain(999), NoSuchProcessError);
  });
});
