import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupMounts } from '../../../../src/host/linux/parse/mounts.js';

test('this kind of machine: v1 controllers plus cgroup2 at unified is hybrid, memory on v1', () => {
  const text = `proc /proc proc rw,relatime 0 0
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`;
  assert.deepEqual(parseCgroupMounts(text), {
    layout: 'hybrid',
    v1Memory: '/sys/fs/cgroup/memory',
    cgroup2: '/sys/fs/cgroup/unified',
  });
});

test('pure v1, memory co-mounted with cpu', () => {
  const text =
    'cgroup /sys/fs/cgroup/cpu,memory cgroup rw,nosuid,cpu,memory 0 0\ncgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n';
  assert.deepEqual(parseCgroupMounts(text), {
    layout: 'v1',
    v1Memory: '/sys/fs/cgroup/cpu,memory',
    cgroup2: null,
  });
});

test('v1 without a memory hierarchy is still v1, with no memory mount', () => {
  assert.deepEqual(parseCgroupMounts('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n'), {
    layout: 'v1',
    v1Memory: null,
    cgroup2: null,
  });
});

test('a release_agent path mentioning memory does not make a hierarchy the memory one', () => {
  const text = 'cgroup /sys/fs/cgroup/systemd cgroup rw,release_agent=/memory,name=systemd 0 0\n';
  assert.equal(parseCgroupMounts(text).v1Memory, null);
});

test('pure v2; octal escapes in mount points are decoded', () => {
  assert.deepEqual(parseCgroupMounts('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n'), {
    layout: 'v2',
    v1Memory: null,
    cgroup2: '/sys/fs/cgroup',
  });
  assert.equal(parseCgroupMounts('cgroup2 /mnt/my\\040cgroups cgroup2 rw 0 0\n').cgroup2, '/mnt/my cgroups');
});

test('no cgroup mount at all: none', () => {
  assert.deepEqual(parseCgroupMounts('proc /proc proc rw 0 0\n'), {
    layout: 'none',
    v1Memory: null,
    cgroup2: null,
  });
  assert.equal(parseCgroupMounts('').layout, 'none');
});
