// Traces: snapshots of a live machine as JSON lines, compact and append-only. The first line is a header
// naming the process fields; each further line is one snapshot whose processes are arrays in that order.
import { UsageError } from '../model/errors.js';
import type { CgroupInfo, ProcessInfo, Snapshot } from '../model/snapshot.js';

export const TRACE_VERSION = 1;

/** ProcessInfo's fields in the order a trace stores them. */
export const PROCESS_FIELDS = [
  'pid',
  'ppid',
  'pgid',
  'sid',
  'uid',
  'euid',
  'comm',
  'state',
  'flags',
  'kthread',
  'hasMm',
  'nice',
  'cpuTicks',
  'startTicks',
  'threads',
  'vmSize',
  'rssAnon',
  'rssFile',
  'rssShmem',
  'swap',
  'pageTables',
  'oomScoreAdj',
  'kernelOomScore',
  'capEff',
  'cgroup',
] as const satisfies readonly (keyof ProcessInfo)[];

export interface TraceHeader {
  readonly oomguardTrace: number;
  readonly processFields: readonly string[];
}

export function traceHeaderLine(): string {
  const header: TraceHeader = { oomguardTrace: TRACE_VERSION, processFields: [...PROCESS_FIELDS] };
  return `${JSON.stringify(header)}\n`;
}

export function encodeSnapshot(s: Snapshot): string {
  const p = s.processes.map((proc) =>
    PROCESS_FIELDS.map((f) => (f === 'capEff' ? proc.capEff.toString(16) : proc[f])),
  );
  return `${JSON.stringify({
    t: s.timeMs,
    pageSize: s.pageSize,
    clockTicks: s.clockTicks,
    uptime: s.uptimeSec,
    mem: s.meminfo,
    vm: s.vmstat,
    psi: s.psi,
    layout: s.cgroupLayout,
    hostNs: s.hostPidNamespace,
    self: s.selfPid,
    p,
    cg: [...s.cgroups.values()],
  })}\n`;
}

interface EncodedSnapshot {
  t: number;
  pageSize: number;
  clockTicks: number;
  uptime: number;
  mem: Snapshot['meminfo'];
  vm: Snapshot['vmstat'];
  psi: Snapshot['psi'];
  layout: Snapshot['cgroupLayout'];
  hostNs: boolean;
  self: number | null;
  p: unknown[][];
  cg: CgroupInfo[];
}

/** Every snapshot of a trace, in order. Errors name the line. */
export function decodeTrace(label: string, text: string): Snapshot[] {
  const lines = text.split('\n');
  const headerText = lines[0] ?? '';
  let header: TraceHeader;
  try {
    header = JSON.parse(headerText) as TraceHeader;
  } catch {
    throw new UsageError(`${label}: line 1: not an oomguard trace (no JSON header)`);
  }
  if (header.oomguardTrace !== TRACE_VERSION || !Array.isArray(header.processFields)) {
    throw new UsageError(`${label}: line 1: not an oomguard trace of version ${TRACE_VERSION}`);
  }
  const fields = header.processFields;
  const out: Snapshot[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    let e: EncodedSnapshot;
    try {
      e = JSON.parse(line) as EncodedSnapshot;
    } catch {
      // The last line of a trace still being written (or cut by a crash) may be partial: stop there.
      if (i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '')) break;
      throw new UsageError(`${label}: line ${i + 1}: not a JSON snapshot`);
    }
    if (typeof e.t !== 'number' || !Array.isArray(e.p) || !Array.isArray(e.cg) || typeof e.mem !== 'object') {
      throw new UsageError(`${label}: line ${i + 1}: a snapshot needs t, mem, p and cg`);
    }
    const processes = e.p.map((row) => {
      const proc: Record<string, unknown> = {};
      fields.forEach((f, j) => {
        proc[f] = f === 'capEff' ? BigInt(`0x${String(row[j] ?? '0')}`) : row[j];
      });
      return proc as unknown as ProcessInfo;
    });
    out.push({
      timeMs: e.t,
      pageSize: e.pageSize,
      clockTicks: e.clockTicks,
      uptimeSec: e.uptime,
      meminfo: e.mem,
      vmstat: e.vm,
      psi: e.psi,
      processes,
      cgroupLayout: e.layout,
      cgroups: new Map(e.cg.map((c) => [c.path, c])),
      hostPidNamespace: e.hostNs,
      selfPid: e.self,
    });
  }
  return out;
}
