/*
** main.c: hubd, the hub daemon. Arguments, home directory, config,
** log and signals; everything else is wired in server.c.
**   hubd --home DIR
** runs in the foreground until SIGTERM or SIGINT.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "server.h"

static volatile sig_atomic_t s_stop = 0, s_reopen = 0;

static void
s_on_signal(int sig)
{
    if (sig == SIGHUP)
        s_reopen = 1;   /* logrotate moved hub.log: open it again */
    else
        s_stop = 1;
}

static int
s_usage(FILE *f)
{
    fprintf(f, "usage: hubd --home DIR\n"
               "  Runs the hub in the foreground. DIR holds hub.conf (made with\n"
               "  commented defaults on first start), registry.db, hub.log, keys/\n"
               "  and principals. Stop with SIGTERM or Ctrl-C; SIGHUP reopens hub.log\n"
               "  (after logrotate moved it).\n");
    return f == stderr ? 2 : 0;
}

int
main(int argc, char **argv)
{
    const char *home = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
            home = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return s_usage(stdout);
        else {
            fprintf(stderr, "hubd: unknown argument `%s`\n", argv[i]);
            return s_usage(stderr);
        }
    }
    if (!home)
        return s_usage(stderr);
    if (mkdir(home, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "hubd: cannot create %s: %s\n", home, strerror(errno));
        return 1;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "hubd: libsodium failed to start\n");
        return 1;
    }
    char path[1100], err[1200];
    hub_config_t cfg;
    snprintf(path, sizeof path, "%s/hub.conf", home);
    if (config_load(&cfg, path, err, sizeof err) != HUB_OK) {
        fprintf(stderr, "hubd: %s\n", err);
        return 1;
    }
    log_level_t level;
    if (!log_level_parse(cfg.log_level, &level)) {
        fprintf(stderr, "hubd: %s: log_level `%s` is not error, warn, notice, info or debug\n", path,
                cfg.log_level);
        return 1;
    }
    snprintf(path, sizeof path, "%s/hub.log", home);
    if (log_open(path, level, LOG_NOTICE) != 0) {
        fprintf(stderr, "hubd: cannot open log %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    server_t *server = server_new(&cfg, home, err, sizeof err);
    if (!server) {
        log_error("HUB-START-FAIL", LOG_S("reason", err));
        fprintf(stderr, "hubd: %s\n", err);
        log_close();
        return 1;
    }
    int rc = server_run(server, &s_stop, &s_reopen);
    server_destroy(&server);
    log_close();
    return rc;
}
