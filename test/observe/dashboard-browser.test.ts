// The dashboard in a real headless browser (Debian's chromium driven by playwright-core), fed by a real daemon
// watching a memory cgroup oomguard-test-* of this test's own hogs: the page loads cleanly, the charts draw,
// the victims fill the table, and a kill the daemon makes shows up live, on the page and in /metrics.
// Every request stays on 127.0.0.1; a screenshot is left in test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { parseRunArgs } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import { realClock } from '../../src/daemon/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { runHook } from '../../src/host/hook-runner.js';
import { LinuxActions } from '../../src/host/linux/linux-actions.js';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { EventBus } from '../../src/observe/events.js';
import { type AttachedServer, attachServer } from '../../src/observe/server.js';
import { REPO } from '../helpers/cli.js';
import { type Hog, memcgUnavailableReason, Sandbox, type TestCgroup } from '../helpers/sandbox.js';
import { metricValue, promtoolCheck, promtoolMissing } from './promtool.js';

const CHROMIUM = '/usr/bin/chromium';
const MiB = 1024 * 1024;
const skip = existsSync(CHROMIUM)
  ? memcgUnavailableReason()
  : `${CHROMIUM} is missing (Debian package chromium: apt-get install -y chromium)`;
const ARTIFACTS = join(REPO, 'test-artifacts');

function alive(h: Hog): boolean {
  return h.child.exitCode === null && h.child.signalCode === null;
}

/** Pixels of the memory chart's canvas that are strongly red (kill markers, the SIGKILL level line). */
function redPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector('#chart-memory canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if ((data[i] as number) > 150 && (data[i + 1] as number) < 80 && (data[i + 2] as number) < 80) n++;
    }
    return n;
  });
}

