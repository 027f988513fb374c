// Rules as the config loader makes them, for tests: only the matchers given are set; prefer and avoid
// default to earlyoom's ±300 points.
import type { RuleConfig } from '../../src/config/types.js';

export function rule(action: RuleConfig['action'], fields: Partial<RuleConfig>): RuleConfig {
  const adjust = action === 'prefer' ? 300 : action === 'avoid' ? -300 : 0;
  return {
    action,
    comm: null,
    cmdline: null,
    exe: null,
    cgroup: null,
    user: null,
    uid: null,
    adjust,
    source: 'rules[0]',
    ...fields,
  };
}
