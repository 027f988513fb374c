// The Kubernetes manifests parse as YAML and carry what the DaemonSet needs: the host's PID namespace, the
// host's /proc and cgroup tree read-only under /host (with --root /host), only KILL and SYS_PTRACE, the
// node-critical priority, Guaranteed resources; a metrics Service with the scrape annotations on 9577; and
// a ConfigMap whose TOML `oomguard run --check-config` accepts, listening where the Service looks.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO, runCli } from '../helpers/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
type Doc = any;

function load(name: string): Doc {
  const docs = parseAllDocuments(readFileSync(join(REPO, 'deploy/kubernetes', name), 'utf8'));
  assert.equal(docs.length, 1, `${name}: one document`);
  const doc = docs[0];
  assert.ok(doc);
  assert.deepEqual(doc.errors, [], `${name}: valid YAML`);
  return doc.toJS();
}

const ds = load('daemonset.yaml');
const svc = load('service.yaml');
const cm = load('configmap.yaml');
const pod = ds.spec.template.spec;
const container = pod.containers[0];

function mount(path: string): Doc {
  const m = container.volumeMounts.find((v: Doc) => v.mountPath === path);
  assert.ok(m, `a mount at ${path}`);
  const volume = pod.volumes.find((v: Doc) => v.name === m.name);
  assert.ok(volume, `a volume for ${path}`);
  return { ...m, volume };
}

describe('DaemonSet', () => {
  test('kind, selector matching the template, one container', () => {
    assert.equal(ds.apiVersion, 'apps/v1');
    assert.equal(ds.kind, 'DaemonSet');
    assert.deepEqual(ds.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'oomguard' });
    assert.equal(ds.spec.template.metadata.labels['app.kubernetes.io/name'], 'oomguard');
    assert.equal(pod.containers.length, 1);
  });

  test('host PID namespace, node-critical, on every node', () => {
    assert.equal(pod.hostPID, true);
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.priorityClassName, 'system-node-critical');
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.equal(pod.automountServiceAccountToken, false);
  });

  test('reads the host through --root /host; /proc and the cgroup tree read-only, /proc/pressure writable', () => {
    assert.deepEqual(container.args, ['--root', '/host', 'run', '--config', '/etc/oomguard/oomguard.toml']);
    const proc = mount('/host/proc');
    assert.equal(proc.readOnly, true);
    assert.equal(proc.volume.hostPath.path, '/proc');
    const cgroup = mount('/host/sys/fs/cgroup');
    assert.equal(cgroup.readOnly, true);
    assert.equal(cgroup.volume.hostPath.path, '/sys/fs/cgroup');
    const pressure = mount('/host/proc/pressure');
    assert.equal(pressure.readOnly, false);
    assert.equal(pressure.volume.hostPath.path, '/proc/pressure');
    const config = mount('/etc/oomguard');
    assert.equal(config.readOnly, true);
    assert.equal(config.volume.configMap.name, cm.metadata.name);
    const state = mount('/var/lib/oomguard');
    assert.equal(state.volume.hostPath.path, '/var/lib/oomguard');
  });

  test('root with only KILL and SYS_PTRACE, not privileged, no escalation, read-only root', () => {
    const sc = container.securityContext;
    assert.equal(sc.runAsUser, 0);
    assert.equal(sc.privileged, false);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.deepEqual(sc.capabilities, { drop: ['ALL'], add: ['KILL', 'SYS_PTRACE'] });
    assert.equal(sc.seccompProfile.type, 'RuntimeDefault');
  });

  test('Guaranteed QoS: requests equal limits for CPU and memory', () => {
    const { requests, limits } = container.resources;
    assert.deepEqual(requests, { cpu: '200m', memory: '192Mi' });
    assert.deepEqual(limits, requests);
  });

  test('the metrics port', () => {
    assert.deepEqual(container.ports, [{ name: 'metrics', containerPort: 9577, protocol: 'TCP' }]);
  });
});

describe('Service', () => {
  test('selects the pods, scrape annotations on port 9577', () => {
    assert.equal(svc.kind, 'Service');
    assert.equal(svc.metadata.namespace, ds.metadata.namespace);
    assert.deepEqual(svc.spec.selector, ds.spec.selector.matchLabels);
    assert.deepEqual(svc.metadata.annotations, {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9577',
      'prometheus.io/path': '/metrics',
    });
    assert.deepEqual(svc.spec.ports, [
      { name: 'metrics', port: 9577, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    assert.equal(svc.spec.clusterIP, 'None');
  });
});

describe('ConfigMap', () => {
  test('the TOML passes oomguard run --check-config and listens on the pod address, port 9577', async (t) => {
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.metadata.namespace, ds.metadata.namespace);
    const dir = mkdtempSync(join(tmpdir(), 'oomguard-k8s-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'oomguard.toml');
    writeFileSync(file, cm.data['oomguard.toml']);
    const r = await runCli(['run', '--config', file, '--check-config']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const config = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n') + 1));
    assert.equal(config.listen, '0.0.0.0:9577');
    assert.equal(config.killUnit, 'process', 'process kills work with the read-only cgroup mount');
    assert.equal(config.logFormat, 'json');
  });
});
