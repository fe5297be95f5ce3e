/*
** adapters.c: fuzz target for a department's export read whole, as
** `adapter-NAME --check` reads it: adapters/core/adapter.c (rows, rejects,
** the reject file), the by-header reader adapters/core/table.c over csv.c
** (or labour's JSON Lines), the department's mapping (adapters/NAME.c: its
** columns, fields.c, community names, civilkey.c) and the record it
** builds. No hub and no state: --check reads and validates only.
**
** The department programs are linked in whole with their main renamed
** adapter_NAME_main (see the Makefile). Input: byte 0 picks the file (and
** so the department and the encoding); the rest is its content. Checked
** beyond crashes: the program ends 0 or 1 (never bad usage), and its
** reject file is UTF-8 a person can read.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

int adapter_police_main(int argc, char **argv);
int adapter_familyplanning_main(int argc, char **argv);
int adapter_labour_main(int argc, char **argv);
int adapter_civilaffairs_main(int argc, char **argv);

typedef struct {
    const char *program;
    const char *file;
    int (*main)(int argc, char **argv);
} department_file_t;

static const department_file_t s_files[] = {
    {"adapter-police", "hukou_20261101.csv", adapter_police_main},
    {"adapter-police", "hukou_20261102_delta.csv", adapter_police_main},
    {"adapter-familyplanning", "wis_20261101.tsv", adapter_familyplanning_main},
    {"adapter-labour", "jyzt_20261101.jsonl", adapter_labour_main},
    {"adapter-civilaffairs", "mz_roster_202611.csv", adapter_civilaffairs_main},
    {"adapter-civilaffairs", "facilities.csv", adapter_civilaffairs_main},
};
#define NFILES (sizeof s_files / sizeof s_files[0])

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!freopen("/dev/null", "w", stdout))   /* the summary line of every run */
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const department_file_t *f = &s_files[data[0] % NFILES];
    const char *path = fuzz_file(f->file, data + 1, size - 1);
    char file[600], state[300], rejects[600];
    snprintf(file, sizeof file, "%s", path);
    snprintf(state, sizeof state, "%s", fuzz_dir());
    char *argv[] = {(char *)f->program, "--check", "--state", state, file, NULL};
    int rc = f->main(5, argv);
    FUZZ_CHECK(rc == 0 || rc == 1);

    snprintf(rejects, sizeof rejects, "%s/check-rejects.csv", state);
    FILE *in = fopen(rejects, "rb");
    FUZZ_CHECK(in != NULL);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text, in);
    fclose(in);
    FUZZ_CHECK(fuzz_utf8(text, n) || n == sizeof text);
    return 0;
}
