# The district data hub. `make` builds bin/; see README.md for the rest.
#   make demo   install what is missing, build, run the hub with the adapters on sample data
#   make test   install what is missing, build, run every test
#   make asan   the tests under AddressSanitizer and UBSan
#   make soak   the fault tests of tests/reliability, longer (SOAK=1; SEED=N replays one)
#   make fuzz   the libFuzzer targets of tests/fuzz/, each for FUZZ_SECONDS (clang)
#   make memcheck  the unit tests under valgrind
#   make bench  ingest and query speed on a generated district, with ceilings (bench/run.sh)
#   make deps   install the Debian packages the build needs (as root)
#   make install  install what `make` built (PREFIX=/usr/local, DESTDIR); README.md: Deployment

CC      ?= gcc
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wpedantic -Werror $(OPT) $(SAN)
LDFLAGS += $(SAN)
PKGS     = libzmq libprotobuf-c sqlite3 libsodium jansson libmicrohttpd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lm
BUILD   ?= build
BIN     ?= bin

GEN     = $(BUILD)/gen/proto/hub.pb-c.c
GEN_H   = $(GEN:.c=.h)
CPPFLAGS += -I$(BUILD)/gen -Ihub -Iadapters/core $(PKG_CFLAGS)

# hub/ modules, less the two programs
HUB_SRC  = $(filter-out hub/main.c hub/ctl.c,$(wildcard hub/*.c)) $(COMM_C) $(UNIHAN_C)
ADP_SRC  = $(wildcard adapters/core/*.c)
COMM_C   = $(BUILD)/gen/communities_data.c
UNIHAN_C = $(BUILD)/gen/unihan_data.c
UNIHAN_TXT = /usr/share/unicode/Unihan_Variants.txt.bz2 /usr/share/unicode/Unihan_Readings.txt.bz2
GEN_SRC  = $(wildcard tests/gen/*.c)
OBJ      = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBHUB   = $(BUILD)/libhub.a
LIBADP   = $(BUILD)/libadp.a
ADAPTERS = $(patsubst adapters/%.c,$(BIN)/adapter-%,$(wildcard adapters/*.c))
PROGS    = $(BIN)/hubd $(BIN)/hubctl $(ADAPTERS) $(BIN)/gen-district
UNIT     = $(patsubst tests/unit/%.c,$(BIN)/tests/%,$(wildcard tests/unit/test_*.c))
TOOLS    = $(patsubst tests/tools/%.c,$(BIN)/tests/%,$(wildcard tests/tools/*.c))

.PHONY: all deps demo test check asan memcheck soak eval bench bench-build clean install uninstall
all: $(PROGS) $(UNIT) $(TOOLS)

deps:
	deploy/install-deps.sh

$(GEN): proto/hub.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen $<
$(GEN_H): $(GEN)

# the district's communities, built into the adapters
$(COMM_C): deploy/communities.csv
	@mkdir -p $(dir $@)
	{ echo 'const char adp_communities_builtin[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/\r$$//; s/.*/    "&\\n"/' $<; echo ';'; } > $@

# Chinese script and pinyin tables (hub/unihan.h), from Debian's unicode-data
$(UNIHAN_C): deploy/gen-unihan.sh $(UNIHAN_TXT)
	@mkdir -p $(dir $@)
	sh deploy/gen-unihan.sh $(UNIHAN_TXT) > $@.tmp
	mv $@.tmp $@
# gen-district links hub/normalize.c, which looks names up in these tables, and
# hub/community.c, to map community names as the adapters do
$(BIN)/gen-district: $(call OBJ,$(UNIHAN_C))

$(BUILD)/obj/%.o: %.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBHUB): $(call OBJ,$(HUB_SRC) $(GEN))
	@rm -f $@
	ar rcs $@ $^
$(LIBADP): $(call OBJ,$(ADP_SRC))
	@rm -f $@
	ar rcs $@ $^

$(BIN)/hubd: $(call OBJ,hub/main.c) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
$(BIN)/hubctl: $(call OBJ,hub/ctl.c) $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
$(BIN)/adapter-%: $(call OBJ,adapters/%.c) $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
$(BIN)/gen-district: $(call OBJ,$(GEN_SRC) hub/normalize.c hub/community.c hub/err.c $(COMM_C) adapters/core/civilkey.c)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ -lsodium -lm -o $@
$(BIN)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)/tests
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
$(BIN)/tests/%: $(BUILD)/obj/tests/tools/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)/tests
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# libFuzzer targets (tests/fuzz/*.c), built with clang and ASan/UBSan into
# FUZZ_BIN (objects in FUZZ_BUILD): `make fuzz` runs each for FUZZ_SECONDS
# on its corpus in tests/fuzz/corpus/TARGET (FUZZ_TARGETS="csv jsonl": only
# those); tests/run.sh runs each briefly.
FUZZ_SECONDS ?= 600
FUZZ_BIN    ?= $(BIN)/fuzz
FUZZ_BUILD  ?= $(FUZZ_BIN)/build
FUZZ_SAN     = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZERS      = $(patsubst tests/fuzz/%.c,$(BIN)/fuzz-%,$(wildcard tests/fuzz/*.c))
# the department adapters whole, each main renamed adapter_NAME_main
DEPT_MAINS   = $(patsubst adapters/%.c,$(BUILD)/obj/fuzz-main/%.o,$(wildcard adapters/*.c))

fuzz-build:
	$(MAKE) CC=clang BUILD=$(FUZZ_BUILD) BIN=$(FUZZ_BIN) OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="$(FUZZ_SAN)" fuzzers
fuzzers: $(FUZZERS)
$(BIN)/fuzz-%: $(BUILD)/obj/tests/fuzz/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@
$(BIN)/fuzz-adapters: $(BUILD)/obj/tests/fuzz/adapters.o $(DEPT_MAINS) $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@
$(BUILD)/obj/fuzz-main/%.o: adapters/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Dmain=adapter_$*_main -MMD -MP -c $< -o $@

fuzz: deps fuzz-build
	tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The two commands of the README: each installs what is missing first.
demo: deps
	$(MAKE) all
	deploy/demo.sh

test: deps
	$(MAKE) all
	tests/run.sh

# the fault tests (tests/reliability) with more kills, more people, longer
# outages: each prints `# seed N`; SEED=N make soak replays its decisions
soak: deps
	$(MAKE) all
	@fail=0; for t in tests/reliability/test_*.sh; do echo "== soak: $$t"; \
	    SOAK=1 BIN=$(BIN) bash $$t || fail=1; done; \
	if [ $$fail = 0 ]; then echo "soak: every fault test passed"; else echo "soak: failures above"; exit 1; fi

# matching quality on a generated district: PEOPLE=20000 NOISE=1 make eval
eval: deps
	$(MAKE) all
	tests/eval.sh

# speed on a generated district, with the ceilings of SQLite and ZeroMQ
# (bench/run.sh; never part of make test): BENCH_PERSONS=200000 make bench
BENCH = $(patsubst bench/%.c,$(BIN)/bench/%,$(wildcard bench/*.c))
bench: deps
	$(MAKE) all bench-build
	BIN=$(BIN) bench/run.sh
bench-build: $(BENCH)
$(BIN)/bench/%: $(BUILD)/obj/bench/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)/bench
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

check: all
	tests/run.sh

asan: deps
	$(MAKE) BUILD=build-asan BIN=bin-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	BIN=bin-asan ASAN_OPTIONS=detect_leaks=1 FUZZ_BRIEF_SECONDS=0 tests/run.sh   # make test fuzzes under ASan already

# the unit tests under valgrind's memcheck: any error or leak fails
memcheck: deps
	$(MAKE) all
	@fail=0; for t in $(UNIT); do echo "== valgrind $$t"; \
	    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	        $$t >/dev/null || fail=1; done; \
	if [ $$fail = 0 ]; then echo "memcheck: every unit test clean"; else echo "memcheck: errors above"; exit 1; fi

# make install: the programs `make` built into $(BIN) (install builds
# nothing: run `make` first, with the same BIN), the example hub.conf, the
# systemd units (with the installed paths in place of /usr/local), the
# logrotate snippet, the Prometheus files and the README, under
# $(DESTDIR)$(PREFIX) (logrotate's under $(DESTDIR)/etc). As a normal user
# with DESTDIR for staging or packaging; it creates no user and no
# directory outside these and changes no owner (README.md: Deployment).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/hub
DOCDIR     ?= $(PREFIX)/share/doc/hub
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
INSTALL    ?= install
INSTALL_PROGS = $(BIN)/hubd $(BIN)/hubctl $(ADAPTERS)
UNITS      = deploy/systemd/hubd.service deploy/systemd/hub-adapter@.service

install:
	@for p in $(INSTALL_PROGS); do test -x $$p || { \
	    echo "make install: $$p is missing: build it first (make BIN=$(BIN))" >&2; exit 1; }; done
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0755 $(INSTALL_PROGS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 deploy/hub.conf.example deploy/systemd/adapter.env.example $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 0644 deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml $(DESTDIR)$(DATADIR)/prometheus/
	for u in $(UNITS); do \
	    sed -e 's|/usr/local/share/doc/hub|$(DOCDIR)|g' -e 's|/usr/local/share/hub|$(DATADIR)|g' \
	        -e 's|/usr/local/bin|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	$(INSTALL) -m 0644 deploy/logrotate/hub $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hub
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(patsubst $(BIN)/%,$(DESTDIR)$(BINDIR)/%,$(INSTALL_PROGS)) \
	    $(DESTDIR)$(DATADIR)/hub.conf.example $(DESTDIR)$(DATADIR)/adapter.env.example \
	    $(DESTDIR)$(DATADIR)/prometheus/prometheus.yml $(DESTDIR)$(DATADIR)/prometheus/alerts.yml \
	    $(patsubst deploy/systemd/%,$(DESTDIR)$(UNITDIR)/%,$(UNITS)) \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hub $(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# deploy/hub.conf.example is exactly what hubd writes into an empty home on
# first start: every key commented at its default. Made by running hubd on a
# scratch home whose hub.log is a directory, so it stops right after writing
# hub.conf (no keys, no sockets). `make deploy/hub.conf.example` after a
# change of keys or defaults; tests/integration/test_install.sh fails while
# the file differs from what hubd writes.
deploy/hub.conf.example: $(BIN)/hubd
	@tmp=$$(mktemp -d) && mkdir $$tmp/hub.log && { $(BIN)/hubd --home $$tmp >/dev/null 2>&1; \
	    test -s $$tmp/hub.conf && cp $$tmp/hub.conf $@; }; rc=$$?; rm -rf $$tmp; \
	    if [ $$rc != 0 ]; then echo "hubd wrote no hub.conf" >&2; exit 1; fi; echo "wrote $@"

clean:
	rm -rf build build-asan bin bin-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
