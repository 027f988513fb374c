/* A memory hog that grows at a steady rate inside a memory cgroup, and the witness of how it ended.
 * usage: grower CGROUP_DIR RATE_MIB_PER_S MAX_MIB THRESHOLD_BYTES TIMEOUT_S
 * The child joins CGROUP_DIR, then touches pages so that RATE MiB/s have been written at every moment
 * (paced by the clock, not by sleeps per MiB), up to MAX_MIB, and notes when the cgroup's usage first
 * reached THRESHOLD_BYTES. A SIGTERM handler notes when the signal came. The parent waits for the child
 * (SIGKILLs it after TIMEOUT_S) and prints one JSON line:
 *   {"crossMs":..,"signalMs":..,"signal":..,"grownMiB":..,"peakBytes":..,"kernelKills":..,"rateMiBps":..}
 * crossMs and signalMs count from the start of growth; signalMs is the SIGTERM handler's time, or the
 * time the parent saw the child die for a signal it cannot catch (SIGKILL, from oomguard or the kernel).
 * peakBytes is memory.max_usage_in_bytes (reset at start); kernelKills the rise of oom_kill in
 * memory.oom_control. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
  volatile long start_ns, cross_ns, signal_ns, grown_bytes;
};
static struct shared *sh;

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void on_term(int sig) {
  (void)sig;
  sh->signal_ns = now_ns();
  _exit(0);
}

static void write_file(const char *dir, const char *name, const char *value) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, value, strlen(value)) < 0) {
    perror(path);
    exit(3);
  }
  close(fd);
}

static long read_long_after(const char *dir, const char *name, const char *key) {
  char path[4096], buf[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  if (!key) return atol(buf);
  char *p = strstr(buf, key);
  return p ? atol(p + strlen(key)) : -1;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: grower CGROUP_DIR RATE_MIB_PER_S MAX_MIB THRESHOLD_BYTES TIMEOUT_S\n");
    return 2;
  }
  const char *dir = argv[1];
  long rate = atol(argv[2]), max_mib = atol(argv[3]), threshold = atol(argv[4]), timeout_s = atol(argv[5]);
  sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) return 4;
  write_file(dir, "memory.max_usage_in_bytes", "0");
  long kills0 = read_long_after(dir, "memory.oom_control", "oom_kill ");
  pid_t child = fork();
  if (child < 0) return 5;
  if (child == 0) {
    char pid[32];
    snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    write_file(dir, "cgroup.procs", pid);
    signal(SIGTERM, on_term);
    long max = max_mib << 20, page = 4096, chunk = 64 * page;
    char *mem = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) _exit(4);
    char path[4096];
    snprintf(path, sizeof path, "%s/memory.usage_in_bytes", dir);
    int usage_fd = open(path, O_RDONLY);
    char buf[64];
    sh->start_ns = now_ns();
    long grown = 0;
    while (grown < max) {
      long due = (long)((double)(now_ns() - sh->start_ns) / 1e9 * (double)rate * 1048576.0);
      if (due > max) due = max;
      if (grown >= due) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
        continue;
      }
      long until = grown + chunk < due ? grown + chunk : due;
      for (; grown < until; grown += page) mem[grown] = 0x5a;
      sh->grown_bytes = grown;
      if (sh->cross_ns == 0) {
        ssize_t n = pread(usage_fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
          buf[n] = 0;
          if (atol(buf) >= threshold) sh->cross_ns = now_ns();
        }
      }
    }
    for (;;) pause();
  }
  int status = 0;
  long deadline = now_ns() + timeout_s * 1000000000L;
  for (;;) {
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (now_ns() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      status = -1;
      break;
    }
    usleep(500);
  }
  long end_ns = now_ns();
  int sig = status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) : (sh->signal_ns ? SIGTERM : 0);
  long signal_ns = sh->signal_ns ? sh->signal_ns : end_ns;
  long peak = read_long_after(dir, "memory.max_usage_in_bytes", NULL);
  long kills1 = read_long_after(dir, "memory.oom_control", "oom_kill ");
  double ms = 1e6;
  printf("{\"crossMs\":%.3f,\"signalMs\":%.3f,\"signal\":%d,\"grownMiB\":%.1f,\"peakBytes\":%ld,"
         "\"kernelKills\":%ld,\"timedOut\":%s}\n",
         sh->cross_ns ? (sh->cross_ns - sh->start_ns) / ms : -1.0, (signal_ns - sh->start_ns) / ms, sig,
         sh->grown_bytes / 1048576.0, peak, kills1 - kills0, status == -1 ? "true" : "false");
  return 0;
}
