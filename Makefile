# tzcensus — one non-recursive Makefile.
#
#   make                 build lib and programs (bin/); installs nothing (below)
#   make tests           build the unit tests, corpus replayers and benchmarks (build/)
#   make check           build all and tests, then run every test against a throwaway PostgreSQL
#   make check SANITIZE=1  the same suite under ASan+UBSan (objects in build/san)
#   make fuzz            libFuzzer targets with clang (build/fuzzers/)
#   make fuzz-run        run each fuzzer FUZZ_SECONDS (default 60) on a scratch copy of its corpus
#   make bench           build and run every benchmark (bench/*.sh; results go in bench/RESULTS.md)
#   make demo            the whole job on a simulated network (scripts/demo.sh; DEMO_ARGS=...)
#   make install         programs, man pages, schema, example configs under PREFIX (and DESTDIR)
#   make clean
#   V=1                  show full commands
#
# Sources are found by wildcard, so adding a module is adding a file:
#   lib/<mod>/*.c          -> build/libtzcensus.a
#   schema/*.proto         -> build/gen/*.pb-c.[ch] (protoc-c), part of the lib
#   <prog dir>/*.c         -> build/<dir>.a, plus <dir>/main.c -> bin/tzcensus-<name>
#   tests/unit/test_*.c    -> build/tests/test_* (cmocka), run by make check
#   tests/fuzz/fuzz_*.c    -> a corpus replayer (make check) and a libFuzzer binary (make fuzz)
#   tests/integration/*.sh -> run by make check with BIN, PG* and DATABASE_URL set
#
# Debian packages: scripts/deps.sh (GROUP per goal below). make, make install
# and file targets only check the build packages and stop, naming what is
# missing and the apt-get command; check, tests, demo, fuzz, fuzz-run and bench
# install what they miss when run as root. make -n installs nothing.

SANITIZE ?= 0
V ?= 0
PREFIX ?= /usr/local