describe('the dashboard in a browser, with a sandboxed daemon', { skip: skip ?? false }, () => {
  const sandbox = new Sandbox();
  const stop = new AbortController();
  const bus = new EventBus();
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  let host: LinuxHost;
  let server: AttachedServer;
  let running: Promise<void> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let a: Hog;
  let b: Hog;
  let cg: TestCgroup;
  const scrapes: string[] = [];
  const events: string[] = [];

  before(async () => {
    cg = sandbox.createMemcg('dashboard', 256 * MiB);
    bus.subscribe((e) => events.push(`${e.event}: ${e.message}`));
    a = await sandbox.startHog({ cgroup: cg, sizeMiB: 40, name: 'static-a' });
    b = await sandbox.startHog({ cgroup: cg, sizeMiB: 30, name: 'static-b' });
    const config = loadConfig({ flags: parseRunArgs(['--cgroup', cg.path, '-m', '20,10']) });
    host = new LinuxHost();
    const daemon = new Daemon({
      host,
      actions: new LinuxActions(),
      clock: realClock,
      emit: (e) => bus.emit(e),
      config,
      runHook,
      users: new Map(),
    });
    server = await attachServer({ host, config, bus, listen: '127.0.0.1:0' });
    running = daemon.run(stop.signal);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    // Anything not for oomguard's own server is recorded and never leaves the machine.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.url)) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    stop.abort();
    await running;
    await server?.close();
    await sandbox.cleanup();
    host?.close();
  });

  test('the page loads with no console error, and asks nothing of anyone but oomguard', async () => {
    await page.waitForSelector('#connection.live', { timeout: 10_000 });
    assert.equal(await page.title(), 'oomguard');
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
    assert.equal(await page.textContent('#scope'), `scope ${cg.path} · ranker kernel`);
    assert.equal(await page.textContent('#level'), 'memory OK');
  });

  test('the charts draw: canvases of non-zero size with something painted on them', async () => {
    // Two updates from the stream: lines need two points.
    await page.waitForFunction(() => document.querySelector('#chart-memory .u-legend') !== null);
    await new Promise((r) => setTimeout(r, 2500));
    for (const id of ['#chart-memory', '#chart-pressure']) {
      const size = await page.$eval(`${id} canvas`, (c) => {
        const canvas = c as HTMLCanvasElement;
        const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
          0,
          0,
          canvas.width,
          canvas.height,
        ).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) painted++;
        return { width: canvas.width, height: canvas.height, painted };
      });
      assert.ok(size.width > 100 && size.height > 100, `${id}: ${JSON.stringify(size)}`);
      assert.ok(size.painted > 500, `${id}: ${size.painted} pixels painted`);
    }
  });

  test("the candidate table fills with the cgroup's processes in kill order; a click explains one", async () => {
    await page.waitForFunction(() => document.querySelectorAll('#candidates tbody tr').length >= 2);
    const rows = await page.$$eval('#candidates tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
    );
    assert.deepEqual(rows, [
      ['1', String(a.pid), 'static-a'],
      ['2', String(b.pid), 'static-b'],
    ]);
    await page.click(`#candidates tbody tr[data-pid="${b.pid}"]`);
    await page.waitForFunction(() => document.querySelector('#explanation')?.textContent?.startsWith('pid '));
    const text = (await page.textContent('#explanation')) ?? '';
    assert.match(text, new RegExp(`^pid ${b.pid} \\(static-b\\), uid 0, cgroup ${cg.path}`));
    assert.match(text, /#2 of 2 killable/);
    assert.match(text, new RegExp(`ahead: {2}#1 pid ${a.pid} \\(static-a\\)`));
  });

  test('a kill by the daemon appears in the history without a reload; /metrics counters move', async () => {
    const metricsBefore = await (await fetch(`${server.url}metrics`)).text();
    scrapes.push(metricsBefore);
    assert.equal(
      metricValue(metricsBefore, 'oomguard_kills_total{signal="SIGTERM",unit="process"}'),
      undefined,
    );
    assert.equal(await page.isVisible('#no-kills'), true);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const redBefore = await redPixels(page);
    // Stops at about 210 MiB of the 256 MiB limit: below the 20 % SIGTERM level, above the 10 % SIGKILL level and
    // clear of the kernel's OOM killer, so the daemon's SIGTERM comes however slowly a loaded machine runs it.
    const g = await sandbox.startHog({
      cgroup: cg,
      sizeMiB: 10,
      pushMiB: 130,
      rateMiBPerSec: 40,
      growNow: true,
      name: 'grower',
    });
    try {
      await page.waitForFunction(
        (pid) =>
          [...document.querySelectorAll('#kills tbody tr')].some(
            (tr) => tr.textContent?.includes(`sent SIGTERM${pid}grower`) === true,
          ),
        g.pid,
        { timeout: 60_000 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; daemon events:\n${events.join('\n')}`);
    }
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#kills tbody tr td:nth-child(2)')].some(
          (td) => td.textContent === 'exited',
        ),
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
      true,
      'the page was not reloaded',
    );
    assert.equal(await page.isVisible('#no-kills'), false);
    const kills = await page.$$eval('#kills tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 6).map((td) => td.textContent)),
    );
    assert.deepEqual(kills, [
      ['exited', String(g.pid), 'grower', 'SIGTERM', ''],
      ['sent SIGTERM', String(g.pid), 'grower', 'SIGTERM', 'process'],
    ]);
    // The kill marker: a red vertical line across the memory chart.
    await new Promise((r) => setTimeout(r, 1200));
    const redAfter = await redPixels(page);
    assert.ok(redAfter - redBefore > 100, `red pixels ${redBefore} → ${redAfter}`);

    const metricsAfter = await (await fetch(`${server.url}metrics`)).text();
    scrapes.push(metricsAfter);
    assert.equal(metricValue(metricsAfter, 'oomguard_kills_total{signal="SIGTERM",unit="process"}'), 1);
    assert.equal(metricValue(metricsAfter, 'oomguard_victim_exit_seconds_count'), 1);
    assert.equal(metricValue(metricsAfter, 'oomguard_selection_duration_seconds_count'), 1);
    assert.equal(metricValue(metricsAfter, 'oomguard_events_total{event="signal"}'), 1);
    assert.equal(await g.exit(), 'SIGTERM');
    assert.ok(alive(a) && alive(b), 'the static processes live');
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  test('promtool check metrics accepts the live scrapes before and after the kill', {
    skip: promtoolMissing() ?? false,
  }, () => {
    assert.equal(scrapes.length, 2, 'both scrapes were taken');
    for (const text of scrapes) {
      const r = promtoolCheck(text);
      assert.equal(r.status, 0, r.output);
    }
  });
});
