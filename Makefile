# The district data hub. `make` builds bin/; see README.md for the rest.
#   make demo   install what is missing, build, run the hub with the adapters on sample data
#   make test   install what is missing, build, run every test
#   make asan   the tests under AddressSanitizer and UBSan
#   make memcheck  the unit tests under valgrind
#   make deps   install the Debian packages the build needs (as root)

CC      ?= gcc
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wpedantic -Werror $(OPT) $(SAN)
LDFLAGS += $(SAN)
PKGS     = libzmq libprotobuf-c sqlite3 libsodium jansson
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

.PHONY: all deps demo test check asan memcheck eval clean
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
# gen-district links hub/normalize.c, which looks names up in these tables
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
$(BIN)/hubctl: $(call OBJ,hub/ctl.c) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
$(BIN)/adapter-%: $(call OBJ,adapters/%.c) $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@
$(BIN)/gen-district: $(call OBJ,$(GEN_SRC) hub/normalize.c adapters/core/civilkey.c)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) $^ -lsodium -lm -o $@
$(BIN)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)/tests
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
$(BIN)/tests/%: $(BUILD)/obj/tests/tools/%.o $(LIBADP) $(LIBHUB)
	@mkdir -p $(BIN)/tests
	$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -o $@

# The two commands of the README: each installs what is missing first.
demo: deps
	$(MAKE) all
	deploy/demo.sh

test: deps
	$(MAKE) all
	tests/run.sh

# matching quality on a generated district: PEOPLE=20000 NOISE=1 make eval
eval: deps
	$(MAKE) all
	tests/eval.sh

check: all
	tests/run.sh

asan: deps
	$(MAKE) BUILD=build-asan BIN=bin-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	BIN=bin-asan ASAN_OPTIONS=detect_leaks=1 tests/run.sh

# the unit tests under valgrind's memcheck: any error or leak fails
memcheck: deps
	$(MAKE) all
	@fail=0; for t in $(UNIT); do echo "== valgrind $$t"; \
	    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	        $$t >/dev/null || fail=1; done; \
	if [ $$fail = 0 ]; then echo "memcheck: every unit test clean"; else echo "memcheck: errors above"; exit 1; fi

clean:
	rm -rf build build-asan bin bin-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
