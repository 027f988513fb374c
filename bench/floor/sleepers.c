/* N sleeping processes for the selection benchmark: forks N-1 children that pause until killed, then
 * prints "ready" and pauses itself. Run it as the only workload of a PID namespace, whose end kills all. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc == 2 ? atol(argv[1]) : 0;
  if (n <= 0) {
    fprintf(stderr, "usage: sleepers N\n");
    return 2;
  }
  for (long i = 1; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 3;
    }
    if (pid == 0) {
      for (;;) pause();
    }
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
