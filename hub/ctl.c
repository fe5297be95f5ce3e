/*
** ctl.c: hubctl, the operators' and clerks' command-line client.
**   hubctl --home DIR get --idno N | --resident ID
**   hubctl --home DIR stats
**   hubctl --home DIR export-links
**   hubctl --home DIR facilities [--community CODE]
**   hubctl keygen FILE
** Talks to hubd's query endpoint as principal `admin` (or --principal).
** Exit status: 0 done, 1 the hub answered no (not found, refused),
** 2 bad usage, 3 the hub did not answer in time.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "feed.h"
#include "ctlout.h"
#include "normalize.h"
#include "keys.h"

static int
s_usage(FILE *f)
{
    fprintf(f,
            "usage: hubctl [--home DIR] [--principal NAME] [--endpoint EP] [--key FILE] [--hub-key FILE]\n"
            "              [--timeout MS] --purpose TEXT COMMAND\n"
            "Every request states its purpose (--purpose, or the HUB_PURPOSE environment\n"
            "variable): it is kept in the audit log with what was returned.\n"
            "commands:\n"
            "  get --idno NUMBER      the resident with that identity number (any form), with every\n"
            "                         source record and where it came from\n"
            "  get --resident ID      the same, by resident id\n"
            "  stats                  residents, source records by department, quarantine, rate\n"
            "  export-links           CSV: source,source_key,origin_file,origin_row,resident_id\n"
            "  facilities [--community CODE]\n"
            "                         community service facilities serving the community with\n"
            "                         that 12-digit code (all without it), one per line:\n"
            "                         number, name, type, status, community codes (tab-separated)\n"
            );
    fprintf(f,
            "  review list            open review items: pairs the hub could not decide, best first\n"
            "  review show ID         one review item's two records side by side, with the evidence\n"
            "  review link|split|dismiss ID\n"
            "                         decide it: the same person (merge), different people (never\n"
            "                         merged again automatically), or not worth acting on\n"
            "  events [--resident ID] merges and splits, newest first, with evidence and who decided\n"
            "  undo EVENT             put a merge or split back; the decision then sticks\n"
            "  rematch                match every stored record again (after a rule or weight\n"
            "                         change), keeping resident ids; reports what moved\n"
            "  quarantine [list]      refused input, newest first: when, from whom, what, why\n"
            "  quarantine show ID     one entry, and what can be done with it\n"
            "  quarantine replay ID   run it through ingest again (once its cause is fixed)\n"
            "  quarantine drop ID --reason TEXT\n"
            "                         set it aside for good, with the reason\n"
            "  estimate               Fellegi-Sunter weights estimated from the loaded data (EM)\n"
            "  search [--name N] [--birth YYYY-MM-DD|YYYY] [--phone P] [--address A]\n"
            "                         find residents: the name in any script or in pinyin\n"
            "                         (张伟, 張偉, zhang wei), ranked, with why each matched\n"
            "  household NUMBER       everyone registered in a household, with relations\n"
            "                         (search and household take --csv or --json too)\n"
            "  roster [AREA] [--age LO-HI] [--gender M|F] [--status S] [--category 户籍人口|流动人口]\n"
            "         [--employment E] [--entitlement CAT[:STATUS]] [--volunteer] [--household N]\n"
            "         [--csv | --json]\n"
            "                         the residents of a community or street (your own by default)\n"
            "  history --resident ID  what changed for a resident: every record version with\n"
            "                         when and from which department, and its merges and splits\n"
            "  figures [AREA]         a community's (code), a street's or the district's figures:\n"
            "                         population by age band and gender, households, floating\n"
            "                         population, employment, entitlements and amounts,\n"
            "                         volunteers, facilities by type and floor area\n"
            "  principal add NAME ROLE --key-out FILE | --public-key KEY\n"
            "                         admit a principal (roles: department:DEPT, committee:CODE,\n"
            "                         street:NAME, operator, admin, adapter:DEPT); with --key-out\n"
            "                         its new key pair is written to FILE\n"
            "  principal list | principal revoke NAME\n"
            "  audit --resident ID    who looked at this resident, when, and why\n"
            "  audit verify           check that no audit entry was removed or edited\n"
            "  status                 the hub at a glance: health, each adapter (up, silent, left),\n"
            "                         rates, queue, reviews; exit 0 healthy, 1 degraded, 2 down\n"
            "  top [--count N]        the same, redrawn every second (N times; Ctrl-C ends)\n"
            );
    fprintf(f,   /* (in two: a C string literal is at most 4095 characters) */
            "  alerts [--rule ID] [--community CODE] [--status open|closed]\n"
            "                         the cross-department checks' findings, with their evidence\n"
            "  alerts check           look at every resident again now; open alerts by rule\n"
            "  alerts close ID --note TEXT\n"
            "                         close a finding, saying what was done\n"
            "  reconcile DEPT FILE... a department's full export against what the hub holds from it:\n"
            "                         rows the hub lacks, records the export no longer has, values\n"
            "                         that differ (exit 0 the same, 1 differences)\n"
            "  subscribe [--from N] [--position FILE] [--count N] [--for SECONDS] [--json]\n"
            "                         the change feed within your scope, one event a line, after\n"
            "                         seq N, else after FILE's position (kept there), else where\n"
            "                         you last acknowledged; live until --count, --for or Ctrl-C\n"
            "  tail [--level L] [--msgid PREFIX] [--sender NAME] [--resident ID] [--count N]\n"
            "       [--for SECONDS] [--json]\n"
            "                         the hub's log as it is written (operators, admin)\n"
            "  backup FILE            a consistent copy of the registry, taken while the hub runs,\n"
            "                         written by the hub to FILE (new; on the hub's machine)\n"
            "  keygen FILE            make a CURVE key pair in FILE (secret) and print the public\n"
            "                         key, for a new line in the hub's principals file\n");
    return f == stderr ? 2 : 0;
}

