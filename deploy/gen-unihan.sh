#!/bin/sh
# gen-unihan.sh: generate the hub's Chinese-script tables (hub/unihan.h) from
# the Unicode Han Database as Debian's unicode-data package ships it.
#
#   deploy/gen-unihan.sh Unihan_Variants.txt.bz2 Unihan_Readings.txt.bz2 > unihan_data.c
#
# Writes C on standard output: the traditional -> simplified map (sorted, for
# bsearch), the toneless readings (a two-level table by code point) and the
# two lookup functions. POSIX sh, bzcat and any POSIX awk (mawk included);
# the awk works on bytes (LC_ALL=C), so the locale does not matter. Exits
# non-zero, writing nothing useful, when an input is missing or has a form
# this script does not know (a new tone mark, an unsorted file), rather than
# generate a wrong table.
#
# Simplified form of a character with a kSimplifiedVariant (TR38):
#   1. the first listed variant that is in the Table of General Standard
#      Chinese Characters (has a kTGHZ2013 reading), else
#   2. the first kSemanticVariant or kZVariant of the character that is in
#      that table (巖 lists only the extension-G form U+303A0, its standard
#      form 岩 is its semantic variant), else
#   3. the first listed variant.
# followed to a fixed point, so the map is idempotent. A character that is its
# own choice is left out (it maps to itself).
#
# Readings of a character: kMandarin, then kXHC1983, then kHanyuPinyin, tone
# marks removed, ü written v, each syllable once, in that order; so the first
# is the usual modern reading.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 Unihan_Variants.txt.bz2 Unihan_Readings.txt.bz2" >&2
    exit 2
fi
variants=$1
readings=$2
for f in "$variants" "$readings"; do
    [ -r "$f" ] || { echo "$0: cannot read $f (install unicode-data)" >&2; exit 1; }
done

LC_ALL=C
export LC_ALL

