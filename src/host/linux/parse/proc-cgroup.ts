// /proc/PID/cgroup: `hierarchy-id:controller-list:path` lines. v1 hierarchies list their controllers
// (`4:memory:/x`, or `4:cpu,memory:/x` when co-mounted); the unified hierarchy is `0::/path`.

/**
 * The process's memory cgroup: the v1 memory controller's path when there is one, else the unified
 * (`0::`) path; null when neither line exists.
 */
export function parseProcCgroup(text: string): string | null {
  let unified: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const controllers = line.slice(first + 1, second);
    // The path may itself contain ':', so it is everything after the second colon.
    const path = line.slice(second + 1);
    if (controllers === '') {
      if (line.slice(0, first) === '0') unified = path;
    } else if (controllers.split(',').includes('memory')) {
      return path;
    }
  }
  return unified;
}