static volatile sig_atomic_t s_interrupted = 0;   /* Ctrl-C ends tail and top */

static void
s_on_interrupt(int sig)
{
    (void)sig;
    s_interrupted = 1;
}

/* Send one query and wait for its answer; NULL (and a message) on timeout. */
static const char *s_purpose = "";   /* --purpose, or HUB_PURPOSE */

static Hub__Message *
s_ask(client_t *c, Hub__Query *q, int timeout_ms, uint64_t seq)
{
    Hub__Message *a = client_ask(c, q, s_purpose, seq, timeout_ms);
    if (!a)
        fprintf(stderr, "hubctl: no answer from the hub at %s within %d ms (is hubd running?)\n",
                client_endpoint(c), timeout_ms);
    return a;
}

static int
s_refused(const Hub__Answer *a)
{
    if (a->has_status && a->status != 0) {
        fprintf(stderr, "hubctl: %s\n", a->error ? a->error : hub_strerror((int)a->status));
        return 1;
    }
    return 0;
}

static int
s_get(client_t *c, const char *idno, long long resident, out_format_t format, int timeout_ms)
{
    Hub__GetResident g = HUB__GET_RESIDENT__INIT;
    g.idno = (char *)idno;
    if (resident) {
        g.has_resident_id = 1;
        g.resident_id = resident;
    }
    Hub__Query q = HUB__QUERY__INIT;
    q.q_case = HUB__QUERY__Q_GET;
    q.get = &g;
    Hub__Message *m = s_ask(c, &q, timeout_ms, 1);
    if (!m)
        return 3;
    int rc = s_refused(m->answer);
    if (!rc)
        out_residents(m->answer, format);
    hub__message__free_unpacked(m, NULL);
    return rc;
}

static int
s_hits(client_t *c, Hub__Query *q, out_format_t format, int timeout_ms)
{
    Hub__Message *m = s_ask(c, q, timeout_ms, 1);
    if (!m)
        return 3;
    int rc = s_refused(m->answer);
    if (!rc) {
        out_hits_t h;
        out_hits_begin(&h, format, true);
        for (size_t i = 0; i < m->answer->n_hits; i++)
            out_hit(&h, m->answer->hits[i]);
        out_hits_end(&h, false);
    }
    hub__message__free_unpacked(m, NULL);
    return rc;
}

/* An operator's command; the hub answers with a report in plain words or a table. */
static int s_admin_with(client_t *c, const char *command, long long id, const char *name, const char *role,
                        const char *key, const char *filter, out_format_t format, int timeout_ms);

static int
s_admin(client_t *c, const char *command, long long id, const char *name, const char *role, const char *key,
        out_format_t format, int timeout_ms)
{
    return s_admin_with(c, command, id, name, role, key, NULL, format, timeout_ms);
}

/* The same with a filter (roster, alerts). */
static int
s_admin_with(client_t *c, const char *command, long long id, const char *name, const char *role, const char *key,
             const char *filter, out_format_t format, int timeout_ms)
{
    Hub__Admin ad = HUB__ADMIN__INIT;
    ad.command = (char *)command;
    ad.name = (char *)name;
    ad.role = (char *)role;
    ad.public_key = (char *)key;
    ad.filter = (char *)filter;
    if (id) {
        ad.has_id = 1;
        ad.id = id;
    }
    Hub__Query q = HUB__QUERY__INIT;
    q.q_case = HUB__QUERY__Q_ADMIN;
    q.admin = &ad;
    Hub__Message *m = s_ask(c, &q, timeout_ms, 1);
    if (!m)
        return 3;
    out_table(m->answer, format);
    int rc = m->answer->has_status && m->answer->status != 0 ? 1 : 0;
    if (rc && (!m->answer->report || !*m->answer->report))
        fprintf(stderr, "hubctl: %s\n", m->answer->error ? m->answer->error : hub_strerror((int)m->answer->status));
    hub__message__free_unpacked(m, NULL);
    return rc;
}

