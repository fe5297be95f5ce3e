/*
** gen_facilities.c: civil affairs (民政), community service facilities,
** format section 5.
**
** facilities.csv lists 2-4 facilities per community, in community order:
** the first a 社区服务中心 or 社区服务站, the others of distinct types from
** the format page's list. 设施编号 is FW-<community code>-NNN, NNN rising
** with gaps within the community. About S_SHARED of them also serve one or
** two other communities of the same street: 所属社区 is then the names
** joined by 、 (the owner first). 建筑面积 is whole (240) or with one
** decimal (240.5); 状态 运营, 停用 or 在建. Names and addresses sometimes
** hold quotes or commas (RFC 4180 quoting); each community in 所属社区 is
** written in one of the forms that map (COMMUNITY_FORM).
**
** UTF-8, LF, RFC 4180, the 8 columns of the format page. Facilities are not
** persons, so they are not in truth.csv: facilities_truth.csv (UTF-8, LF,
** header facility_no,community_codes) gives, per facility, its 设施编号 as
** written and the codes of the communities it serves joined by ';' (the
** owner first). Each community's facilities draw from its own fork of
** "facilities.list".
*/
#include "gen_writers.h"

#include <stdio.h>
#include <string.h>

#define S_SHARED 0.10
#define N_OF(a)  (sizeof(a) / sizeof((a)[0]))

static const char *const s_columns[] = {
    "设施编号", "设施名称", "设施类型", "所属社区", "地址", "建筑面积", "主管单位", "状态",
};

/* Type, name (after the community's short name), responsible department
** ("" for the community's street office). */
static const struct {
    const char *type;
    const char *name;
    const char *owner;
} s_types[] = {
    { "社区服务中心", "社区党群服务中心", "" },
    { "社区服务站", "社区服务站", "" },
    { "卫生服务站", "社区卫生服务站", "新罗区卫生健康局" },
    { "警务室", "社区警务室", "龙岩市公安局新罗分局" },
    { "文化阅览室", "社区文化阅览室", "新罗区文化体育和旅游局" },
    { "体育健身场所", "全民健身广场", "新罗区文化体育和旅游局" },
    { "青少年教育站", "社区\"四点半\"课堂", "共青团新罗区委" },
    { "托幼机构", "社区托育园", "新罗区教育局" },
    { "托老机构", "居家养老服务照料中心", "新罗区民政局" },
    { "餐饮服务网点", "长者食堂", "新罗区民政局" },
    { "商业零售网点", "便民超市(生鲜,日用)", "新罗区商务局" },
    { "维修服务网点", "便民维修点", "新罗区市场监督管理局" },
    { "咨询服务站", "法律咨询服务站", "新罗区司法局" },
    { "其他", "新时代文明实践站", "" },
};
#define S_FIRST_OTHER 2   /* s_types[2..] are the types after the first facility */

static const char *const s_states[] = { "运营", "停用", "在建" };
static const unsigned s_state_weights[] = { 85, 8, 7 };

/* Picks the other communities of c's street that facility shares with:
** up to want of them, into out; returns how many. */
static size_t
s_partners(gen_rng_t *r, const gen_district_t *d, size_t c, size_t want, size_t out[2])
{
    size_t same[64], n = 0;
    for (size_t i = 0; i < d->ncommunities && n < N_OF(same); i++)
        if (i != c && strcmp(d->communities[i].street, d->communities[c].street) == 0)
            same[n++] = i;
    size_t k = 0;
    for (; k < want && k < n; k++) {   /* partial Fisher-Yates */
        size_t j = k + gen_rng_below(r, (uint32_t) (n - k));
        size_t tmp = same[k];
        same[k] = same[j];
        same[j] = tmp;
        out[k] = same[k];
    }
    return k;
}