# Readings first (the standard-character set is needed to pick variants).
# POSIX sh has no pipefail: a failed bzcat says so in the stream.
{
    bzcat "$readings" || printf "\n#gen-unihan: bzcat failed: %s\n" "$readings"
    bzcat "$variants" || printf "\n#gen-unihan: bzcat failed: %s\n" "$variants"
} | awk -F '\t' '
function hex(s,   i, n) {
    n = 0
    for (i = 1; i <= length(s); i++)
        n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
    return n
}
function cp(u) {    # "U+4E2D" -> 20013; anything else is an error
    if (u !~ /^U\+[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]?$/)
        die("bad code point \"" u "\"")
    return hex(substr(u, 3))
}
function die(msg) {
    if (in_end)     # no line: the message names the character
        printf "gen-unihan: %s\n", msg > "/dev/stderr"
    else
        printf "gen-unihan: line %d: %s\n", NR, msg > "/dev/stderr"
    failed = 1
    exit 1
}
# Toneless, ü as v: the tone-marked letters of TR38 pinyin, as UTF-8 bytes.
function toneless(s,   i) {
    if (s !~ /[^a-z]/)
        return s
    for (i = 1; i <= ntone; i++)
        if (index(s, tone_from[i]) > 0)
            gsub(tone_from[i], tone_to[i], s)
    if (s !~ /^[a-z]+$/)
        die(ucode[cur] ": unknown letter in reading \"" s "\"")
    return s
}
# Append the syllables of one field to the readings of the current character.
function add(list,   n, i, syl) {
    n = split(list, syl, ",")
    for (i = 1; i <= n; i++) {
        syl[i] = toneless(syl[i])
        if (!((cur, syl[i]) in have)) {
            have[cur, syl[i]] = 1
            set[cur] = (set[cur] == "" ? "" : set[cur] " ") syl[i]
        }
    }
}
function tone(bytes, letter) {
    tone_from[++ntone] = bytes
    tone_to[ntone] = letter
}
BEGIN {
    tone("\304\201", "a"); tone("\303\241", "a"); tone("\307\216", "a"); tone("\303\240", "a")
    tone("\304\223", "e"); tone("\303\251", "e"); tone("\304\233", "e"); tone("\303\250", "e")
    tone("\303\252", "e"); tone("\341\272\277", "e"); tone("\341\273\201", "e")
    tone("\304\253", "i"); tone("\303\255", "i"); tone("\307\220", "i"); tone("\303\254", "i")
    tone("\305\215", "o"); tone("\303\263", "o"); tone("\307\222", "o"); tone("\303\262", "o")
    tone("\305\253", "u"); tone("\303\272", "u"); tone("\307\224", "u"); tone("\303\271", "u")
    tone("\303\274", "v"); tone("\307\226", "v"); tone("\307\230", "v"); tone("\307\232", "v")
    tone("\307\234", "v")
    tone("\305\204", "n"); tone("\305\210", "n"); tone("\307\271", "n")
    tone("\341\270\277", "m")
    # combining grave, acute, macron, caron (m̀, ê̄, ê̌)
    tone("\314\200", ""); tone("\314\201", ""); tone("\314\204", ""); tone("\314\214", "")
    nsimp = 0
    last_reading = -1
    last_variant = -1
    version = "unknown"
    q = sprintf("%c", 39)   # a single quote, for character constants
}
/^#gen-unihan: / {
    die(substr($0, 13))
}
/^#/ {
    if ($0 ~ /^# Unicode version: /)
        version = substr($0, 20)
    next
}
$0 == "" { next }
NF != 3 { die("expected 3 tab-separated fields") }
$2 == "kMandarin" || $2 == "kXHC1983" || $2 == "kHanyuPinyin" || $2 == "kTGHZ2013" {
    c = cp($1)
    if (c < last_reading)
        die("Unihan_Readings is not sorted by code point")
    last_reading = c
    if ($2 == "kTGHZ2013") {
        standard[c] = 1
        next
    }
    field[c, $2] = $3
    if (!(c in ucode)) {
        ucode[c] = $1
        order[++nread] = c
    }
    next
}
$2 == "kSimplifiedVariant" || $2 == "kSemanticVariant" || $2 == "kZVariant" {
    c = cp($1)
    if (c < last_variant)
        die("Unihan_Variants is not sorted by code point")
    last_variant = c
    n = split($3, v, " ")
    for (i = 1; i <= n; i++) {
        sub(/<.*/, "", v[i])        # drop the sources: U+5CA9<kLau,kMatthews
        v[i] = cp(v[i])
    }
    if ($2 == "kSimplifiedVariant") {
        simp[++nsimp] = c
        simp_n[c] = n
        for (i = 1; i <= n; i++)
            simp_v[c, i] = v[i]
    } else {
        for (i = 1; i <= n; i++)
            sem_v[c, ++sem_n[c]] = v[i]
    }
    next
}
END {
    if (failed)
        exit 1
    in_end = 1
    if (nread < 20000 || nsimp < 2000) {
        printf "gen-unihan: only %d readings and %d simplified variants: wrong input?\n", nread, nsimp > "/dev/stderr"
        exit 1
    }

    # ---- readings: kMandarin, kXHC1983, kHanyuPinyin; "loc:r1,r2 loc:r3"
    for (k = 1; k <= nread; k++) {
        cur = order[k]
        set[cur] = ""
        if ((cur, "kMandarin") in field) {
            n = split(field[cur, "kMandarin"], e, " ")
            for (i = 1; i <= n; i++)
                add(e[i])
        }
        for (f = 1; f <= 2; f++) {
            name = f == 1 ? "kXHC1983" : "kHanyuPinyin"
            if (!((cur, name) in field))
                continue
            n = split(field[cur, name], e, " ")
            for (i = 1; i <= n; i++) {
                if (e[i] !~ /:/)
                    die(ucode[cur] ": " name " entry without a colon")
                sub(/^.*:/, "", e[i])
                add(e[i])
            }
        }
    }
    if (failed)
        exit 1

    # ---- the string pool: "\0" then each distinct reading list once
    pool_len = 1
    for (k = 1; k <= nread; k++) {
        s = set[order[k]]
        if (!(s in pool_at)) {
            pool_at[s] = pool_len
            pool_str[++npool] = s
            pool_len += length(s) + 1
        }
    }
    if (pool_len > 65535) {
        print "gen-unihan: reading pool over 64 KiB; widen unihan_pinyin_cell" > "/dev/stderr"
        exit 1
    }

    # ---- pages of 256 code points; page 0 of the cells is all empty
    max_cp = order[nread]
    npages_index = int(max_cp / 256) + 1
    npages = 0
    for (k = 1; k <= nread; k++) {
        p = int(order[k] / 256)
        if (!(p in page_no))
            page_no[p] = ++npages
    }

    # ---- simplified: pick, then follow to a fixed point
    for (k = 1; k <= nsimp; k++) {
        c = simp[k]
        pick = ""
        for (i = 1; i <= simp_n[c] && pick == ""; i++)
            if (simp_v[c, i] in standard)
                pick = simp_v[c, i]
        for (i = 1; i <= sem_n[c] && pick == ""; i++)
            if (sem_v[c, i] in standard)
                pick = sem_v[c, i]
        if (pick == "")
            pick = simp_v[c, 1]
        to[c] = pick + 0
        if (pick != simp_v[c, 1])
            nstd++
    }
    for (k = 1; k <= nsimp; k++) {
        c = simp[k]
        for (i = 0; i < 8 && (to[c] in to) && to[to[c]] != to[c]; i++)
            to[c] = to[to[c]]
        if (i == 8)
            die(sprintf("U+%04X: simplified variants form a cycle", c))
    }
    nmap = 0
    for (k = 1; k <= nsimp; k++)
        if (to[simp[k]] != simp[k])
            nmap++

    # ---- C
    printf "/* Generated by deploy/gen-unihan.sh from the Unicode Han Database (Unihan %s,\n", version
    printf "** Debian package unicode-data). Do not edit; see hub/unihan.h.\n"
    printf "** %d simplified mappings (%d of them to a standard character in place of\n", nmap, nstd
    printf "** the first listed variant); readings of %d characters, %d distinct lists. */\n", nread, npool
    printf "#include \"unihan.h\"\n\n#include <stdlib.h>\n\n"
    printf "const char unihan_version[] = \"%s\";\n\n", version

    printf "const size_t unihan_simp_count = %d;\n", nmap
    printf "const uint32_t unihan_simp_from[%d] = {", nmap
    j = 0
    for (k = 1; k <= nsimp; k++)
        if (to[simp[k]] != simp[k])
            printf "%s0x%X,", (j++ % 10 == 0 ? "\n    " : " "), simp[k]
    printf "\n};\n"
    printf "const uint32_t unihan_simp_to[%d] = {", nmap
    j = 0
    for (k = 1; k <= nsimp; k++)
        if (to[simp[k]] != simp[k])
            printf "%s0x%X,", (j++ % 10 == 0 ? "\n    " : " "), to[simp[k]]
    printf "\n};\n\n"

    printf "const size_t unihan_pinyin_page_count = %d;\n", npages_index
    printf "const uint16_t unihan_pinyin_page[%d] = {", npages_index
    for (p = 0; p < npages_index; p++)
        printf "%s%d,", (p % 16 == 0 ? "\n    " : " "), (p in page_no) ? page_no[p] : 0
    printf "\n};\n"
    printf "const uint16_t unihan_pinyin_cell[%d * 256] = {\n    /* page 0: no readings */\n    ", npages + 1
    for (i = 0; i < 256; i++)
        printf "0,"
    printf "\n"
    k = 1
    for (p = 0; p < npages_index; p++) {
        if (!(p in page_no))
            continue
        printf "    /* page %d: U+%04X */", page_no[p], p * 256
        for (i = 0; i < 256; i++) {
            c = p * 256 + i
            if (k <= nread && order[k] == c) {
                val = pool_at[set[c]]
                k++
            } else {
                val = 0
            }
            printf "%s%d,", (i % 16 == 0 ? "\n    " : ""), val
        }
        printf "\n"
    }
    printf "};\n"
    printf "const char unihan_pinyin_pool[%d] = {\n    0,", pool_len
    for (i = 1; i <= npool; i++) {
        s = pool_str[i]
        printf "\n    "
        for (j = 1; j <= length(s); j++)
            printf "%s%s%s,", q, substr(s, j, 1), q
        printf "0,"
    }
    printf "\n};\n"
}' || exit 1

cat <<'EOF'

/* Order for bsearch over code points. */
static int
s_cmp_cp(const void *key, const void *member)
{
    uint32_t a = *(const uint32_t *)key, b = *(const uint32_t *)member;
    return (a > b) - (a < b);
}

uint32_t
unihan_simplified(uint32_t cp)
{
    if (unihan_simp_count == 0 || cp < unihan_simp_from[0]
        || cp > unihan_simp_from[unihan_simp_count - 1])
        return cp;
    const uint32_t *hit = bsearch(&cp, unihan_simp_from, unihan_simp_count,
                                  sizeof unihan_simp_from[0], s_cmp_cp);
    return hit != NULL ? unihan_simp_to[hit - unihan_simp_from] : cp;
}

const char *
unihan_pinyin(uint32_t cp)
{
    if (cp / 256 >= unihan_pinyin_page_count)
        return NULL;
    uint16_t page = unihan_pinyin_page[cp / 256];
    uint16_t at = unihan_pinyin_cell[(size_t)page * 256 + cp % 256];
    return at != 0 ? unihan_pinyin_pool + at : NULL;
}
EOF