/* status: the hub at a glance, exit 0 healthy, 1 degraded, 2 down (also
** when it does not answer). top: the same, redrawn every second. */
static int
s_status(client_t *c, bool top, long count, int timeout_ms)
{
    int verdict = 2;
    for (long n = 1;; n++) {
        Hub__Admin ad = HUB__ADMIN__INIT;
        ad.command = "status";
        Hub__Query q = HUB__QUERY__INIT;
        q.q_case = HUB__QUERY__Q_ADMIN;
        q.admin = &ad;
        Hub__Message *m = s_ask(c, &q, top ? 2000 : timeout_ms, (uint64_t)n);
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        if (top)   /* on a terminal, redrawn in place; into a file or pipe, one screen after another */
            printf("%s%s  hubctl top (every second; Ctrl-C ends)\n", isatty(STDOUT_FILENO) ? "\033[H\033[2J" : "\n",
                   when);
        if (!m) {
            if (top)
                printf("hub down: no answer from %s\n", client_endpoint(c));
            verdict = 2;
        } else if (s_refused(m->answer)) {
            verdict = 2;
        } else {
            out_table(m->answer, OUT_TABLE);
            verdict = m->answer->has_verdict ? (int)m->answer->verdict : 2;
        }
        if (m)
            hub__message__free_unpacked(m, NULL);
        fflush(stdout);
        if (!top || (count && n >= count) || s_interrupted)
            return verdict;
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
    }
}

static int
s_stats(client_t *c, int timeout_ms)
{
    Hub__StatsRequest sr = HUB__STATS_REQUEST__INIT;
    Hub__Query q = HUB__QUERY__INIT;
    q.q_case = HUB__QUERY__Q_STATS;
    q.stats = &sr;
    Hub__Message *m = s_ask(c, &q, timeout_ms, 1);
    if (!m)
        return 3;
    int rc = s_refused(m->answer);
    const Hub__Stats *s = m->answer->stats;
    if (!rc && s) {
        printf("residents            %lld\n", (long long)s->residents);
        printf("source records       %lld\n", (long long)s->source_records);
        for (size_t i = 0; i < s->n_by_department; i++)
            printf("  %-18s %lld\n", out_dept_name(s->by_department[i]->department),
                   (long long)s->by_department[i]->records);
        printf("quarantined          %lld\n", (long long)s->quarantined);
        printf("records/s (last min) %.1f\n", s->records_per_second);
        printf("hub uptime           %lld s\n", (long long)s->uptime_s);
    }
    hub__message__free_unpacked(m, NULL);
    return rc;
}

static int
s_export_links(client_t *c, int timeout_ms)
{
    printf("source,source_key,origin_file,origin_row,resident_id\n");
    int64_t after = 0;
    uint64_t seq = 0;
    for (;;) {
        Hub__ExportLinks el = HUB__EXPORT_LINKS__INIT;
        el.has_after = 1;
        el.after = after;
        Hub__Query q = HUB__QUERY__INIT;
        q.q_case = HUB__QUERY__Q_EXPORT_LINKS;
        q.export_links = &el;
        Hub__Message *m = s_ask(c, &q, timeout_ms, ++seq);
        if (!m)
            return 3;
        int rc = s_refused(m->answer);
        for (size_t i = 0; !rc && i < m->answer->n_links; i++) {
            const Hub__Link *l = m->answer->links[i];
            printf("%s,", out_dept_name(l->source));
            out_csv_field(l->source_key);
            putchar(',');
            out_csv_field(l->origin_file);
            printf(",%u,%lld\n", l->origin_row, (long long)l->resident_id);
        }
        bool done = rc || m->answer->done || m->answer->n_links == 0;
        after = m->answer->next_after;
        hub__message__free_unpacked(m, NULL);
        if (rc)
            return rc;
        if (done)
            return 0;
    }
}