int
gen_facilities_write(gen_ctx_t *ctx, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    gen_noise_t *n = ctx->noise;
    gen_table_t t, truth;
    gen_table_init(&t, ',', true, "\n");
    gen_table_header(&t, s_columns, N_OF(s_columns));
    static const char *const truth_columns[] = { "facility_no", "community_codes" };
    gen_table_init(&truth, ',', true, "\n");
    gen_table_header(&truth, truth_columns, N_OF(truth_columns));

    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, "facilities.list");
    size_t shared = 0;
    for (size_t c = 0; c < d->ncommunities; c++) {
        const gen_community_t *cm = &d->communities[c];
        gen_rng_t r = gen_rng_fork(&base, c);
        size_t count = 2 + gen_rng_below(&r, 3);
        size_t types[N_OF(s_types)], ntypes = 0;
        types[ntypes++] = gen_rng_chance(&r, 0.6) ? 0 : 1;
        size_t pool[N_OF(s_types)], npool = 0;
        for (size_t k = S_FIRST_OTHER; k < N_OF(s_types); k++)
            pool[npool++] = k;
        for (; ntypes < count; ntypes++) {
            size_t j = gen_rng_below(&r, (uint32_t) npool);
            types[ntypes] = pool[j];
            pool[j] = pool[--npool];
        }
        unsigned seq = 0;
        for (size_t k = 0; k < count; k++) {
            gen_rng_t fr = gen_rng_fork(&r, k + 1);
            seq += 1 + gen_rng_below(&fr, 2);
            char no[48], name[256], owner[160], area[32], communities[600], codes[64];
            snprintf(no, sizeof no, "FW-%s-%03u", cm->code, seq);
            const char *owned_by = s_types[types[k]].owner;
            snprintf(name, sizeof name, "%s%s", cm->short_name, s_types[types[k]].name);
            snprintf(owner, sizeof owner, "%s%s", *owned_by ? owned_by : cm->street,
                     *owned_by ? "" : "办事处");

            size_t partners[2], np = 0;
            if (gen_rng_chance(&fr, S_SHARED))
                np = s_partners(&fr, d, c, 1 + gen_rng_below(&fr, 2), partners);
            shared += np > 0;
            gen_mess_community(n, &fr, cm, communities);
            gen_strlcpy(codes, cm->code, sizeof codes);
            for (size_t j = 0; j < np; j++) {
                char other[160];
                gen_mess_community(n, &fr, &d->communities[partners[j]], other);
                gen_strlcat(communities, "、", sizeof communities);
                gen_strlcat(communities, other, sizeof communities);
                gen_strlcat(codes, ";", sizeof codes);
                gen_strlcat(codes, d->communities[partners[j]].code, sizeof codes);
            }

            char addr[GEN_ADDR_MAX];
            gen_local_address(&fr, d, (int) c, addr, sizeof addr);
            int tenths = gen_rng_range(&fr, 30, 1500) * 10;
            if (gen_rng_chance(&fr, 0.3))
                tenths += gen_rng_range(&fr, 1, 9);
            if (tenths % 10)
                snprintf(area, sizeof area, "%d.%d", tenths / 10, tenths % 10);
            else
                snprintf(area, sizeof area, "%d", tenths / 10);
            const char *state = s_states[gen_rng_weighted(&fr, s_state_weights,
                                                          N_OF(s_state_weights))];

            gen_table_cell(&t, no);
            gen_table_cell(&t, name);
            gen_table_cell(&t, s_types[types[k]].type);
            gen_table_cell(&t, communities);
            gen_table_cell(&t, addr);
            gen_table_cell(&t, area);
            gen_table_cell(&t, owner);
            gen_table_cell(&t, state);
            gen_table_end_row(&t);
            gen_table_cell(&truth, no);
            gen_table_cell(&truth, codes);
            gen_table_end_row(&truth);
        }
    }
    int rc = gen_file_write(ctx->outdir, "facilities.csv", &t.buf, "UTF-8", err, errlen);
    if (rc == 0)
        rc = gen_file_write(ctx->outdir, GEN_FACILITIES_TRUTH_FILE, &truth.buf, "UTF-8", err,
                            errlen);
    if (rc == 0) {
        char text[96];
        snprintf(text, sizeof text, ", %zu facilities rows (%zu shared)", t.rows, shared);
        gen_buf_puts(ctx->summary, text);
    }
    gen_table_fini(&t);
    gen_table_fini(&truth);
    return rc;
}
