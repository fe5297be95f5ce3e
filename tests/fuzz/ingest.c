/*
** ingest.c: fuzz target for what the hub does with a frame from an adapter
** before the registry: hub/ingest.c's checks (ingest_check_frame: size,
** codec_decode of hub/codec.c, envelope; ingest_check_record per record),
** then for each record it would store what ingest and the resolver compute
** without the store: the identity number (resolve_idno), the facts
** (codec_record_facts, and codec_body_facts / codec_body_idno on the body
** it would keep, as the backfill and rematch read it), the matching
** features and blocking keys (hub/match.c), a comparison with the record
** before it, and the acknowledgement it would send (codec_encode_ack).
** What needs the registry (duplicates, store, resolve, quarantine) is not
** run here: tests/unit/test_store.c and the integration tests cover it.
**
** Input: byte 0 picks the authenticated principal (the four adapters, then
** one that is no adapter); the rest is the frame. Checked beyond crashes:
** a stored body gives the same facts and number as the frame did.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "codec.h"
#include "facts.h"
#include "ingest.h"
#include "match.h"
#include "resolve.h"

#define MAX_BYTES (1 << 20)

static const principal_t s_who[] = {
    {.name = "police", .kind = ROLE_ADAPTER, .department = 1},
    {.name = "familyplanning", .kind = ROLE_ADAPTER, .department = 2},
    {.name = "labour", .kind = ROLE_ADAPTER, .department = 3},
    {.name = "civilaffairs", .kind = ROLE_ADAPTER, .department = 4},
    {.name = "admin", .kind = ROLE_ADMIN, .department = 0},
};

static bool
s_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The facts of a frame's record and of its stored body agree. */
static void
s_same_facts(const facts_t *a, const facts_t *b)
{
    FUZZ_CHECK(a->kind == b->kind && a->nraws == b->nraws);
    FUZZ_CHECK(s_same(a->person.name, b->person.name) && s_same(a->person.birth_date, b->person.birth_date));
    FUZZ_CHECK(s_same(a->person.gender, b->person.gender) && s_same(a->person.phone, b->person.phone));
    FUZZ_CHECK(s_same(a->person.community_code, b->person.community_code));
    FUZZ_CHECK(a->labour.ntraining == b->labour.ntraining);
    FUZZ_CHECK(a->facility.ncommunities == b->facility.ncommunities);
    for (size_t k = 0; k < a->nraws; k++)
        FUZZ_CHECK(s_same(a->raws[k].field, b->raws[k].field) && s_same(a->raws[k].raw, b->raws[k].raw));
}

/* What ingest and the resolver compute of an accepted record. */
static void
s_record(const msg_t *m, size_t i, match_rec_t *prev, bool *have_prev)
{
    const rec_t *rec = &m->recs[i];
    facts_t facts, stored;
    codec_record_facts(m, i, &facts);
    char idno[NORM_IDNO_SIZE], typed[NORM_IDNO_SIZE], foreign[NORM_IDNO_SIZE];
    norm_idno_status_t st = resolve_idno(rec, &facts, 0, idno, typed, foreign);
    FUZZ_CHECK((st == NORM_IDNO_VALID) == (idno[0] != 0 || foreign[0] != 0));
    FUZZ_CHECK(!(idno[0] && foreign[0]));
    FUZZ_CHECK(codec_body_facts(rec->body, rec->body_len, &stored) == HUB_OK);
    s_same_facts(&facts, &stored);
    facts_fini(&stored);
    char raw[256];
    FUZZ_CHECK(codec_body_idno(rec->body, rec->body_len, raw, sizeof raw) == HUB_OK);
    FUZZ_CHECK(rec->idno_raw ? strncmp(raw, rec->idno_raw, sizeof raw - 1) == 0 : raw[0] == 0);

    if (rec->person) {
        match_rec_t mr;
        match_rec_from_facts(&mr, &facts, rec->source, idno[0] ? idno : NULL, typed[0] ? typed : NULL,
                             foreign[0] ? foreign : NULL, 2026, 11);
        match_key_t keys[MATCH_MAX_KEYS];
        size_t n = match_blocking_keys(&mr, keys);
        FUZZ_CHECK(n <= MATCH_MAX_KEYS);
        for (size_t k = 0; k < n; k++)
            FUZZ_CHECK(memchr(keys[k], 0, MATCH_KEY_LEN) != NULL);
        if (idno[0]) {   /* the resolver's data-quality flags read these */
            char birth[11];
            norm_idno_birth(idno, birth);
            norm_idno_gender(idno);
        }
        match_weights_t w;
        match_weights_default(&w);
        match_cmp_t cmp;
        char evidence[512];
        match_compare(&mr, *have_prev ? prev : &mr, &cmp);
        match_score(&cmp, &w);
        match_evidence(&cmp, evidence, sizeof evidence);
        match_compare(&mr, &mr, &cmp);
        *prev = mr;
        *have_prev = true;
    }
    facts_fini(&facts);
    facts_fini(&facts);   /* safe twice */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const principal_t *who = &s_who[data[0] % (sizeof s_who / sizeof s_who[0])];
    data++;
    size--;

    msg_t m;
    char why[200];
    memset(why, 'Z', sizeof why);
    hub_err_t code = ingest_check_frame(who, MAX_BYTES, data, size, &m, why, sizeof why);
    if (code != HUB_OK) {
        FUZZ_CHECK(memchr(why, 0, sizeof why) != NULL && why[0] != 'Z');
        uint8_t *frame;
        size_t len;
        ack_t ack = {.seq = m.pb ? m.seq : 0, .status = ACK_REJECTED, .code = code, .reason = why};
        codec_encode_ack(&ack, 1, &frame, &len);
        free(frame);
        codec_msg_fini(&m);
        codec_msg_fini(&m);
        return 0;
    }
    FUZZ_CHECK(m.kind == MSG_BATCH || m.kind == MSG_HEARTBEAT);
    FUZZ_CHECK(strcmp(m.sender, who->name) == 0);
    rec_result_t *results = calloc(m.nrecs ? m.nrecs : 1, sizeof *results);
    match_rec_t prev;
    bool have_prev = false;
    for (size_t i = 0; i < m.nrecs; i++) {
        const rec_t *rec = &m.recs[i];
        FUZZ_CHECK(rec->body != NULL || rec->body_len == 0);
        FUZZ_CHECK(memchr(rec->why, 0, sizeof rec->why) != NULL);
        results[i].code = ingest_check_record(who, rec, &results[i].reason);
        if (results[i].code != HUB_OK) {
            FUZZ_CHECK(results[i].reason && results[i].reason[0]);
            results[i].result = RESULT_REJECTED;
            continue;
        }
        FUZZ_CHECK(rec->source == who->department && rec->source_key && rec->source_key[0]);
        FUZZ_CHECK(rec->origin_file && rec->origin_file[0] && rec->origin_row > 0);
        results[i].result = RESULT_ACCEPTED;
        s_record(&m, i, &prev, &have_prev);
    }
    uint8_t *frame;
    size_t len;
    ack_t ack = {.seq = m.seq, .status = ACK_OK, .results = results, .n = m.nrecs};
    codec_encode_ack(&ack, 1, &frame, &len);
    free(frame);
    free(results);
    codec_msg_fini(&m);
    return 0;
}
