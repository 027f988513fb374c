import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcCgroup } from '../../../../src/host/linux/parse/proc-cgroup.js';

test('hybrid host: the v1 memory line wins over the unified one', () => {
  const text =
    '9:name=systemd:/\n8:pids:/\n4:memory:/process_api/beab4f1787ef5c4d6c60e47dfaf306bf\n1:cpu:/\n0::/user.slice\n';
  assert.equal(parseProcCgroup(text), '/process_api/beab4f1787ef5c4d6c60e47dfaf306bf');
});

test('memory co-mounted with other controllers', () => {
  assert.equal(parseProcCgroup('5:pids:/\n4:cpu,memory:/x\n0::/\n'), '/x');
});

test('pure v2: the 0:: line', () => {
  assert.equal(parseProcCgroup('0::/system.slice/ssh.service\n'), '/system.slice/ssh.service');
});

test('a named hierarchy containing "memory" in its name is not the memory controller', () => {
  assert.equal(parseProcCgroup('1:name=memory:/n\n0::/u\n'), '/u');
});

test('paths may contain colons', () => {
  assert.equal(parseProcCgroup('4:memory:/a:b\n'), '/a:b');
});

test('no memory and no unified line: null', () => {
  assert.equal(parseProcCgroup('3:cpu:/\n'), null);
  assert.equal(parseProcCgroup(''), null);
});
