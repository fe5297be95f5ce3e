/* resolve.c: first-cut resolution by identity number (see resolve.h). */
#include "resolve.h"

#include <string.h>

hub_err_t
resolve_record(store_t *store, const rec_t *rec, int64_t now_ms, resolution_t *out)
{
    memset(out, 0, sizeof *out);
    out->idno_status = rec->idno_raw ? norm_idno(rec->idno_raw, out->idno) : NORM_IDNO_EMPTY;
    bool valid = out->idno_status == NORM_IDNO_VALID;
    if (!valid)
        out->idno[0] = 0;

    hub_err_t err = store_record_latest(store, rec->source, rec->source_key, &out->resident);
    if (err != HUB_ENOTFOUND)
        return err;
    if (valid) {
        err = store_resident_by_idno(store, out->idno, &out->resident);
        if (err != HUB_ENOTFOUND)
            return err;
    }
    out->created = true;
    return store_resident_new(store, valid ? out->idno : NULL, now_ms, &out->resident);
}
