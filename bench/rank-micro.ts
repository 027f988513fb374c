// Ranking cost alone (no /proc reads): rankProcesses over 5,000 synthetic processes, CPU ms per ranking.
// node --import tsx bench/rank-micro.ts
import { rankProcesses } from '../src/policy/rank.js';
import { buildSnapshot, proc } from '../test/helpers/snapshot-builder.js';

const processes = Array.from({ length: 5000 }, (_, i) =>
  proc({ pid: i + 10, anonPages: 1000 + ((i * 7919) % 50000), oomScoreAdj: i % 1000 }),
);
const snap = buildSnapshot({ processes });
for (let i = 0; i < 20; i++) rankProcesses(snap, { ranker: 'kernel' });
const runs = 100;
const before = process.cpuUsage();
for (let i = 0; i < runs; i++) rankProcesses(snap, { ranker: 'kernel' });
const used = process.cpuUsage(before);
console.log(
  `rankProcesses, 5000 processes: ${((used.user + used.system) / 1000 / runs).toFixed(2)} ms CPU per ranking`,
);