static int
s_facilities(client_t *c, const char *community, int timeout_ms)
{
    Hub__FacilitiesQuery fq = HUB__FACILITIES_QUERY__INIT;
    fq.community = (char *)community;
    Hub__Query q = HUB__QUERY__INIT;
    q.q_case = HUB__QUERY__Q_FACILITIES;
    q.facilities = &fq;
    Hub__Message *m = s_ask(c, &q, timeout_ms, 1);
    if (!m)
        return 3;
    int rc = s_refused(m->answer);
    for (size_t i = 0; !rc && i < m->answer->n_facilities; i++) {
        const Hub__Facility *f = m->answer->facilities[i];
        printf("%s\t%s\t%s\t%s\t", f->facility_no ? f->facility_no : "", f->name ? f->name : "",
               f->type ? f->type : "", f->status ? f->status : "");
        for (size_t k = 0; k < f->n_communities; k++)
            printf("%s%s", k ? "," : "", f->communities[k]);
        putchar('\n');
    }
    if (!rc && m->answer->has_done && !m->answer->done)
        fprintf(stderr, "hubctl: more facilities match than one answer holds; these are the first %zu\n",
                m->answer->n_facilities);
    hub__message__free_unpacked(m, NULL);
    return rc;
}

/* subscribe: the change feed, one event a line, from after --from (else
** the position file's, else where this principal last acknowledged), until
** --count events, --for seconds or Ctrl-C. */
static int
s_subscribe(const client_opts_t *o, long long from, const char *position, long count, long seconds,
            out_format_t format)
{
    static const char *depts[] = {"", "police", "familyplanning", "labour", "civilaffairs"};
    feed_opts_t fo = {.client = *o, .purpose = s_purpose, .position_file = position, .has_from = from >= 0,
                      .from = from, .wait_ms = 1000};
    char err[1200];
    feed_t *f = feed_open(&fo, err, sizeof err);
    if (!f) {
        fprintf(stderr, "hubctl: %s\n", err);
        return 2;
    }
    int64_t end = seconds ? client_mono_ms() + seconds * 1000 : 0;
    long shown = 0;
    int rc = 0;
    while (!s_interrupted && (!count || shown < count) && (!end || client_mono_ms() < end)) {
        feed_event_t e;
        int got = feed_next(f, &e, 500, err, sizeof err);
        if (got < 0) {
            fprintf(stderr, "hubctl: %s\n", err);
            rc = 1;
            break;
        }
        if (!got)
            continue;
        const char *dept = e.source > 0 && e.source < 5 ? depts[e.source] : "";
        if (format == OUT_JSON)
            out_event_json(&e, dept);
        else
            printf("%lld\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)e.seq, e.kind, (long long)e.resident_id,
                   e.community, dept, e.source_key, e.field, e.old_value, e.new_value);
        fflush(stdout);
        shown++;
    }
    if (feed_gaps(f) || feed_reconnects(f))
        fprintf(stderr, "hubctl: %ld gaps asked for again, %ld reconnections\n", feed_gaps(f), feed_reconnects(f));
    feed_close(&f);
    return rc;
}

/* reconcile: run adapter-DEPT --reconcile (beside this hubctl) as this
** principal, with the purpose; its exit status is ours. */
static int
s_reconcile(const client_opts_t *o, const char *dept, int nfiles, char **files)
{
    char self[4096], prog[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "hubctl: cannot find the adapters beside hubctl\n");
        return 3;
    }
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(prog, sizeof prog, "%s/adapter-%s", self, dept);
    char **args = calloc((size_t)nfiles + 16, sizeof *args);
    int k = 0;
    if (!args)
        return 3;
    args[k++] = prog;
    args[k++] = "--reconcile";
    const char *pairs[][2] = {{"--home", o->home}, {"--principal", o->principal}, {"--key", o->key_file},
                              {"--hub-key", o->hub_key_file}, {"--hub", o->endpoint}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
        if (pairs[p][1]) {
            args[k++] = (char *)pairs[p][0];
            args[k++] = (char *)pairs[p][1];
        }
    args[k++] = "--";
    for (int f = 0; f < nfiles; f++)
        args[k++] = files[f];
    args[k] = NULL;
    if (*s_purpose)
        setenv("HUB_PURPOSE", s_purpose, 1);
    execv(prog, args);
    fprintf(stderr, "hubctl: cannot run %s: %s\n", prog, strerror(errno));
    free(args);
    return 3;
}

/* The client for o, or NULL after saying why. */
static client_t *
s_connect(const client_opts_t *o)
{
    char err[1200];
    client_t *c = client_new(o, err, sizeof err);
    if (!c)
        fprintf(stderr, "hubctl: %s\n", err);
    return c;
}

