/*
** server.h: hubd's sockets and its one loop. The only user of ZeroMQ in
** the hub besides auth's ZAP handler. Ingest frames go into one open
** transaction (group commit: closed when group_commit_max_records are in
** it, when its oldest frame is group_commit_max_ms old, or as soon as no
** more input is waiting), and their acks go out only after it commits.
*/
#ifndef HUB_SERVER_H
#define HUB_SERVER_H

#include <signal.h>
#include <stddef.h>
#include "config.h"

typedef struct server server_t;

server_t *server_new(const hub_config_t *cfg, const char *home, char *errbuf, size_t errcap);
void server_destroy(server_t **self_p);

/* Serve until *stop becomes non-zero (set from a signal handler); then
** finish the open transaction, send its acks and return 0. */
int server_run(server_t *self, volatile sig_atomic_t *stop, volatile sig_atomic_t *reopen_log);

#endif
