// Pod and container from a cgroup path, both drivers, every QoS, runtimes, nesting; paths outside pods.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeCgroupOf } from '../../src/kube/cgroup-path.js';

const UID = '1f0e9a52-7c1b-4d7e-9a51-3b6c2e8d4a01';
const UID_ = UID.replaceAll('-', '_');
const ID = 'f5e9bf0fc03d32bb241b783c06d005449ec3c82069fb337c3c1ebecce9578c32';

describe('cgroupfs driver', () => {
  test('burstable container', () => {
    assert.deepEqual(kubeCgroupOf(`/kubepods/burstable/pod${UID}/${ID}`), {
      driver: 'cgroupfs',
      qos: 'Burstable',
      podUid: UID,
      podCgroup: `/kubepods/burstable/pod${UID}`,
      containerId: ID,
      containerCgroup: `/kubepods/burstable/pod${UID}/${ID}`,
      runtime: null,
    });
  });
  test('guaranteed sits directly under kubepods; besteffort has its own level', () => {
    assert.equal(kubeCgroupOf(`/kubepods/pod${UID}/${ID}`)?.qos, 'Guaranteed');
    assert.equal(kubeCgroupOf(`/kubepods/besteffort/pod${UID}/${ID}`)?.qos, 'BestEffort');
  });
  test('the pod cgroup itself: no container', () => {
    const k = kubeCgroupOf(`/kubepods/besteffort/pod${UID}`);
    assert.deepEqual([k?.podUid, k?.containerId, k?.containerCgroup], [UID, null, null]);
  });
  test('CRI-O names container directories crio-<id>', () => {
    const k = kubeCgroupOf(`/kubepods/burstable/pod${UID}/crio-${ID}`);
    assert.deepEqual([k?.containerId, k?.runtime], [ID, 'crio']);
  });
  test('static pods have a 32-digit hash for a UID', () => {
    assert.equal(
      kubeCgroupOf(`/kubepods/burstable/pod5e0f7a43b1824d6e9f5a2b4c3d9e0f05/${ID}`)?.podUid,
      '5e0f7a43b1824d6e9f5a2b4c3d9e0f05',
    );
  });
  test('nested under a prefix (a node inside a container), and deeper cgroups inside a container', () => {
    const k = kubeCgroupOf(`/docker/abc/kubepods/burstable/pod${UID}/${ID}/sub`);
    assert.deepEqual(
      [k?.podCgroup, k?.containerCgroup],
      [`/docker/abc/kubepods/burstable/pod${UID}`, `/docker/abc/kubepods/burstable/pod${UID}/${ID}`],
    );
  });
});

describe('systemd driver', () => {
  const pod = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`;
  test('containerd scope: UID underscores become dashes', () => {
    assert.deepEqual(kubeCgroupOf(`${pod}/cri-containerd-${ID}.scope`), {
      driver: 'systemd',
      qos: 'Burstable',
      podUid: UID,
      podCgroup: pod,
      containerId: ID,
      containerCgroup: `${pod}/cri-containerd-${ID}.scope`,
      runtime: 'cri-containerd',
    });
  });
  test('docker and crio scopes', () => {
    assert.equal(kubeCgroupOf(`${pod}/docker-${ID}.scope`)?.runtime, 'docker');
    assert.equal(kubeCgroupOf(`${pod}/crio-${ID}.scope`)?.runtime, 'crio');
  });
  test("CRI-O's conmon scope belongs to the pod, not to a container", () => {
    const k = kubeCgroupOf(`${pod}/crio-conmon-${ID}.scope`);
    assert.deepEqual([k?.podUid, k?.containerId], [UID, null]);
  });
  test('guaranteed: the pod slice directly under kubepods.slice; besteffort', () => {
    const g = kubeCgroupOf(`/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`);
    assert.deepEqual([g?.qos, g?.podCgroup], ['Guaranteed', `/kubepods.slice/kubepods-pod${UID_}.slice`]);
    const b = kubeCgroupOf(
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    );
    assert.equal(b?.qos, 'BestEffort');
  });
  test('a --cgroup-root prefix (kubelet.slice/kubelet-kubepods.slice/...)', () => {
    const k = kubeCgroupOf(
      `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    );
    assert.deepEqual([k?.qos, k?.podUid, k?.containerId], ['BestEffort', UID, ID]);
  });
});

describe('outside pods', () => {
  for (const path of [
    '/',
    '/system.slice/kubelet.service',
    '/kubepods',
    '/kubepods/burstable',
    '/kubepods.slice',
    '/kubepods.slice/kubepods-burstable.slice',
    '/user.slice/kubepods-notes',
    `/kubepodsX/burstable/pod${UID}`,
  ]) {
    test(path, () => assert.equal(kubeCgroupOf(path), null));
  }
});
