/* The floor of a victim selection: the /proc reads that cannot be avoided, and nothing else.
 * usage: floor MODE ITERATIONS
 *   MODE score        per pid: oom_score (earlyoom's ranking key); the highest wins
 *   MODE stat-status  per pid: stat + status (kthread flag, uid, RSS, swap, page tables); the largest wins
 *   MODE oomguard     per pid: the files oomguard read before the cgroup.procs lists: stat, status,
 *                     oom_score_adj, cgroup
 *   MODE exact        per pid: what the kernel's exact badness and eligibility need: stat, status,
 *                     oom_score_adj (the floor of oomguard's full scan)
 *   MODE two-phase    per pid: oom_score; then stat, status, oom_score_adj for the pids of the highest
 *                     oom_score only (the floor of oomguard's two-phase search). Like oomguard, which never
 *                     chooses itself, it passes over its caller (the benchmark's Node process).
 * Each selection lists /proc and reads each file by its full path with open/read/close into one buffer,
 * as earlyoom does. Prints one line: "<cpu ns per selection> <wall ns per selection> <processes seen>". */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[8192];

static char path[64];
static int path_end;

/* Reads /proc/PID/NAME (PID set by the caller in path[0, path_end)) into buf. */
static ssize_t slurp(const char *name) {
  strcpy(path + path_end, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n >= 0) buf[n] = 0;
  return n;
}

/* The number after "Key:" in a status text, or 0. */
static long status_field(const char *key) {
  const char *p = strstr(buf, key);
  return p ? atol(p + strlen(key)) : 0;
}

static long ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* stat + status + oom_score_adj of the pid in path: its badness without the adj scaling, -1 when not killable. */
static long exact_key(void) {
  if (slurp("stat") <= 0) return -1;
  const char *close_paren = strrchr(buf, ')');
  unsigned long flags = 0;
  if (close_paren) sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags);
  if (flags & 0x00200000) return -1;
  if (slurp("status") <= 0) return -1;
  long key = status_field("VmRSS:") + status_field("VmSwap:") + status_field("VmPTE:");
  if (slurp("oom_score_adj") <= 0) return -1;
  return key + atol(buf);
}

static int pids[1 << 22];
static short scores[1 << 22];

/* Phase one: every oom_score; phase two: the full records of the highest group. */
static int two_phase(int *seen) {
  DIR *proc = opendir("/proc");
  if (!proc) exit(4);
  int count = 0, top = -1;
  int caller = getppid();
  struct dirent *d;
  while ((d = readdir(proc)) != NULL) {
    if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
    int pid = atoi(d->d_name);
    path_end = snprintf(path, sizeof path, "/proc/%d/", pid);
    if (slurp("oom_score") <= 0 || pid == caller) continue;
    pids[count] = pid;
    scores[count] = (short)atoi(buf);
    if (scores[count] > top) top = scores[count];
    count++;
  }
  closedir(proc);
  long best = -1;
  int victim = 0;
  for (int i = 0; i < count; i++) {
    if (scores[i] != top) continue;
    path_end = snprintf(path, sizeof path, "/proc/%d/", pids[i]);
    long key = exact_key();
    if (key > best) {
      best = key;
      victim = pids[i];
    }
  }
  *seen = count;
  return victim;
}

/* One selection; returns the chosen pid and stores how many processes were looked at. */
static int select_victim(int mode, int *seen) {
  if (mode == 4) return two_phase(seen);
  DIR *proc = opendir("/proc");
  if (!proc) exit(4);
  long best = -1;
  int victim = 0, count = 0;
  struct dirent *d;
  while ((d = readdir(proc)) != NULL) {
    if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
    int pid = atoi(d->d_name);
    path_end = snprintf(path, sizeof path, "/proc/%d/", pid);
    long key = -1;
    if (mode == 0) {
      if (slurp("oom_score") > 0) key = atol(buf);
    } else if (mode == 3) {
      key = exact_key();
    } else {
      if (slurp("stat") > 0) {
        const char *close_paren = strrchr(buf, ')');
        unsigned long flags = 0;
        /* Field 9 (flags) is the 7th after the state. */
        if (close_paren) sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags);
        if (!(flags & 0x00200000) && slurp("status") > 0) {
          key = status_field("VmRSS:") + status_field("VmSwap:") + status_field("VmPTE:");
          if (mode == 2 && (slurp("oom_score_adj") <= 0 || slurp("cgroup") <= 0)) key = -1;
        }
      }
    }
    count++;
    if (key > best) {
      best = key;
      victim = pid;
    }
  }
  closedir(proc);
  *seen = count;
  return victim;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: floor score|stat-status|oomguard|exact|two-phase ITERATIONS\n");
    return 2;
  }
  int mode = strcmp(argv[1], "score") == 0 ? 0 : strcmp(argv[1], "stat-status") == 0 ? 1
           : strcmp(argv[1], "oomguard") == 0 ? 2 : strcmp(argv[1], "exact") == 0 ? 3
           : strcmp(argv[1], "two-phase") == 0 ? 4 : -1;
  int iterations = atoi(argv[2]);
  if (mode < 0 || iterations <= 0) {
    fprintf(stderr, "floor: bad mode or iteration count\n");
    return 2;
  }
  int seen = 0, victim = 0;
  victim = select_victim(mode, &seen); /* warm the dentry cache like every later selection */
  long cpu0 = ns(CLOCK_PROCESS_CPUTIME_ID), wall0 = ns(CLOCK_MONOTONIC);
  for (int i = 0; i < iterations; i++) victim ^= select_victim(mode, &seen);
  long cpu = ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = ns(CLOCK_MONOTONIC) - wall0;
  printf("%ld %ld %d %d\n", cpu / iterations, wall / iterations, seen, victim != 0);
  return 0;
}
