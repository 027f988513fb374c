// Running as root, oomguard refuses a configuration file or hook that someone else could change: owned by
// another user, writable by group or others, or in a directory they could write to. Each refusal names the
// file, its role and the reason.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { checkTrustedFile, fileTrustProblem } from '../../src/host/file-trust.js';

const asRoot = process.geteuid?.() === 0;
const base = mkdtempSync(join(tmpdir(), 'oomguard-trust-'));
after(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
/** A fresh root-owned 0755 directory with one file of the given mode. */
function file(mode: number, content = '', dirMode = 0o755): { dir: string; path: string } {
  const dir = join(base, `d${++n}`);
  mkdirSync(dir);
  chmodSync(dir, dirMode);
  const path = join(dir, 'f');
  writeFileSync(path, content);
  chmodSync(path, mode);
  return { dir, path };
}

describe('fileTrustProblem', { skip: asRoot ? false : 'needs root to chown' }, () => {
  test('root-owned, 0644, in root-owned 0755 directories: trusted', () => {
    assert.equal(fileTrustProblem(file(0o644).path, 0), null);
  });

  test('writable by its group or by everyone', () => {
    assert.equal(fileTrustProblem(file(0o664).path, 0), 'it is writable by its group (gid 0)');
    assert.equal(fileTrustProblem(file(0o646).path, 0), 'it is writable by every user');
  });

  test('owned by another user', () => {
    const { path } = file(0o644);
    chownSync(path, 4321, 4321);
    assert.equal(fileTrustProblem(path, 0), 'it is owned by uid 4321, not by root');
  });

  test('in a directory another user owns or everyone may write', () => {
    const a = file(0o644);
    chownSync(a.dir, 4321, 0);
    assert.equal(fileTrustProblem(a.path, 0), `its directory ${a.dir} is owned by uid 4321, not by root`);
    const b = file(0o644, '', 0o777);
    assert.equal(fileTrustProblem(b.path, 0), `its directory ${b.dir} is writable by every user`);
  });

  test('a root-owned sticky directory (as /tmp) is fine: others cannot replace what they do not own', () => {
    assert.equal(fileTrustProblem(file(0o644, '', 0o1777).path, 0), null);
  });

  test('a symbolic link is judged by what it points to', () => {
    const bad = file(0o666);
    const link = join(file(0o644).dir, 'link');
    symlinkSync(bad.path, link);
    assert.equal(fileTrustProblem(link, 0), 'it is writable by every user');
  });

  test('a file that is not there', () => {
    assert.equal(fileTrustProblem(join(base, 'missing'), 0), 'no such file');
  });
});

describe('oomguard run loads only trusted files', { skip: asRoot ? false : 'needs root' }, () => {
  const flags = { configFile: null, checkConfig: false, help: false, layer: {} };

  test('a configuration file writable by others is refused', () => {
    const { path } = file(0o666, '[memory]\nterm_percent = 10\n');
    assert.throws(() => loadConfig({ file: path, flags, checkFile: checkTrustedFile }), {
      name: 'UsageError',
      message: `${path}: refusing the configuration file: it is writable by every user; oomguard runs as root, so only root may be able to change it`,
    });
    // Without the check (other commands, tests) the same file loads.
    assert.equal(loadConfig({ file: path, flags }).memory.term.percent, 10);
  });

  test('a hook owned by another user is refused, and a missing hook is named', () => {
    const hook = file(0o755, '#!/bin/sh\n');
    chownSync(hook.path, 4321, 4321);
    const config = file(0o644, `[hooks.pre_kill]\npath = "${hook.path}"\n`);
    assert.throws(() => loadConfig({ file: config.path, flags, checkFile: checkTrustedFile }), {
      name: 'UsageError',
      message: `${hook.path}: refusing the pre-kill hook: it is owned by uid 4321, not by root; oomguard runs as root, so only root may be able to change it`,
    });
    const missing = join(base, 'no-such-hook');
    assert.throws(
      () =>
        loadConfig({
          flags: { ...flags, layer: { postKillHook: { path: missing, args: [] } } },
          checkFile: checkTrustedFile,
        }),
      { name: 'UsageError', message: `${missing}: the post-kill hook does not exist` },
    );
  });

  test('a root-owned 0644 configuration and 0755 hook load', () => {
    const hook = file(0o755, '#!/bin/sh\n');
    const config = file(0o644, `[hooks.post_kill]\npath = "${hook.path}"\n`);
    assert.equal(
      loadConfig({ file: config.path, flags, checkFile: checkTrustedFile }).postKillHook?.path,
      hook.path,
    );
  });
});
