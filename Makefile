# sevboot — GNU Make build.  Targets: all check unit integration fuzz install
# clean.  PREFIX and DESTDIR are honoured by install.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

# The user's CFLAGS and LDFLAGS are for optimisation, debugging and extra
# warnings; the project's own flags (language, include path, feature
# macros, -Werror, hardening) live in SEVBOOT_* and are always added, so
# `make CFLAGS=-O0` cannot drop them.  WERROR= turns -Werror off.
WERROR ?= -Werror
CFLAGS ?= -O2 -g
LDFLAGS ?=
# glibc's _FORTIFY_SOURCE needs an optimised build (it warns, and
# -Werror fails, at -O0), and sanitizer builds do without it.
FORTIFY ?= $(if $(filter -O1 -O2 -O3 -Os -Og -Oz -Ofast -O,$(CFLAGS)),-D_FORTIFY_SOURCE=2)
SEVBOOT_CPPFLAGS := -I. -D_GNU_SOURCE
SEVBOOT_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -Wno-unused-parameter \
	  -fstack-protector-strong $(FORTIFY) -fPIC -pthread $(SAN_FLAGS)
SEVBOOT_LDFLAGS = -pthread -Wl,-z,relro -Wl,-z,now $(SAN_FLAGS)
ALL_CFLAGS = $(SEVBOOT_CPPFLAGS) $(CPPFLAGS) $(SEVBOOT_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SEVBOOT_LDFLAGS) $(LDFLAGS)
LDLIBS_LIB := $(shell $(PKG_CONFIG) --libs libcrypto libelf libseccomp 2>/dev/null || echo -lcrypto -lelf -lseccomp) -pthread
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