ifeq ($(SANITIZE),1)
B   := build/san
BIN := build/san/bin
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B   := build
BIN := bin
SANFLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Debian packages, before anything reads pkg-config (scripts/deps.sh is one
# dpkg-query call when everything is there). A goal not listed here needs the
# build group and only checks it; clean and lint need nothing.
DEPS_GROUP_check    := check
DEPS_GROUP_tests    := tests
DEPS_GROUP_demo     := demo
DEPS_GROUP_fuzz     := fuzz
DEPS_GROUP_fuzz-run := fuzz
DEPS_GROUP_bench    := bench
DEPS_GOALS  := $(filter-out clean distclean lint,$(or $(MAKECMDGOALS),all))
DEPS_GROUPS := $(sort $(foreach g,$(DEPS_GOALS),$(or $(DEPS_GROUP_$(g)),build)))
# Install only for the developer goals, and never under make -n.
DEPS_DRY    := $(findstring n,$(firstword -$(MAKEFLAGS)))
DEPS_MODE   := $(if $(filter-out build,$(DEPS_GROUPS)),$(if $(DEPS_DRY),--dry-run,--install))
ifneq ($(DEPS_GOALS),)
DEPS_STATUS := $(shell scripts/deps.sh $(DEPS_MODE) $(DEPS_GROUPS) >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error missing Debian packages: see the message above)
endif
endif

CC      ?= cc
PKGS    := libsodium libpq libprotobuf-c yaml-0.1 jansson igraph libcurl libloc
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Werror
CFLAGS  ?= -O2 -g
# System headers through -isystem so their warnings are not ours.
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lev -lm -lpthread
# Tests only, so read when a test links (make all does not need cmocka).
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
              -I. -Ilib -I$(B)/gen $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

# ---- library -------------------------------------------------------------
LIB_SRC  := $(sort $(wildcard lib/*/*.c))
PROTO    := $(wildcard schema/*.proto)
PROTO_C  := $(PROTO:schema/%.proto=$(B)/gen/%.pb-c.c)
PROTO_H  := $(PROTO_C:.c=.h)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o) $(PROTO_C:.c=.o) $(B)/gen/migrations.o \
            $(B)/gen/providers.o
# SQL migrations embedded into the library (lib/db/migrate.c applies them).
MIGRATIONS := $(sort $(wildcard schema/migrations/*.sql))
LIB_A    := $(B)/libtzcensus.a

# ---- programs: directory -> program name ---------------------------------
PROG_DIRS := crawler analyzer simnet listener
NAME_crawler  := crawl
NAME_analyzer := analyze
NAME_simnet   := simnet
NAME_listener := listen

define prog_rules
$(1)_SRC := $$(filter-out $(1)/main.c,$$(sort $$(wildcard $(1)/*.c)))
$(1)_OBJ := $$($(1)_SRC:%.c=$(B)/obj/%.o)
$(1)_A   := $(B)/$(1).a
PROG_AS  += $$($(1)_A)
ifneq ($$(wildcard $(1)/main.c),)
PROGS    += $(BIN)/tzcensus-$$(NAME_$(1))
$(BIN)/tzcensus-$$(NAME_$(1)): $(B)/obj/$(1)/main.o $$($(1)_A) $(LIB_A)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  LD      $$@")
	$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endif
$$($(1)_A): $$($(1)_OBJ)
	@mkdir -p $$(@D)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
ALL_OBJ += $$($(1)_OBJ) $(B)/obj/$(1)/main.o
endef
$(foreach d,$(PROG_DIRS),$(eval $(call prog_rules,$(d))))

# ---- tests ---------------------------------------------------------------
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(B)/fuzz/replay_%)
TEST_HELPER_SRC := $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c))
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(B)/obj/%.o)

.DEFAULT_GOAL := all
# Benchmark programs: bench/*.c -> build/bench/* (built with the tests, so
# make check keeps them compiling); `make bench` runs every bench/*.sh (not
# part of check).
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all tests check fuzz fuzz-run clean lint bench demo install
.SECONDARY:
.SECONDEXPANSION:
all: $(PROGS)
tests: $(UNIT_BIN) $(REPLAY_BIN) $(BENCH_BIN)

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/obj/%.o: %.c | $(PROTO_H)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: schema/%.proto
	@mkdir -p $(@D)
	$(if $(Q),@echo "  PROTOC  $<")
	$(Q)protoc-c --proto_path=schema --c_out=$(B)/gen $<

$(B)/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(@D)
	$(Q)scripts/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(B)/gen/migrations.o: $(B)/gen/migrations.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The default provider table (config/providers.yaml), built into the analyzer.
$(B)/gen/providers.c: config/providers.yaml
	@mkdir -p $(@D)
	$(Q){ echo '/* Generated from config/providers.yaml by the Makefile: do not edit. */'; \
	  echo '#include "analyzer/location.h"'; \
	  echo 'const unsigned char location_providers_yaml[] = {'; \
	  od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'; \
	  echo '	0x00};'; \
	  echo 'const size_t location_providers_yaml_len = sizeof location_providers_yaml - 1;'; \
	} >$@.tmp && mv $@.tmp $@

$(B)/gen/providers.o: $(B)/gen/providers.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/gen/%.pb-c.o: $(B)/gen/%.pb-c.c
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) -std=c11 $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -I$(B)/gen -c -o $@ $<

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(TEST_HELPER_OBJ) $(PROG_AS) $(LIB_A)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_OBJ) $(PROG_AS) $(LIB_A) $(CMOCKA_LIBS) $(PKG_LIBS)

# test_hs_nomem makes each allocation of a session fail in turn: it wraps the
# allocator at link time (only this program).
$(B)/tests/test_hs_nomem: ALL_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc

$(B)/fuzz/replay_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay.o $(PROG_AS) $(LIB_A)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/obj/tests/fuzz/replay.o $(PROG_AS) $(LIB_A) $(PKG_LIBS)

$(B)/bench/%: $(B)/obj/bench/%.o $(TEST_HELPER_OBJ) $(PROG_AS) $(LIB_A)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_OBJ) $(PROG_AS) $(LIB_A) $(CMOCKA_LIBS) $(PKG_LIBS)

