/*
** maxrss.c: runs a command and writes its peak resident set size, for the
** tests that bound an adapter's memory on huge input:
**   maxrss OUTFILE COMMAND [ARG...]
** Writes the command's peak RSS in KiB (getrusage of the waited-for child)
** to OUTFILE and exits with the command's status (127 when it cannot run,
** 128+N when signal N ended it).
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: maxrss OUTFILE COMMAND [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("maxrss: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("maxrss: exec");
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    FILE *f = fopen(argv[1], "w");
    if (f) {
        fprintf(f, "%ld\n", ru.ru_maxrss);
        fclose(f);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
