/* A memory hog of known size for real-kernel tests.
 * usage: hog PROCS_FILE ADJ SIZE_MIB PUSH_MIB
 *   PROCS_FILE  cgroup.procs to join before allocating ("-" for none)
 *   ADJ         oom_score_adj to set before allocating
 *   SIZE_MIB    MiB to allocate and touch at once; then prints "ready" on stdout
 *   PUSH_MIB    on SIGUSR1, allocate this many more MiB, 1 MiB at a time (0: never)
 * Then it sleeps until killed. Pages are written with non-zero bytes so they are really resident. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_file(const char *path, const char *value) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(value, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(3);
  }
}

static void touch_mib(long mib) {
  for (long i = 0; i < mib; i++) {
    char *p = malloc(1 << 20);
    if (!p) exit(4);
    memset(p, 0x5a, 1 << 20);
  }
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: hog PROCS_FILE ADJ SIZE_MIB PUSH_MIB\n");
    return 2;
  }
  char buf[32];
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  if (strcmp(argv[1], "-") != 0) {
    snprintf(buf, sizeof buf, "%d\n", (int)getpid());
    write_file(argv[1], buf);
  }
  write_file("/proc/self/oom_score_adj", argv[2]);
  touch_mib(atol(argv[3]));
  printf("ready\n");
  fflush(stdout);
  long push = atol(argv[4]);
  if (push > 0) {
    int sig;
    sigwait(&set, &sig);
    touch_mib(push);
    printf("pushed\n");
    fflush(stdout);
  }
  for (;;) pause();
}
