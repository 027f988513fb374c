// Scenario files (YAML) into a Scenario. Every error names the file, the line and the field, e.g.
// `leak.yaml: line 14: processes[1].grow: expected a rate such as 100MiB/s, got "fast"`.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { UsageError } from '../model/errors.js';
import { CAP_SYS_ADMIN, CAP_SYS_RAWIO, CAP_SYS_RESOURCE } from '../score/legacy.js';
import { containerOomScoreAdj, effectiveRequest, podCgroup, podQos } from './kube.js';
import type {
  CgroupSpec,
  ContainerSpec,
  EventSpec,
  KernelSpec,
  KubeSpec,
  MachineSpec,
  PodSpec,
  ProcessSpec,
  RunSpec,
  Scenario,
  ShmSpec,
} from './scenario.js';
import { parseShare, parseSimRate, parseSimSize, parseSimTime } from './units.js';

/** A scenario that cannot be run: exit 2 like every other bad input. */
export class ScenarioError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** The keys each table accepts; docs/scenario.schema.json lists the same (a test compares them). */
export const SCENARIO_KEYS = {
  top: [
    'name',
    'description',
    'machine',
    'kernel',
    'run',
    'cgroups',
    'shm',
    'processes',
    'pods',
    'kube',
    'events',
  ],
  machine: ['ram', 'swap', 'page_size', 'kernel_reserved', 'page_cache', 'uptime', 'clock_ticks'],
  kernel: [
    'overcommit_memory',
    'overcommit_ratio',
    'panic_on_oom',
    'oom_kill_allocating_task',
    'reap_delay',
    'cgroup_version',
  ],
  run: ['duration', 'step'],
  cgroup: ['path', 'limit', 'swap_limit', 'oom_group', 'page_cache'],
  shm: ['name', 'size', 'persistent'],
  process: [
    'id',
    'name',
    'pid',
    'count',
    'cgroup',
    'uid',
    'adj',
    'nice',
    'caps',
    'age',
    'start',
    'cpu',
    'cpu_time',
    'anon',
    'file',
    'virtual',
    'grow',
    'grow_until',
    'fork_every',
    'fork_limit',
    'mm',
    'shm',
    'on_term',
    'term_delay',
    'on_alloc_fail',
    'cmdline',
    'exe',
  ],
  pod: ['name', 'priority', 'containers'],
  container: ['name', 'request', 'limit', 'processes'],
  kube: ['eviction_hard', 'housekeeping'],
  event: ['at', 'do', 'process', 'rate', 'until', 'adj', 'count', 'share_mm', 'size'],
} as const;

const EVENT_KINDS = ['start', 'grow', 'stop', 'exit', 'set-adj', 'fork', 'alloc', 'free'] as const;

const CAPS: Readonly<Record<string, number>> = {
  CAP_SYS_RAWIO: CAP_SYS_RAWIO,
  CAP_SYS_ADMIN: CAP_SYS_ADMIN,
  CAP_SYS_RESOURCE: CAP_SYS_RESOURCE,
};

interface Ctx {
  readonly label: string;
  readonly lines: LineCounter;
}

/** One value of the document with the path people see ("processes[2].grow") and its line. */
class Field {
  constructor(
    readonly node: Node | null,
    readonly path: string,
    private readonly ctx: Ctx,
    private readonly fallbackLine: number,
  ) {}

  get line(): number {
    const offset = this.node?.range?.[0];
    return offset === undefined ? this.fallbackLine : this.ctx.lines.linePos(offset).line;
  }

