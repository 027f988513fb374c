/* N sleeping processes for the selection benchmark: forks N-1 children that pause until killed, then
 * prints "ready" and pauses itself. Run it as the only workload of a PID namespace, whose end kills all.
 * usage: sleepers N [HOGS]: the first HOGS children first touch (i + 1) x 32 MiB each (32, 64, ... MiB),
 * so that a few processes stand out as on a real machine. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc >= 2 ? atol(argv[1]) : 0;
  long hogs = argc == 3 ? atol(argv[2]) : 0;
  if (n <= 0 || argc > 3 || hogs < 0 || hogs >= n) {
    fprintf(stderr, "usage: sleepers N [HOGS]\n");
    return 2;
  }
  for (long i = 1; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 3;
    }
    if (pid == 0) {
      if (i <= hogs) {
        size_t size = (size_t)i * 32 << 20;
        /* volatile: an unused malloc'd block would be optimised away with its writes. */
        volatile char *mem = malloc(size);
        for (size_t at = 0; mem && at < size; at += 4096) mem[at] = 1;
      }
      for (;;) pause();
    }
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
