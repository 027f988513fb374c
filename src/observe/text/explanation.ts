// The text `oomguard explain` prints, with every name that comes from a process or a cgroup escaped.
import type { Candidate } from '../../model/ranking.js';
import { type Explanation, formatExplanation } from '../../policy/explain.js';
import { safeText } from './escape.js';

function safeCandidate(c: Candidate): Candidate {
  return { ...c, comm: safeText(c.comm), cgroup: safeText(c.cgroup) };
}

export function renderExplanation(e: Explanation): string {
  return formatExplanation({
    ...e,
    scope: safeText(e.scope),
    totalPagesSource: safeText(e.totalPagesSource),
    candidate: safeCandidate(e.candidate),
    ahead: e.ahead === null ? null : safeCandidate(e.ahead),
    behind: e.behind === null ? null : safeCandidate(e.behind),
  });
}
