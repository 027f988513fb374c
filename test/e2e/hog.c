/* A memory hog of known size for real-kernel tests.
 * usage: hog [-c PROCS_FILE] [-a ADJ] [-s SIZE_MIB] [-p PUSH_MIB] [-r MIB_PER_S] [-w] [-t] [-G PGID]
 *   -c  cgroup.procs file to join before allocating
 *   -a  oom_score_adj to set before allocating (default: leave it)
 *   -s  MiB to allocate and touch at once; then print "ready" on stdout
 *   -p  then allocate this many more MiB, 1 MiB at a time, and print "pushed"
 *   -r  ... at this rate in MiB/s (default: as fast as possible)
 *   -w  wait for SIGUSR1 before pushing
 *   -t  ignore SIGTERM (a victim that must be escalated to SIGKILL)
 *   -G  join process group PGID (setpgid) first
 * Then it sleeps until killed. Pages are written with non-zero bytes so they are really resident. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void write_file(const char *path, const char *value) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(value, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(3);
  }
}

static void touch_mib(long mib, long rate) {
  for (long i = 0; i < mib; i++) {
    char *p = malloc(1 << 20);
    if (!p) exit(4);
    memset(p, 0x5a, 1 << 20);
    if (rate > 0) {
      struct timespec ts = {0, 1000000000L / rate};
      nanosleep(&ts, NULL);
    }
  }
}

int main(int argc, char **argv) {
  const char *procs = NULL, *adj = NULL;
  long size = 0, push = 0, rate = 0, pgid = -1;
  int wait_signal = 0, ignore_term = 0, opt;
  while ((opt = getopt(argc, argv, "c:a:s:p:r:wtG:")) != -1) {
    switch (opt) {
      case 'c': procs = optarg; break;
      case 'a': adj = optarg; break;
      case 's': size = atol(optarg); break;
      case 'p': push = atol(optarg); break;
      case 'r': rate = atol(optarg); break;
      case 'w': wait_signal = 1; break;
      case 't': ignore_term = 1; break;
      case 'G': pgid = atol(optarg); break;
      default:
        fprintf(stderr, "usage: hog [-c PROCS] [-a ADJ] [-s MIB] [-p MIB] [-r MIB/S] [-w] [-t] [-G PGID]\n");
        return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  if (ignore_term) signal(SIGTERM, SIG_IGN);
  if (pgid >= 0 && setpgid(0, (pid_t)pgid) != 0) {
    perror("setpgid");
    return 5;
  }
  char buf[32];
  if (procs) {
    snprintf(buf, sizeof buf, "%d\n", (int)getpid());
    write_file(procs, buf);
  }
  if (adj) write_file("/proc/self/oom_score_adj", adj);
  touch_mib(size, 0);
  printf("ready\n");
  fflush(stdout);
  if (push > 0) {
    if (wait_signal) {
      int sig;
      sigwait(&set, &sig);
    }
    touch_mib(push, rate);
    printf("pushed\n");
    fflush(stdout);
  }
  for (;;) pause();
}
