// PSI files (/proc/pressure/*, cgroup *.pressure):
//   some avg10=0.12 avg60=0.05 avg300=0.01 total=12345
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=678
import type { Psi, PsiLine } from '../../../model/snapshot.js';

function parseLine(line: string): PsiLine | null {
  const fields = new Map<string, number>();
  for (const part of line.split(' ').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), Number(part.slice(eq + 1)));
  }
  const avg10 = fields.get('avg10');
  const avg60 = fields.get('avg60');
  const avg300 = fields.get('avg300');
  const totalUs = fields.get('total');
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || totalUs === undefined)
    return null;
  if (![avg10, avg60, avg300, totalUs].every(Number.isFinite)) return null;
  return { avg10, avg60, avg300, totalUs };
}

/** Parses a PSI file; null without a valid `some` line. `full` is null when absent (cpu on older kernels). */
export function parsePsi(text: string): Psi | null {
  let some: PsiLine | null = null;
  let full: PsiLine | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('some ')) some = parseLine(line);
    else if (line.startsWith('full ')) full = parseLine(line);
  }
  return some === null ? null : { some, full };
}