int
main(int argc, char **argv)
{
    client_opts_t o = {.principal = "admin", .port = CLIENT_QUERY};
    int timeout_ms = 10000, i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0)
            return s_usage(stdout);
        if (!v)
            return s_usage(stderr);
        if (strcmp(a, "--home") == 0) o.home = v;
        else if (strcmp(a, "--principal") == 0) o.principal = v;
        else if (strcmp(a, "--endpoint") == 0) o.endpoint = v;
        else if (strcmp(a, "--key") == 0) o.key_file = v;
        else if (strcmp(a, "--hub-key") == 0) o.hub_key_file = v;
        else if (strcmp(a, "--timeout") == 0) timeout_ms = atoi(v);
        else if (strcmp(a, "--purpose") == 0) s_purpose = v;
        else {
            fprintf(stderr, "hubctl: unknown option `%s`\n", a);
            return s_usage(stderr);
        }
        i++;
    }
    if (i >= argc)
        return s_usage(stderr);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!*s_purpose && getenv("HUB_PURPOSE"))
        s_purpose = getenv("HUB_PURPOSE");
    const char *cmd = argv[i++];
    out_format_t format = OUT_TABLE;   /* --csv / --json anywhere after the command */
    for (int k = i; k < argc; k++)
        if (!strcmp(argv[k], "--csv") || !strcmp(argv[k], "--json")) {
            if (strcmp(cmd, "get") && strcmp(cmd, "search") && strcmp(cmd, "household") && strcmp(cmd, "roster")
                && strcmp(cmd, "history") && strcmp(cmd, "figures") && strcmp(cmd, "tail")
                && strcmp(cmd, "subscribe")) {
                fprintf(stderr, "hubctl: %s takes no %s\n", cmd, argv[k]);
                return 2;
            }
            format = !strcmp(argv[k], "--csv") ? OUT_CSV : OUT_JSON;
            memmove(&argv[k], &argv[k + 1], (size_t)(argc - k - 1) * sizeof *argv);
            argc--;
            k--;
        }
    if (strcmp(cmd, "keygen") == 0) {
        keypair_t kp;
        if (i + 1 != argc || keys_generate(&kp) != HUB_OK
            || keys_save(&kp, argv[i], "principal key pair made by hubctl keygen", true) != HUB_OK) {
            fprintf(stderr, "hubctl: keygen needs one FILE that does not exist yet and can be written\n");
            return 2;
        }
        printf("%s\n", kp.public_);
        return 0;
    }
    const char *idno = NULL, *community = NULL;
    long long resident = 0;
    if (strcmp(cmd, "get") == 0) {
        if (i + 2 == argc && strcmp(argv[i], "--idno") == 0)
            idno = argv[i + 1];
        else if (i + 2 == argc && strcmp(argv[i], "--resident") == 0 && (resident = atoll(argv[i + 1])) > 0)
            ;
        else {
            fprintf(stderr, "hubctl: get needs --idno NUMBER or --resident ID\n");
            return 2;
        }
    } else if (strcmp(cmd, "facilities") == 0) {
        if (i + 2 == argc && strcmp(argv[i], "--community") == 0)
            community = argv[i + 1];
        else if (i != argc) {
            fprintf(stderr, "hubctl: facilities takes only --community CODE\n");
            return 2;
        }
    } else if (strcmp(cmd, "roster") == 0) {
        /* roster [AREA] [--age LO-HI] [--gender M|F] [--status S] [--category C] [--employment E]
        **        [--entitlement CAT[:STATUS]] [--volunteer] [--household N] [--csv | --json] */
        const char *area = i < argc && strncmp(argv[i], "--", 2) != 0 ? argv[i++] : "";
        char filter[512] = "";
        for (; i < argc; i++) {
            const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
            size_t l = strlen(filter);
            if (!strcmp(a, "--volunteer")) snprintf(filter + l, sizeof filter - l, "%svolunteer", l ? "," : "");
            else if (v && (!strcmp(a, "--age") || !strcmp(a, "--gender") || !strcmp(a, "--status")
                           || !strcmp(a, "--category") || !strcmp(a, "--employment") || !strcmp(a, "--entitlement")
                           || !strcmp(a, "--household"))) {
                snprintf(filter + l, sizeof filter - l, "%s%s=%s", l ? "," : "", a + 2, v);
                i++;
            } else {
                fprintf(stderr, "hubctl: roster [AREA] [--age LO-HI] [--gender M|F] [--status S] [--category C]\n"
                                "        [--employment E] [--entitlement CAT[:STATUS]] [--volunteer] [--household N]\n"
                                "        [--csv | --json]\n");
                return 2;
            }
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = 0;
        long long after = 0;
        out_hits_t h;
        out_hits_begin(&h, format, false);
        for (uint64_t seq = 1;; seq++) {
            Hub__Admin ad = HUB__ADMIN__INIT;
            ad.command = "roster";
            ad.name = (char *)area;
            ad.filter = filter;
            ad.has_after = 1;
            ad.after = after;
            Hub__Query q = HUB__QUERY__INIT;
            q.q_case = HUB__QUERY__Q_ADMIN;
            q.admin = &ad;
            Hub__Message *m = s_ask(c, &q, timeout_ms, seq);
            if (!m) {
                rc = 3;
                break;
            }
            if ((rc = s_refused(m->answer)) != 0) {
                hub__message__free_unpacked(m, NULL);
                break;
            }
            size_t n = m->answer->n_hits;
            for (size_t k = 0; k < n; k++) {
                out_hit(&h, m->answer->hits[k]);
                after = m->answer->hits[k]->resident_id;
            }
            hub__message__free_unpacked(m, NULL);
            if (n < 100)
                break;
        }
        if (rc == 0)
            out_hits_end(&h, true);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "history") == 0) {
        long long id = i + 2 == argc && strcmp(argv[i], "--resident") == 0 ? atoll(argv[i + 1]) : 0;
        if (id <= 0) {
            fprintf(stderr, "hubctl: history --resident ID\n");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin(c, "history", id, NULL, NULL, NULL, format, timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "tail") == 0) {
        /* tail [--level L] [--msgid M] [--sender S] [--resident ID] [--count N] [--for SECONDS] [--json] */
        const char *level = NULL, *msgid = NULL, *sender = NULL;
        long long resident = 0;
        long count = 0, seconds = 0;
        for (; i + 1 < argc; i += 2) {
            const char *a = argv[i], *v = argv[i + 1];
            if (!strcmp(a, "--level")) level = v;
            else if (!strcmp(a, "--msgid")) msgid = v;
            else if (!strcmp(a, "--sender")) sender = v;
            else if (!strcmp(a, "--resident")) resident = atoll(v);
            else if (!strcmp(a, "--count")) count = atol(v);
            else if (!strcmp(a, "--for")) seconds = atol(v);
            else break;
        }
        if (i != argc) {
            fprintf(stderr, "hubctl: tail [--level L] [--msgid M] [--sender S] [--resident ID] [--count N]\n"
                            "        [--for SECONDS] [--json]\n");
            return 2;
        }
        o.port = CLIENT_EVENTS;
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        client_subscribe(c, "log");
        int64_t end = seconds ? client_mono_ms() + seconds * 1000 : 0;
        long shown = 0;
        while (!s_interrupted && (!count || shown < count) && (!end || client_mono_ms() < end)) {
            char topic[16];
            char *line = client_recv_event(c, 200, topic, sizeof topic);
            if (line && out_log_line(line, format, level, msgid, sender, resident))
                shown++;
            free(line);
        }
        client_destroy(&c);
        return 0;
    } else if (strcmp(cmd, "subscribe") == 0) {
        /* subscribe [--from N] [--position FILE] [--count N] [--for SECONDS] [--json] */
        long long from = -1;
        long count = 0, seconds = 0;
        const char *position = NULL;
        for (; i + 1 < argc; i += 2) {
            const char *a = argv[i], *v = argv[i + 1];
            if (!strcmp(a, "--from")) from = atoll(v);
            else if (!strcmp(a, "--position")) position = v;
            else if (!strcmp(a, "--count")) count = atol(v);
            else if (!strcmp(a, "--for")) seconds = atol(v);
            else break;
        }
        if (i != argc || (from < -1)) {
            fprintf(stderr, "hubctl: subscribe [--from N] [--position FILE] [--count N] [--for SECONDS] [--json]\n");
            return 2;
        }
        return s_subscribe(&o, from, position, count, seconds, format);
    } else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "top") == 0) {
        bool top = strcmp(cmd, "top") == 0;
        long count = 0;   /* top: refreshes before it ends (0: until interrupted) */
        if (top && i + 2 == argc && strcmp(argv[i], "--count") == 0)
            count = atol(argv[i + 1]), i += 2;
        if (i != argc) {
            fprintf(stderr, "hubctl: %s\n", top ? "top [--count N]" : "status takes no arguments");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_status(c, top, count, timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "backup") == 0) {
        if (i + 1 != argc) {
            fprintf(stderr, "hubctl: backup FILE (a new file, on the hub's machine)\n");
            return 2;
        }
        char path[4096], cwd[3800];
        if (argv[i][0] == '/')
            snprintf(path, sizeof path, "%s", argv[i]);
        else if (getcwd(cwd, sizeof cwd))
            snprintf(path, sizeof path, "%s/%s", cwd, argv[i]);
        else {
            fprintf(stderr, "hubctl: cannot tell the current directory; give FILE as an absolute path\n");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin(c, "backup", 0, path, NULL, NULL, OUT_TABLE, timeout_ms * 30);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "figures") == 0) {
        const char *area = i < argc ? argv[i++] : "";
        if (i != argc) {
            fprintf(stderr, "hubctl: figures [COMMUNITY-CODE | STREET]\n");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin(c, "area-stats", 0, area, NULL, NULL, format, timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "search") == 0 || strcmp(cmd, "household") == 0) {
        Hub__SearchQuery sq = HUB__SEARCH_QUERY__INIT;
        Hub__HouseholdQuery hq = HUB__HOUSEHOLD_QUERY__INIT;
        Hub__Query q = HUB__QUERY__INIT;
        if (strcmp(cmd, "household") == 0) {
            if (i + 1 != argc) {
                fprintf(stderr, "hubctl: household NUMBER [--csv | --json]\n");
                return 2;
            }
            hq.number = argv[i];
            q.q_case = HUB__QUERY__Q_HOUSEHOLD;
            q.household = &hq;
        } else {
            for (; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "--name") == 0) sq.name = argv[i + 1];
                else if (strcmp(argv[i], "--birth") == 0) sq.birth = argv[i + 1];
                else if (strcmp(argv[i], "--phone") == 0) sq.phone = argv[i + 1];
                else if (strcmp(argv[i], "--address") == 0) sq.address = argv[i + 1];
                else if (strcmp(argv[i], "--limit") == 0) sq.has_limit = 1, sq.limit = (uint32_t)atoi(argv[i + 1]);
                else break;
            }
            if (i != argc) {
                fprintf(stderr, "hubctl: search [--name NAME] [--birth YYYY-MM-DD|YYYY] [--phone P] [--address A]\n");
                return 2;
            }
            q.q_case = HUB__QUERY__Q_SEARCH;
            q.search = &sq;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_hits(c, &q, format, timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "reconcile") == 0) {
        /* reconcile DEPT FILE...: the department's adapter reads the export and compares */
        static const char *depts[] = {"police", "familyplanning", "labour", "civilaffairs"};
        bool known = false;
        for (size_t k = 0; i < argc && k < sizeof depts / sizeof depts[0]; k++)
            known = known || !strcmp(argv[i], depts[k]);
        if (!known || i + 2 > argc) {
            fprintf(stderr, "hubctl: reconcile police|familyplanning|labour|civilaffairs FILE...\n");
            return 2;
        }
        return s_reconcile(&o, argv[i], argc - i - 1, argv + i + 1);
    } else if (strcmp(cmd, "alerts") == 0) {
        /* alerts [--rule R] [--community CODE] [--status open|closed] | alerts check | alerts close ID --note TEXT */
        char filter[256] = "", command[32] = "alerts";
        const char *note = NULL;
        long long id = 0;
        if (i < argc && !strcmp(argv[i], "check") && i + 1 == argc) {
            snprintf(command, sizeof command, "alerts-check");
            i++;
        } else if (i + 4 == argc && !strcmp(argv[i], "close") && (id = atoll(argv[i + 1])) > 0
                   && !strcmp(argv[i + 2], "--note")) {
            snprintf(command, sizeof command, "alert-close");
            note = argv[i + 3];
            i = argc;
        }
        for (; !strcmp(command, "alerts") && i + 1 < argc; i += 2) {
            const char *a = argv[i], *v = argv[i + 1];
            const char *k = !strcmp(a, "--rule") ? "rule" : !strcmp(a, "--community") ? "community"
                            : !strcmp(a, "--status") ? "status" : NULL;
            if (!k)
                break;
            snprintf(filter + strlen(filter), sizeof filter - strlen(filter), "%s%s=%s", *filter ? "," : "", k, v);
        }
        if (i != argc) {
            fprintf(stderr, "hubctl: alerts [--rule ID] [--community CODE] [--status open|closed]; alerts check;\n"
                            "        alerts close ID --note TEXT\n");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin_with(c, command, id, note, NULL, NULL, filter, OUT_TABLE,
                              !strcmp(command, "alerts-check") ? timeout_ms * 30 : timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "principal") == 0 || strcmp(cmd, "audit") == 0) {
        /* principal add NAME ROLE (--key-out FILE | --public-key Z85) | list | revoke NAME;
        ** audit --resident ID | audit verify */
        const char *sub = i < argc ? argv[i++] : "";
        const char *name = NULL, *role = NULL, *pub = NULL, *out = NULL;
        char command[32] = "";
        long long id = 0;
        keypair_t kp;
        if (strcmp(cmd, "audit") == 0 && strcmp(sub, "verify") == 0 && i == argc)
            snprintf(command, sizeof command, "audit-verify");
        else if (strcmp(cmd, "audit") == 0 && strcmp(sub, "--resident") == 0 && i + 1 == argc && (id = atoll(argv[i])) > 0)
            snprintf(command, sizeof command, "audit");
        else if (strcmp(cmd, "principal") == 0 && strcmp(sub, "list") == 0 && i == argc)
            snprintf(command, sizeof command, "principal-list");
        else if (strcmp(cmd, "principal") == 0 && strcmp(sub, "revoke") == 0 && i + 1 == argc) {
            snprintf(command, sizeof command, "principal-revoke");
            name = argv[i];
        } else if (strcmp(cmd, "principal") == 0 && strcmp(sub, "add") == 0 && i + 4 == argc) {
            snprintf(command, sizeof command, "principal-add");
            name = argv[i];
            role = argv[i + 1];
            if (strcmp(argv[i + 2], "--public-key") == 0)
                pub = argv[i + 3];
            else if (strcmp(argv[i + 2], "--key-out") == 0)
                out = argv[i + 3];
        }
        if (!command[0] || (role && !pub && !out)) {
            fprintf(stderr, "hubctl: principal add NAME ROLE --key-out FILE | --public-key KEY; principal list;\n"
                            "        principal revoke NAME; audit --resident ID; audit verify\n");
            return 2;
        }
        if (out) {   /* a new key pair: the secret stays here, the public half goes to the hub */
            char comment[128];
            snprintf(comment, sizeof comment, "principal %s (%s)", name, role);
            if (keys_generate(&kp) != HUB_OK || keys_save(&kp, out, comment, true) != HUB_OK) {
                fprintf(stderr, "hubctl: cannot write the key file %s (it must not exist yet)\n", out);
                return 2;
            }
            pub = kp.public_;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin(c, command, id, name, role, pub, OUT_TABLE, timeout_ms);
        client_destroy(&c);
        return rc;
    } else if (strcmp(cmd, "review") == 0 || strcmp(cmd, "events") == 0 || strcmp(cmd, "undo") == 0
               || strcmp(cmd, "rematch") == 0 || strcmp(cmd, "estimate") == 0 || strcmp(cmd, "quarantine") == 0) {
        static char command[32];
        long long id = 0;
        const char *sub = strcmp(cmd, "review") == 0 && i < argc ? argv[i++] : NULL, *reason = NULL;
        if (strcmp(cmd, "review") == 0 && !sub) {
            fprintf(stderr, "hubctl: review list | show ID | link ID | split ID | dismiss ID\n");
            return 2;
        }
        if (strcmp(cmd, "quarantine") == 0 && i < argc
            && (!strcmp(argv[i], "list") || !strcmp(argv[i], "show") || !strcmp(argv[i], "replay")
                || !strcmp(argv[i], "drop")))
            sub = argv[i++];
        if (strcmp(cmd, "quarantine") == 0 && i + 1 < argc && strcmp(argv[argc - 2], "--reason") == 0) {
            reason = argv[argc - 1];
            argc -= 2;
        }
        if (sub && !strcmp(cmd, "quarantine") && !strcmp(sub, "list"))
            sub = NULL;   /* the list is plain `quarantine` to the hub */
        snprintf(command, sizeof command, "%s%s%s", cmd, sub ? "-" : "", sub ? sub : "");
        if (i < argc && strcmp(argv[i], "--resident") == 0 && i + 1 < argc)
            i++;
        if (i < argc) {   /* an id given must be one: not read as 0 (every resident) */
            char *end;
            id = strtoll(argv[i++], &end, 10);
            if (*end || id <= 0) {
                fprintf(stderr, "hubctl: %s: the id must be a whole number above 0\n", command);
                return 2;
            }
        }
        bool needs_id = strcmp(cmd, "undo") == 0 || (sub && strcmp(sub, "list") != 0);
        if (i != argc || (needs_id && id <= 0)) {
            fprintf(stderr, "hubctl: %s needs %s\n", command, needs_id ? "one id (a number)" : "no more arguments");
            return 2;
        }
        client_t *c = s_connect(&o);
        if (!c)
            return 2;
        int rc = s_admin(c, command, id, reason, NULL, NULL, OUT_TABLE, strcmp(cmd, "rematch") == 0 ? timeout_ms * 30 : timeout_ms);
        client_destroy(&c);
        return rc;
    } else if ((strcmp(cmd, "stats") != 0 && strcmp(cmd, "export-links") != 0) || i != argc) {
        fprintf(stderr, "hubctl: unknown command `%s`\n", cmd);
        return s_usage(stderr);
    }
    client_t *c = s_connect(&o);
    if (!c)
        return 2;
    int rc = strcmp(cmd, "get") == 0          ? s_get(c, idno, resident, format, timeout_ms)
             : strcmp(cmd, "stats") == 0      ? s_stats(c, timeout_ms)
             : strcmp(cmd, "facilities") == 0 ? s_facilities(c, community, timeout_ms)
                                              : s_export_links(c, timeout_ms);
    client_destroy(&c);
    return rc;
}
