import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubePodFromCgroup } from '../../src/postmortem/kube-pod.js';

const UID = '8d3f5c1e-2a4b-4c6d-9e8f-0a1b2c3d4e5f';
const ID = 'a'.repeat(64);

test('cgroupfs driver paths', () => {
  assert.deepEqual(kubePodFromCgroup(`/kubepods/burstable/pod${UID}/${ID}`), {
    podUid: UID,
    qos: 'burstable',
    containerId: ID,
    runtime: null,
  });
  assert.deepEqual(kubePodFromCgroup(`/kubepods/pod${UID}/${ID}`), {
    podUid: UID,
    qos: 'guaranteed',
    containerId: ID,
    runtime: null,
  });
  assert.deepEqual(kubePodFromCgroup(`/kubepods/besteffort/pod${UID}`), {
    podUid: UID,
    qos: 'besteffort',
    containerId: null,
    runtime: null,
  });
});

test('systemd driver paths, also nested under another cgroup', () => {
  const u = UID.replaceAll('-', '_');
  assert.deepEqual(
    kubePodFromCgroup(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/cri-containerd-${ID}.scope`,
    ),
    { podUid: UID, qos: 'burstable', containerId: ID, runtime: 'cri-containerd' },
  );
  assert.deepEqual(
    kubePodFromCgroup(`/lxc.payload.n1/kubepods.slice/kubepods-pod${u}.slice/crio-${ID}.scope`),
    {
      podUid: UID,
      qos: 'guaranteed',
      containerId: ID,
      runtime: 'crio',
    },
  );
  assert.deepEqual(
    kubePodFromCgroup(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${u}.slice`),
    {
      podUid: UID,
      qos: 'besteffort',
      containerId: null,
      runtime: null,
    },
  );
});

test('other paths name no pod', () => {
  assert.equal(kubePodFromCgroup('/system.slice/docker.service'), null);
  assert.equal(kubePodFromCgroup('/kubepods/burstable'), null);
  assert.equal(kubePodFromCgroup(`/kubepods/burstable/pod${UID}x/${ID}`), null);
});
