// The README's first command, minus `npm ci` (the test command has just run it): `npm start -- --dry-run`
// builds oomguard and starts the daemon with its built-in defaults, watching the whole machine in dry run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/cli.js';

test("the README's main command builds and starts the daemon with built-in defaults", async () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  assert.match(readme, /^```sh\nnpm ci && npm start -- --dry-run /m, 'the README opens with this command');

  // Its own process group, so the test can stop npm and the daemon under it together.
  const child = spawn('npm', ['start', '--', '--dry-run'], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  // 'close', not 'exit': npm may exit before the daemon it started has written its last line to our pipe.
  const exited = new Promise<number | null>((res) => child.once('close', (code) => res(code)));
  try {
    const deadline = Date.now() + 120000;
    // The start line, then the first memory report (the default interval is an hour, counted from the first look).
    while (!/info +report: memory available /.test(out) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(
      out,
      /notice +start: watching the system: SIGTERM at 10 % memory and 10 % swap available, SIGKILL at 5 % and 5 %; ranker kernel, unit process; dry run: no signal will be sent/,
      `stdout:\n${out}\nstderr:\n${err}`,
    );
    assert.match(out, /info +report: memory available /);
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }
  await exited;
  assert.match(out, /notice +stop: stopped/, 'SIGTERM stops the daemon cleanly');
});