  get present(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  fail(message: string): never {
    throw new ScenarioError(
      `${this.ctx.label}: line ${this.line}: ${this.path || '(top level)'}: ${message}`,
    );
  }

  private get value(): unknown {
    return isScalar(this.node) ? this.node.value : this.node;
  }

  private shown(): string {
    const v = this.value;
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (isSeq(this.node)) return 'a list';
    if (isMap(this.node)) return 'a table';
    return 'nothing';
  }

  expected(what: string): never {
    return this.fail(`expected ${what}, got ${this.shown()}`);
  }

  table(known: readonly string[]): Table {
    if (!isMap(this.node)) this.expected('a table');
    return new Table(this.node, this.path, this.ctx, known, this.line);
  }

  list(): Field[] {
    if (!this.present) return [];
    if (!isSeq(this.node)) this.expected('a list');
    return this.node.items.map(
      (item, i) => new Field(item as Node, `${this.path}[${i}]`, this.ctx, this.line),
    );
  }

  string(): string {
    const v = this.value;
    if (typeof v !== 'string' || v === '') this.expected('a non-empty string');
    return v;
  }

  int(min: number, max: number): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.expected(`a whole number from ${min} to ${max}`);
    }
    return v;
  }

  bool(): boolean {
    const v = this.value;
    if (typeof v !== 'boolean') this.expected('true or false');
    return v;
  }

  size(): number {
    const n = parseSimSize(this.value);
    if (n === null) this.expected('a size such as 512MiB, 1.5GiB or 4096 (bytes)');
    return n;
  }

  time(): number {
    const n = parseSimTime(this.value);
    if (n === null) this.expected('a time such as 100ms, 30s, 5min, 2h or 30d');
    return n;
  }

  rate(): number {
    const n = parseSimRate(this.value);
    if (n === null) this.expected('a rate such as 100MiB/s, -10MiB/s or 1GiB/min');
    return n;
  }

  share(): number {
    const n = parseShare(this.value);
    if (n === null) this.expected('a CPU share such as 50% or a number of cores such as 0.5');
    return n;
  }

  oneOf<T extends string | number>(choices: readonly T[]): T {
    const v = this.value;
    if (!choices.includes(v as T))
      this.expected(`one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
    return v as T;
  }
}

class Table {
  constructor(
    private readonly map: YAMLMap,
    readonly path: string,
    private readonly ctx: Ctx,
    known: readonly string[],
    private readonly line: number,
  ) {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? pair.key.value : null;
      const keyField: Field = new Field(pair.key as Node, this.sub(String(key)), ctx, line);
      if (typeof key !== 'string') keyField.fail('keys must be names');
      if (!known.includes(key)) keyField.fail(`unknown field (known here: ${known.join(', ')})`);
    }
  }

  private sub(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  get(key: string): Field {
    const node = this.map.get(key, true) as Node | undefined;
    return new Field(node ?? null, this.sub(key), this.ctx, this.line);
  }

  has(key: string): boolean {
    return this.get(key).present;
  }

  /** The field when present, else the default. */
  opt<T>(key: string, read: (f: Field) => T, otherwise: T): T {
    const f = this.get(key);
    return f.present ? read(f) : otherwise;
  }

  need<T>(key: string, read: (f: Field) => T): T {
    const f = this.get(key);
    if (!f.present) f.fail('missing');
    return read(f);
  }
}

export const DEFAULT_STEP_MS = 100;
export const DEFAULT_HOUSEKEEPING_MS = 10_000;
export const DEFAULT_EVICTION_HARD = 100 * 1024 * 1024;
const DEFAULT_PROCESS_VIRTUAL = 0;

/** Parses a scenario; `label` (the file name) prefixes every error. */
export function parseScenario(label: string, text: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line ?? 1;
    const reason = first.message.split('\n')[0] ?? '';
    throw new ScenarioError(
      `${label}: line ${line}: invalid YAML: ${reason.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const ctx: Ctx = { label, lines };
  const root = new Field((doc.contents as Node | null) ?? null, '', ctx, 1);
  if (!root.present) root.fail('the scenario is empty');
  const top = root.table(SCENARIO_KEYS.top);

  const machine = readMachine(top.need('machine', (f) => f.table(SCENARIO_KEYS.machine)));
  const kernel = readKernel(top.opt('kernel', (f) => f.table(SCENARIO_KEYS.kernel), null));
  const run = readRun(top.need('run', (f) => f.table(SCENARIO_KEYS.run)));
  const cgroups = top
    .get('cgroups')
    .list()
    .map((f) => readCgroup(f, kernel));
  const shm = top.get('shm').list().map(readShm);
  const processes = top
    .get('processes')
    .list()
    .map((f) => readProcess(f.table(SCENARIO_KEYS.process), null));
  const pods = top
    .get('pods')
    .list()
    .map((f) => readPod(f, machine));
  const kube = readKube(top.opt('kube', (f) => f.table(SCENARIO_KEYS.kube), null));
  const events = top.get('events').list().map(readEvent);

  const scenario: Scenario = {
    name: top.opt('name', (f) => f.string(), label),
    description: top.opt('description', (f) => f.string(), ''),
    machine,
    kernel,
    run,
    cgroups,
    shm,
    processes,
    pods,
    kube,
    events: events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
      .map((x) => x.e),
  };
  crossCheck(scenario, label);
  return scenario;
}

function readMachine(t: Table): MachineSpec {
  const pageSize = t.opt('page_size', (f) => f.size(), 4096);
  if (![4096, 16384, 65536].includes(pageSize)) t.get('page_size').expected('4KiB, 16KiB or 64KiB');
  const ram = t.need('ram', (f) => f.size());
  if (ram < 16 * pageSize) t.get('ram').expected('at least 16 pages of RAM');
  return {
    ram,
    swap: t.opt('swap', (f) => f.size(), 0),
    pageSize,
    kernelReserved: t.opt('kernel_reserved', (f) => f.size(), 0),
    pageCache: t.opt('page_cache', (f) => f.size(), 0),
    uptimeMs: t.opt('uptime', (f) => f.time(), null),
    clockTicks: t.opt('clock_ticks', (f) => f.int(1, 10000), 100),
  };
}

function readKernel(t: Table | null): KernelSpec {
  return {
    overcommitMemory: t?.opt('overcommit_memory', (f) => f.oneOf([0, 1, 2] as const), 0) ?? 0,
    overcommitRatio: t?.opt('overcommit_ratio', (f) => f.int(0, 10000), 50) ?? 50,
    panicOnOom: t?.opt('panic_on_oom', (f) => f.oneOf([0, 1, 2] as const), 0) ?? 0,
    oomKillAllocatingTask: t?.opt('oom_kill_allocating_task', (f) => f.bool(), false) ?? false,
    reapDelayMs: t?.opt('reap_delay', (f) => f.time(), 0) ?? 0,
    cgroupVersion: t?.opt('cgroup_version', (f) => f.oneOf([1, 2] as const), 2) ?? 2,
  };
}

function readRun(t: Table): RunSpec {
  const stepMs = t.opt('step', (f) => f.time(), DEFAULT_STEP_MS);
  if (stepMs < 1 || stepMs > 60_000) t.get('step').expected('a step from 1ms to 1min');
  const durationMs = t.need('duration', (f) => f.time());
  if (durationMs < stepMs) t.get('duration').expected('a duration of at least one step');
  if (durationMs / stepMs > 10_000_000) t.get('duration').expected('at most 10 million steps');
  return { durationMs, stepMs };
}

function cgroupPath(f: Field): string {
  const p = f.string();
  if (!/^\/([^/\s]+(\/[^/\s]+)*)?$/.test(p) || p.split('/').some((s) => s === '.' || s === '..')) {
    f.expected('an absolute cgroup path such as /system.slice/db.service');
  }
  return p;
}

function readCgroup(f: Field, kernel: KernelSpec): CgroupSpec {
  const t = f.table(SCENARIO_KEYS.cgroup);
  const path = t.need('path', cgroupPath);
  if (path === '/') t.get('path').fail('the root cgroup exists already and takes no limit');
  const oomGroup = t.opt('oom_group', (x) => x.bool(), false);
  if (oomGroup && kernel.cgroupVersion === 1)
    t.get('oom_group').fail('memory.oom.group exists on cgroup v2 only');
  return {
    path,
    limit: t.opt('limit', (x) => x.size(), null),
    swapLimit: t.opt('swap_limit', (x) => x.size(), null),
    oomGroup,
    pageCache: t.opt('page_cache', (x) => x.size(), 0),
    line: f.line,
  };
}

function readShm(f: Field): ShmSpec {
  const t = f.table(SCENARIO_KEYS.shm);
  return {
    name: t.need('name', (x) => x.string()),
    size: t.need('size', (x) => x.size()),
    persistent: t.opt('persistent', (x) => x.bool(), true),
    line: f.line,
  };
}

function readCaps(f: Field): bigint {
  let mask = 0n;
  for (const item of f.list() as Field[]) {
    const name = item.string();
    if (name === 'all') mask |= (1n << 41n) - 1n;
    else {
      const bit = CAPS[name];
      if (bit === undefined) return item.expected(`"all" or one of ${Object.keys(CAPS).join(', ')}`);
      mask |= 1n << BigInt(bit);
    }
  }
  return mask;
}

interface ContainerPlace {
  readonly cgroup: string;
  readonly adj: number;
}

function readProcess(t: Table, place: ContainerPlace | null): ProcessSpec {
  const name = t.need('name', (f) => f.string());
  if (Buffer.byteLength(name) > 15)
    t.get('name').expected('a name of at most 15 bytes (the kernel cuts comm there)');
  if (t.has('age') && t.has('start'))
    t.get('start').fail('give either age (already running at t=0) or start, not both');
  if (place !== null && t.has('cgroup'))
    t.get('cgroup').fail("a container's processes live in the container's cgroup");
  const start = t.get('start');
  let startMs: number | null = 0;
  if (start.present) startMs = isNone(start) ? null : start.time();
  const ageMs = t.opt('age', (f) => f.time(), null);
  const cmdline = t.opt('cmdline', (f) => f.string().split(' ').filter(Boolean), [name]);
  return {
    id: t.opt('id', (f) => f.string(), name),
    name,
    pid: t.opt('pid', (f) => f.int(2, 4_194_304), null),
    count: t.opt('count', (f) => f.int(1, 1_000_000), 1),
    cgroup: place?.cgroup ?? t.opt('cgroup', cgroupPath, '/'),
    uid: t.opt('uid', (f) => f.int(0, 4_294_967_294), 1000),
    adj: t.opt('adj', (f) => f.int(-1000, 1000), place?.adj ?? 0),
    nice: t.opt('nice', (f) => f.int(-20, 19), 0),
    capEff: t.opt('caps', readCaps, 0n),
    ageMs,
    startMs: ageMs === null ? startMs : 0,
    cpu: t.opt('cpu', (f) => f.share(), 0),
    cpuTimeMs: t.opt('cpu_time', (f) => f.time(), 0),
    anon: t.opt('anon', (f) => f.size(), 0),
    file: t.opt('file', (f) => f.size(), 0),
    virtual: t.opt('virtual', (f) => f.size(), DEFAULT_PROCESS_VIRTUAL),
    grow: t.opt('grow', (f) => f.rate(), 0),
    growUntil: t.opt('grow_until', (f) => f.size(), null),
    forkEveryMs: t.opt('fork_every', (f) => f.time(), null),
    forkLimit: t.opt('fork_limit', (f) => f.int(1, 4_194_304), 4096),
    mm: t.opt('mm', (f) => f.string(), null),
    shm: t
      .get('shm')
      .list()
      .map((f) => f.string()),
    onTerm: t.opt('on_term', (f) => f.oneOf(['exit', 'ignore'] as const), 'exit'),
    termDelayMs: t.opt('term_delay', (f) => f.time(), 0),
    onAllocFail: t.opt('on_alloc_fail', (f) => f.oneOf(['exit', 'stop'] as const), 'exit'),
    cmdline,
    exe: t.opt('exe', (f) => f.string(), `/usr/bin/${name}`),
    line: t.get('name').line,
  };
}

function isNone(f: Field): boolean {
  return isScalar(f.node) && f.node.value === 'none';
}

function readPod(f: Field, machine: MachineSpec): PodSpec {
  const t = f.table(SCENARIO_KEYS.pod);
  const name = t.need('name', (x) => x.string());
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) t.get('name').expected('a DNS label such as web-1');
  const raw = t
    .need('containers', (x) => x.list())
    .map((c) => {
      const ct = c.table(SCENARIO_KEYS.container);
      return {
        ct,
        name: ct.need('name', (x) => x.string()),
        request: ct.opt('request', (x) => x.size(), null),
        limit: ct.opt('limit', (x) => x.size(), null),
      };
    });
  if (raw.length === 0) t.get('containers').fail('a pod needs at least one container');
  const qos = podQos(raw);
  const podPath = podCgroup(name, qos);
  const containers: ContainerSpec[] = raw.map((c) => {
    const place = {
      cgroup: `${podPath}/${c.name}`,
      adj: containerOomScoreAdj(qos, effectiveRequest(c), machine.ram),
    };
    return {
      name: c.name,
      request: c.request,
      limit: c.limit,
      processes: c.ct
        .get('processes')
        .list()
        .map((p) => readProcess(p.table(SCENARIO_KEYS.process), place)),
    };
  });
  return {
    name,
    priority: t.opt('priority', (x) => x.int(-2_147_483_648, 2_147_483_647), 0),
    containers,
    line: f.line,
  };
}

function readKube(t: Table | null): KubeSpec {
  return {
    evictionHard: t?.opt('eviction_hard', (f) => f.size(), DEFAULT_EVICTION_HARD) ?? DEFAULT_EVICTION_HARD,
    housekeepingMs:
      t?.opt('housekeeping', (f) => f.time(), DEFAULT_HOUSEKEEPING_MS) ?? DEFAULT_HOUSEKEEPING_MS,
  };
}

function readEvent(f: Field): EventSpec {
  const t = f.table(SCENARIO_KEYS.event);
  const base = {
    at: t.need('at', (x) => x.time()),
    line: f.line,
    process: t.need('process', (x) => x.string()),
  };
  const kind = t.need('do', (x) => x.oneOf(EVENT_KINDS));
  const allowed: Record<(typeof EVENT_KINDS)[number], readonly string[]> = {
    start: [],
    grow: ['rate', 'until'],
    stop: [],
    exit: [],
    'set-adj': ['adj'],
    fork: ['count', 'share_mm'],
    alloc: ['size'],
    free: ['size'],
  };
  for (const key of ['rate', 'until', 'adj', 'count', 'share_mm', 'size']) {
    if (t.has(key) && !allowed[kind].includes(key)) t.get(key).fail(`not a field of a "${kind}" event`);
  }
  switch (kind) {
    case 'grow':
      return {
        ...base,
        do: kind,
        rate: t.need('rate', (x) => x.rate()),
        until: t.opt('until', (x) => x.size(), null),
      };
    case 'set-adj':
      return { ...base, do: kind, adj: t.need('adj', (x) => x.int(-1000, 1000)) };
    case 'fork':
      return {
        ...base,
        do: kind,
        count: t.opt('count', (x) => x.int(1, 100_000), 1),
        shareMm: t.opt('share_mm', (x) => x.bool(), false),
      };
    case 'alloc':
    case 'free':
      return { ...base, do: kind, size: t.need('size', (x) => x.size()) };
    default:
      return { ...base, do: kind };
  }
}

/** References between parts: events name processes, processes name cgroups and segments, pids are unique. */
function crossCheck(s: Scenario, label: string): void {
  const all = [...s.processes, ...s.pods.flatMap((p) => p.containers.flatMap((c) => c.processes))];
  const ids = new Set(all.map((p) => p.id));
  const cgroups = new Set(['/', ...s.cgroups.map((c) => c.path)]);
  const seen = new Set<string>();
  for (const c of s.cgroups) {
    if (seen.has(c.path))
      throw new ScenarioError(`${label}: line ${c.line}: cgroups: ${c.path} is listed twice`);
    seen.add(c.path);
  }
  const segments = new Set(s.shm.map((x) => x.name));
  const pids = new Set<number>();
  for (const p of all) {
    const at = `${label}: line ${p.line}: process ${p.id}`;
    if (!cgroups.has(p.cgroup) && !p.cgroup.startsWith('/kubepods/')) {
      throw new ScenarioError(`${at}: cgroup ${p.cgroup} is not in the cgroups list`);
    }
    for (const name of p.shm) {
      if (!segments.has(name)) throw new ScenarioError(`${at}: shm segment ${name} is not in the shm list`);
    }
    if (p.pid !== null) {
      if (p.count !== 1) throw new ScenarioError(`${at}: a fixed pid needs count 1`);
      if (pids.has(p.pid)) throw new ScenarioError(`${at}: pid ${p.pid} is used twice`);
      pids.add(p.pid);
    }
    if (p.growUntil !== null && p.grow === 0) throw new ScenarioError(`${at}: grow_until needs grow`);
  }
  for (const e of s.events) {
    if (!ids.has(e.process)) {
      throw new ScenarioError(
        `${label}: line ${e.line}: events: no process has the id ${JSON.stringify(e.process)}`,
      );
    }
    if (e.at > s.run.durationMs) {
      throw new ScenarioError(`${label}: line ${e.line}: events: at ${e.at} ms is after the end of the run`);
    }
  }
}
