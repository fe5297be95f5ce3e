/*
** fuzz.h: what the libFuzzer targets of tests/fuzz/ share. Each target is
** one file defining LLVMFuzzerTestOneInput; `make fuzz` builds them with
** clang, ASan and UBSan and tests/fuzz/run.sh runs them on their corpus.
**
**  - FUZZ_CHECK: a broken contract (a documented property of the function
**    under test) is a finding like a crash: it says where and aborts, and
**    libFuzzer keeps the input.
**  - fuzz_utf8: whether bytes are well-formed UTF-8.
**  - fuzz_file: the readers open paths, so the input becomes a file in a
**    private directory (in /dev/shm when there is one), removed at exit.
**
** Header only; everything is static inline so a target uses what it needs.
*/
#ifndef FUZZ_H
#define FUZZ_H

#include <dirent.h>
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void
fuzz_fail(const char *file, int line, const char *what)
{
    char msg[600];
    snprintf(msg, sizeof msg, "SUMMARY: fuzz check failed: %s:%d: %s", file, line, what);
    __sanitizer_report_error_summary(msg);   /* to the sanitizers' report fd, which libFuzzer keeps open */
    abort();
}

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

static char fuzz_dir_[256];

static inline void
fuzz_cleanup_(void)
{
    DIR *d = opendir(fuzz_dir_);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", fuzz_dir_, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(fuzz_dir_);
}

/* The private directory, made on first use. */
static inline const char *
fuzz_dir(void)
{
    if (!fuzz_dir_[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/hubfuzz.XXXXXX", base);
        if (!mkdtemp(fuzz_dir_)) {
            perror(fuzz_dir_);
            abort();
        }
        atexit(fuzz_cleanup_);
    }
    return fuzz_dir_;
}

/* Write data to the file called name in the private directory; returns its
** path (static storage, overwritten by the next call). */
static inline const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) != 0) {
        perror(path);
        abort();
    }
    return path;
}

/* A NUL-terminated malloc'd copy of data (the caller frees). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* Well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
static inline bool
fuzz_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p++;
        size_t more;
        uint32_t cp, min;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1, min = 0x80, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3, min = 0x10000, cp = c & 0x07;
        else
            return false;
        if ((size_t)(end - p) < more)
            return false;
        for (size_t i = 0; i < more; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (*p & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
    }
    return true;
}

#endif
