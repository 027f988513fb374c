/* The floor of a victim selection: the /proc reads that cannot be avoided, and nothing else.
 * usage: floor MODE ITERATIONS
 *   MODE score        per pid: oom_score (earlyoom's ranking key); the highest wins
 *   MODE stat-status  per pid: stat + status (kthread flag, uid, RSS, swap, page tables); the largest wins
 *   MODE oomguard     per pid: the files oomguard reads: stat, status, oom_score_adj, cgroup
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

/* One selection; returns the chosen pid and stores how many processes were looked at. */
static int select_victim(int mode, int *seen) {
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
    fprintf(stderr, "usage: floor score|stat-status|oomguard ITERATIONS\n");
    return 2;
  }
  int mode = strcmp(argv[1], "score") == 0 ? 0 : strcmp(argv[1], "stat-status") == 0 ? 1
           : strcmp(argv[1], "oomguard") == 0 ? 2 : -1;
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