LIB_SRCS := $(sort $(wildcard util/*.c loader/*.c sev/*.c sev/model/*.c owner/*.c vmm/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
BIN_SRCS := $(sort $(wildcard cli/*.c))
BIN_OBJS := $(BIN_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all check unit unit-asan asan integration fuzz fuzz-smoke fuzz-long \
	install clean format

# build/libsevboot.a is sevboot's internal archive (the modules below
# cli/), for the binary and the tests.  It is not installed: its names are
# not the published libsev C API.
# BIN is where the program goes (the sanitizer build puts its own in
# $(BUILD)/bin/sevboot).
BIN ?= bin/sevboot
all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

INTERNAL_LIB := $(BUILD)/libsevboot.a
$(INTERNAL_LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(BIN_OBJS) $(INTERNAL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BIN_OBJS) $(INTERNAL_LIB) $(LDLIBS_LIB)

# A unit test may name cli/ sources it tests (TEST_CLI_SRCS_test_x).
$(BUILD)/tests/%: tests/unit/%.c $(INTERNAL_LIB) tests/unit/testutil.h tests/unit/fake_host.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TEST_CLI_SRCS_$*) $(INTERNAL_LIB) $(CHECK_LIBS) $(LDLIBS_LIB)

# Unit tests: every Check suite; SHARED points at ../shared (vectors,
# firmware) and tests that need it say "skipped" when it is absent.
SHARED ?= $(abspath ../shared)
# test_owner checks cli/opts.c's owner_exit_code and drives bin/sevboot owner.
TEST_CLI_SRCS_test_owner := cli/opts.c
$(BUILD)/tests/test_owner: cli/opts.c cli/cli.h
# test_verdict checks inspect's verdicts against the plan run builds.
TEST_CLI_SRCS_test_verdict := cli/verdict.c cli/launch.c
$(BUILD)/tests/test_verdict: cli/verdict.c cli/launch.c cli/cli.h
# test_timeline writes the timing document with cli/timing.c.
TEST_CLI_SRCS_test_timeline := cli/timing.c cli/bench.c cli/options.c cli/opts.c
$(BUILD)/tests/test_timeline: cli/timing.c cli/bench.c cli/cli.h
# test_cli_opts compiles cli/options.c and cli/opts.c in and drives
# bin/sevboot.
$(BUILD)/tests/test_cli_opts: cli/options.c cli/opts.c cli/cli.h
unit: $(UNIT_BINS) $(BIN)
	@rc=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; SEVBOOT_SHARED=$(SHARED) SEVBOOT_BIN=$(BIN) \
			CK_FORK=yes $$t || rc=1; \
	done; exit $$rc

# The same program and unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer, every finding fatal, in $(BUILD)/asan
# (the program: $(BUILD)/asan/bin/sevboot).  unit-asan runs the unit
# suite with them: Check still forks each test, and the leak checker runs
# in every process that exits; Check's per-test timeout is stretched
# (CK_TIMEOUT_MULTIPLIER, default 10 here), since the sanitizers slow the
# code several times and the machine may be shared.
ASAN_BUILD := $(BUILD)/asan
ASAN_MAKE = $(MAKE) BUILD=$(ASAN_BUILD) BIN=$(ASAN_BUILD)/bin/sevboot \
	CFLAGS="-O1 -g -fno-omit-frame-pointer" FORTIFY= \
	SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
asan:
	+$(ASAN_MAKE) all $(UNIT_BINS:$(BUILD)/%=$(ASAN_BUILD)/%)
unit-asan:
	+ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10} \
	$(ASAN_MAKE) unit

integration: $(BIN)
	SEVBOOT_SHARED=$(SHARED) tests/integration/owner.sh
	SEVBOOT_SHARED=$(SHARED) tests/integration/trust.sh
	SEVBOOT_SHARED=$(SHARED) BUILD=$(BUILD) tests/integration/run.sh

# The fuzz harnesses are built and run briefly too, so they cannot rot.
check: unit unit-asan
	scripts/check-flags
	scripts/include-graph
	$(MAKE) fuzz-smoke FUZZ_SECONDS=5
	$(MAKE) integration

# libFuzzer harnesses (clang), one per input surface, each with a seed
# corpus in tests/fuzz/corpus/<harness>/.  The library is built once for
# them (instrumented, ASan + UBSan, every finding fatal) in
# $(BUILD)/fuzz/lib; fuzz-smoke runs each harness FUZZ_SECONDS from its
# corpus, fuzz-long FUZZ_RUNS executions each (scripts/fuzz-long).
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -I. -D_GNU_SOURCE -pthread
FUZZ_LIB := $(BUILD)/fuzz/lib/libsevboot.a
$(FUZZ_LIB): $(LIB_SRCS) $(wildcard */*.h */*/*.h)
	+$(MAKE) BUILD=$(BUILD)/fuzz/lib CC=$(FUZZ_CC) WERROR= FORTIFY= \
		CFLAGS="-g -O1" SAN_FLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $@
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(wildcard cli/*.c cli/*.h tests/unit/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS_LIB)
fuzz: $(FUZZ_BINS)
FUZZ_SECONDS ?= 20
fuzz-smoke: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		h=$${f##*/}; c=tests/fuzz/corpus/$$h; w=$(BUILD)/fuzz/work/$$h; \
		rm -rf $$w; mkdir -p $$w; \
		echo "== $$f ($(FUZZ_SECONDS) s, corpus $$c)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $$w \
			$$( [ -d $$c ] && echo $$c ) > $$f.log 2>&1 || \
			{ tail -n 30 $$f.log; echo "FAIL: $$f"; exit 1; }; \
		tail -n 1 $$f.log; \
	done
FUZZ_RUNS ?= 10000000
fuzz-long: $(FUZZ_BINS)
	FUZZ_RUNS=$(FUZZ_RUNS) BUILD=$(BUILD) scripts/fuzz-long $(FUZZ_BINS)

# Benchmarks (scripts/bench-*): programs that print figures, never tests.
$(BUILD)/bench/%: tests/bench/%.c $(INTERNAL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(INTERNAL_LIB) $(LDLIBS_LIB)

# Only the program is installed; the internal archive is not a library.
install: bin/sevboot
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/sevboot $(DESTDIR)$(PREFIX)/bin/sevboot

format:
	clang-format -i $(LIB_SRCS) $(BIN_SRCS) $(wildcard */*.h tests/unit/*.c tests/fuzz/*.c)

clean:
	rm -rf bin lib $(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/asan \
		$(BUILD)/bench $(INTERNAL_LIB)

-include $(LIB_OBJS:.o=.d) $(BIN_OBJS:.o=.d)

# AMD's roots are embedded (.incbin) by owner/trust.c.
$(BUILD)/obj/owner/trust.o: $(wildcard owner/roots/*/*/*)
