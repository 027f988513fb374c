// The live loop with a fake terminal: every way out writes the sequence that shows the cursor and leaves the
// alternate screen, and takes raw mode off again.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLiveTop, type TopInput, type TopOutput } from '../../src/observe/top/live.js';
import type { TopFrame } from '../../src/observe/top/render.js';

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

class FakeInput extends EventEmitter implements TopInput {
  readonly rawModes: boolean[] = [];
  paused = false;
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
  }
  setEncoding() {}
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  type(s: string) {
    this.emit('data', s);
  }
}

function fakeTerminal(t: import('node:test').TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-top-'));
  const file = join(dir, 'screen');
  const fd = openSync(file, 'w');
  t.after(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const emitter = new EventEmitter();
  const output: TopOutput = {
    fd,
    columns: 100,
    rows: 30,
    on: (e, l) => emitter.on(e, l),
    off: (e, l) => emitter.off(e, l),
  };
  return { input: new FakeInput(), output, written: () => readFileSync(file, 'utf8'), emitter };
}

/** A frame whose ranking cannot be read: drawing it throws, as a bug in the view would. */
function brokenFrame(): TopFrame {
  return {
    get ranking(): never {
      throw new Error('render bug');
    },
  } as unknown as TopFrame;
}

const unreadable = () => {
  throw new Error('no /proc here');
};

test('q quits: the screen is entered once and left once, raw mode on then off', async (t) => {
  const term = fakeTerminal(t);
  const done = runLiveTop({ read: unreadable, ...term, intervalMs: 10_000, sort: 'score' });
  term.input.type('q');
  assert.deepEqual(await done, { by: 'key' });
  const out = term.written();
  assert.ok(out.startsWith(ENTER), JSON.stringify(out.slice(0, 20)));
  assert.ok(out.endsWith(LEAVE));
  assert.equal(out.split(LEAVE).length, 2, 'LEAVE written exactly once');
  assert.deepEqual(term.input.rawModes, [true, false]);
  assert.equal(term.input.paused, true);
  assert.equal(term.input.listenerCount('data'), 0);
  assert.equal(term.emitter.listenerCount('resize'), 0);
});

test('a read that fails is shown on the screen and the view carries on', async (t) => {
  const term = fakeTerminal(t);
  const done = runLiveTop({ read: unreadable, ...term, intervalMs: 10_000, sort: 'score' });
  term.input.type('\u0003');
  await done;
  assert.match(term.written(), /cannot read: no \/proc here/);
});

test('SIGTERM restores the terminal and reports the signal', async (t) => {
  const term = fakeTerminal(t);
  const before = process.listenerCount('SIGTERM');
  const done = runLiveTop({ read: unreadable, ...term, intervalMs: 10_000, sort: 'score' });
  assert.equal(process.listenerCount('SIGTERM'), before + 1);
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(await done, { by: 'signal', signal: 'SIGTERM' });
  assert.ok(term.written().endsWith(LEAVE));
  assert.deepEqual(term.input.rawModes, [true, false]);
  assert.equal(process.listenerCount('SIGTERM'), before);
});

test('an exception while drawing ends the view with the terminal restored', async (t) => {
  const term = fakeTerminal(t);
  const exitListeners = process.listenerCount('exit');
  const done = runLiveTop({ read: brokenFrame, ...term, intervalMs: 10_000, sort: 'score' });
  await assert.rejects(done, /render bug/);
  assert.ok(term.written().endsWith(LEAVE));
  assert.deepEqual(term.input.rawModes, [true, false]);
  assert.equal(process.listenerCount('exit'), exitListeners);
});