bench: all $(BENCH_BIN)
	$(Q)for s in bench/*.sh; do echo "== $$s"; B=$(B) BIN=$(BIN) bash $$s || exit 1; done

check: all tests lint
	$(Q)B=$(B) BIN=$(BIN) scripts/with-pg.sh scripts/run-tests.sh

lint:
	$(Q)scripts/lint.sh

# libFuzzer binaries: everything rebuilt with clang in build/fuzzers, with
# coverage instrumentation and sanitizers, into the same archives as the
# normal build (so a target may call lib/ and any program's modules).
FUZZ_CC    := clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
              -I. -Ilib -Ibuild/fuzzers/gen $(PKG_CFLAGS)
FB := build/fuzzers
FUZZERS := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(FB)/fuzz_%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FB)/obj/%.o) $(PROTO:schema/%.proto=$(FB)/gen/%.pb-c.o) \
                $(FB)/gen/migrations.o
FUZZ_PROG_AS := $(PROG_DIRS:%=$(FB)/%.a)
fuzz: $(FUZZERS)
$(FB)/gen/%.pb-c.c $(FB)/gen/%.pb-c.h: schema/%.proto
	@mkdir -p $(@D)
	$(Q)protoc-c --proto_path=schema --c_out=$(FB)/gen $<
$(FB)/gen/%.pb-c.o: $(FB)/gen/%.pb-c.c
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
$(FB)/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(@D)
	$(Q)scripts/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@
$(FB)/gen/migrations.o: $(FB)/gen/migrations.c
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
$(FB)/obj/%.o: %.c | $(PROTO:schema/%.proto=$(FB)/gen/%.pb-c.h)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
$(FB)/libtzcensus.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
# (the objects come from a function: a '%' written in the rule itself would be
# replaced by the stem)
fuzz_prog_objs = $(addprefix $(FB)/obj/,$(patsubst %.c,%.o,$($(1)_SRC)))
$(FB)/%.a: $$(call fuzz_prog_objs,$$*)
	$(Q)rm -f $@ && ar rcs $@ $^
$(FB)/fuzz_%: $(FB)/obj/tests/fuzz/fuzz_%.o $(FUZZ_PROG_AS) $(FB)/libtzcensus.a
	$(if $(Q),@echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

# Run every fuzzer for FUZZ_SECONDS; new inputs go to build/fuzz-work/<name>,
# the committed corpus is only read.
FUZZ_SECONDS ?= 60
fuzz-run: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do n=$${f##*/fuzz_}; mkdir -p build/fuzz-work/$$n; \
	  echo "  FUZZRUN $$n ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build/fuzz-work/$$n tests/fuzz/corpus/$$n \
	    >build/fuzz-work/$$n.log 2>&1 || { tail -n 30 build/fuzz-work/$$n.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units' build/fuzz-work/$$n.log; done

# The demo needs the programs only, not the tests.
demo: $(PROGS)
	$(Q)BIN=$(BIN) scripts/demo.sh $(DEMO_ARGS)

# Unit files and the crontab name /usr/local: rewritten to PREFIX. systemd
# reads system units from /usr/local/lib/systemd/system, /usr/lib/... and
# /etc/systemd/system, so with PREFIX /usr or /usr/local the units are found
# as installed; for any other PREFIX, install prints how to make systemd see
# them (SYSTEMD_UNIT_DIR=/etc/systemd/system, or systemctl link).
DESTDIR ?=
SHARE := $(DESTDIR)$(PREFIX)/share/tzcensus
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
SYSTEMD_SEARCHED := /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system \
                    /etc/systemd/system
install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(SHARE)/schema $(SHARE)/config $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	install -m 0755 $(PROGS) scripts/tzcensus-nightly $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(wildcard schema/*),cp -R schema/. $(SHARE)/schema/)
	install -m 0644 $(wildcard config/*.yaml) config/nightly.env $(SHARE)/config/
	sed 's#/usr/local#$(PREFIX)#g' config/crontab >$(SHARE)/config/crontab
	for u in config/systemd/*.service config/systemd/*.timer; do \
	  sed 's#/usr/local#$(PREFIX)#g' $$u >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/$${u##*/}; done
	$(if $(filter $(patsubst %/,%,$(SYSTEMD_UNIT_DIR)),$(SYSTEMD_SEARCHED)),,@echo "note: systemd does not read units from $(SYSTEMD_UNIT_DIR): run" \
	  "systemctl link $(SYSTEMD_UNIT_DIR)/tzcensus-*.service $(SYSTEMD_UNIT_DIR)/tzcensus-*.timer," \
	  "or install them with SYSTEMD_UNIT_DIR=/etc/systemd/system (docs/operators.md)")

clean:
	rm -rf build bin

ALL_OBJ += $(LIB_OBJ) $(UNIT_SRC:%.c=$(B)/obj/%.o) $(TEST_HELPER_OBJ) $(BENCH_SRC:%.c=$(B)/obj/%.o) \
           $(FUZZ_SRC:%.c=$(B)/obj/%.o) $(B)/obj/tests/fuzz/replay.o
-include $(ALL_OBJ:.o=.d)
