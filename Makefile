# sevboot — GNU Make build.  Targets: all check unit integration fuzz install
# clean static.  PREFIX and DESTDIR are honoured by install.

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
# libcurl (`sevboot fetch`, AMD's KDS over HTTPS) is not linked:
# owner/kds.c opens libcurl.so.4 with dlopen when a fetch first needs it,
# so no other run maps it and its 33 libraries.  Its header is needed.
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
	install uninstall clean format libsev static

# build/libsevboot.a is sevboot's internal archive (the modules below
# cli/), for the binary and the tests.  It is not installed: its names are
# not the published libsev C API.
# BIN is where the program goes (the sanitizer build puts its own in
# $(BUILD)/bin/sevboot).
BIN ?= bin/sevboot
all: $(BIN) libsev

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

# ------------------------------------------------------------ libsev
# The public C API (sev(3)): lib/libsev.so (soname libsev.so.1) and
# lib/libsev.a, built from lib/libsev.c and the modules it uses (util,
# loader, sev, owner; not vmm or cli), compiled apart with
# -fvisibility=hidden.  The shared library exports only lib/libsev.map's
# names; the archive is one relocatable object whose hidden symbols are
# made local (objcopy --localize-hidden), so it exports the same names.
# LIBOUT is where they go (the sanitizer build puts its own elsewhere).
LIBSEV_VERSION := 1.1.0
LIBSEV_SOMAJOR := 1
LIBOUT ?= lib
LIBSEV_SO := $(LIBOUT)/libsev.so.$(LIBSEV_VERSION)
LIBSEV_A := $(LIBOUT)/libsev.a
# owner/kds.c (AMD KDS over libcurl, opened with dlopen) is sevboot's,
# not the library's.
LIBSEV_SRCS := lib/libsev.c lib/platform.c $(filter-out owner/kds.c,$(sort $(wildcard util/*.c loader/*.c sev/*.c sev/model/*.c owner/*.c)))
LIBSEV_OBJS := $(LIBSEV_SRCS:%.c=$(BUILD)/libobj/%.o)
LIBSEV_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto) -pthread
libsev: $(LIBSEV_SO) $(LIBOUT)/libsev.so.$(LIBSEV_SOMAJOR) $(LIBOUT)/libsev.so \
	$(LIBSEV_A) $(LIBOUT)/libsev.pc
$(BUILD)/libobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -MMD -MP -c -o $@ $<
$(LIBSEV_SO): $(LIBSEV_OBJS) lib/libsev.map
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,libsev.so.$(LIBSEV_SOMAJOR) \
		-Wl,--version-script=lib/libsev.map -Wl,--no-undefined \
		-o $@ $(LIBSEV_OBJS) $(LIBSEV_LIBS)
$(LIBOUT)/libsev.so.$(LIBSEV_SOMAJOR) $(LIBOUT)/libsev.so: $(LIBSEV_SO)
	ln -sf libsev.so.$(LIBSEV_VERSION) $@
$(LIBSEV_A): $(LIBSEV_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -r -nostdlib -o $(BUILD)/libobj/libsev-all.o $(LIBSEV_OBJS)
	objcopy --localize-hidden $(BUILD)/libobj/libsev-all.o
	rm -f $@
	ar rcs $@ $(BUILD)/libobj/libsev-all.o
# pkg-config's file for the tree (PREFIX, LIBDIR, INCDIR as given to
# make); install writes its own for the directories it installs to.
LIBSEV_PC = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	-e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(LIBSEV_VERSION)|g' \
	lib/libsev.pc.in
$(LIBOUT)/libsev.pc: lib/libsev.pc.in Makefile
	@mkdir -p $(dir $@)
	$(LIBSEV_PC) > $@
-include $(LIBSEV_OBJS:.o=.d)

# A unit test may name cli/ sources it tests (TEST_CLI_SRCS_test_x).
$(BUILD)/tests/%: tests/unit/%.c $(INTERNAL_LIB) tests/unit/testutil.h tests/unit/fake_host.h \
		tests/unit/fake_guest.h
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
# test_kds runs cmd_fetch (cli/fetch.c) against a KDS of its own.
TEST_CLI_SRCS_test_kds := cli/fetch.c cli/options.c cli/opts.c
$(BUILD)/tests/test_kds: cli/fetch.c cli/options.c cli/opts.c cli/cli.h
# test_timeline writes the timing document with cli/timing.c.
TEST_CLI_SRCS_test_timeline := cli/timing.c cli/bench.c cli/options.c cli/opts.c
$(BUILD)/tests/test_timeline: cli/timing.c cli/bench.c cli/cli.h
# test_cli_opts compiles cli/options.c and cli/opts.c in and drives
# bin/sevboot.
$(BUILD)/tests/test_cli_opts: cli/options.c cli/opts.c cli/cli.h
# test_guest_files compiles cli/guest.c, files.c, options.c and opts.c in.
$(BUILD)/tests/test_guest_files: cli/guest.c cli/files.c cli/options.c cli/opts.c cli/cli.h
# test_libsev compiles the libsev API (lib/libsev.c) in.
TEST_CLI_SRCS_test_libsev := lib/libsev.c lib/platform.c
$(BUILD)/tests/test_libsev: lib/libsev.c lib/platform.c lib/libsev.h lib/internal.h
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
	LIBOUT=$(ASAN_BUILD)/lib \
	CFLAGS="-O1 -g -fno-omit-frame-pointer" FORTIFY= \
	SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
asan:
	+$(ASAN_MAKE) all $(UNIT_BINS:$(BUILD)/%=$(ASAN_BUILD)/%)
unit-asan:
	+ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10} \
	$(ASAN_MAKE) unit

# A static sevboot for a test guest's initrd (scripts/testhost/run
# --guest-sevboot): static-pie with libcrypto and libseccomp linked in,
# and without libcurl (owner/kds.c built with SEVBOOT_NO_CURL: `sevboot
# fetch` says it cannot fetch); everything else is the same program.
STATIC_BUILD := $(BUILD)/static
STATIC_BIN := $(STATIC_BUILD)/bin/sevboot
static:
	+$(MAKE) BUILD=$(STATIC_BUILD) BIN=$(STATIC_BIN) \
		CPPFLAGS="$(CPPFLAGS) -DSEVBOOT_NO_CURL" \
		LDFLAGS="$(LDFLAGS) -static-pie" \
		LDLIBS_LIB="-lcrypto -lseccomp -pthread" $(STATIC_BIN)

integration: $(BIN) static
	SEVBOOT_SHARED=$(SHARED) tests/integration/owner.sh
	SEVBOOT_SHARED=$(SHARED) tests/integration/trust.sh
	BUILD=$(BUILD) tests/lib/run.sh
	SEVBOOT_SHARED=$(SHARED) BUILD=$(BUILD) tests/integration/run.sh

# The fuzz harnesses are built and run briefly too, so they cannot rot.
check: unit unit-asan
	scripts/check-flags
	scripts/include-graph
	scripts/check-lib-abi
	scripts/gen-man-sevboot --check
	$(MAKE) fuzz-smoke FUZZ_SECONDS=5
	$(MAKE) integration

# libFuzzer harnesses (clang), one per input surface, each with a seed
# corpus in tests/fuzz/corpus/<harness>/.  The library is built once for
# them (instrumented, ASan + UBSan, every finding fatal) in
# $(BUILD)/fuzz/lib; fuzz-smoke runs each harness FUZZ_SECONDS from its
# corpus, fuzz-long FUZZ_RUNS executions each (scripts/fuzz-long).
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# A timeline of 64 entries, not 2048 (util/util.h): a 600 KiB timeline
# per input was an mmap and munmap under ASan, most of fuzz_timeline's time.
FUZZ_DEFS := -DTL_MAX_ENTRIES=64
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_DEFS) -I. -D_GNU_SOURCE -pthread
FUZZ_LIB := $(BUILD)/fuzz/lib/libsevboot.a
# ASan's quarantine of freed memory: 16 MiB, not 256.  A use after free is
# still found while the block is among the last 16 MiB freed (an input
# frees far less); with 256 MiB every allocation touched fresh pages, a
# page fault each (fuzz_timeline 8.2 -> 2.3 CPU s, fuzz_trust 3.3 -> 1.4
# CPU s for 6000 runs).  A user's ASAN_OPTIONS come after it and win.
FUZZ_ASAN_OPTIONS := quarantine_size_mb=16
export FUZZ_ASAN_OPTIONS
$(FUZZ_LIB): $(LIB_SRCS) $(wildcard */*.h */*/*.h)
	+$(MAKE) BUILD=$(BUILD)/fuzz/lib CC=$(FUZZ_CC) WERROR= FORTIFY= \
		CFLAGS="-g -O1 $(FUZZ_DEFS)" SAN_FLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $@
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
		ASAN_OPTIONS="$(FUZZ_ASAN_OPTIONS)$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}" \
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

# The program, libsev (shared and static, header, pkg-config) and the
# man pages sevboot(1) and sev(3); the internal archive is not installed.
# uninstall removes exactly these files.
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCDIR = $(PREFIX)/include
PCDIR = $(LIBDIR)/pkgconfig
MANDIR = $(PREFIX)/share/man
install: bin/sevboot libsev
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
		$(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 0755 bin/sevboot $(DESTDIR)$(BINDIR)/sevboot
	install -m 0755 $(LIBSEV_SO) $(DESTDIR)$(LIBDIR)/libsev.so.$(LIBSEV_VERSION)
	ln -sf libsev.so.$(LIBSEV_VERSION) $(DESTDIR)$(LIBDIR)/libsev.so.$(LIBSEV_SOMAJOR)
	ln -sf libsev.so.$(LIBSEV_SOMAJOR) $(DESTDIR)$(LIBDIR)/libsev.so
	install -m 0644 $(LIBSEV_A) $(DESTDIR)$(LIBDIR)/libsev.a
	install -m 0644 lib/libsev.h $(DESTDIR)$(INCDIR)/libsev.h
	$(LIBSEV_PC) > $(DESTDIR)$(PCDIR)/libsev.pc
	chmod 0644 $(DESTDIR)$(PCDIR)/libsev.pc
	install -m 0644 doc/sevboot.1 $(DESTDIR)$(MANDIR)/man1/sevboot.1
	install -m 0644 doc/sev.3 $(DESTDIR)$(MANDIR)/man3/sev.3
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sevboot \
		$(DESTDIR)$(LIBDIR)/libsev.so.$(LIBSEV_VERSION) \
		$(DESTDIR)$(LIBDIR)/libsev.so.$(LIBSEV_SOMAJOR) \
		$(DESTDIR)$(LIBDIR)/libsev.so $(DESTDIR)$(LIBDIR)/libsev.a \
		$(DESTDIR)$(INCDIR)/libsev.h $(DESTDIR)$(PCDIR)/libsev.pc \
		$(DESTDIR)$(MANDIR)/man1/sevboot.1 $(DESTDIR)$(MANDIR)/man3/sev.3

format:
	clang-format -i $(LIB_SRCS) $(BIN_SRCS) lib/libsev.c lib/platform.c $(wildcard */*.h tests/unit/*.c tests/fuzz/*.c)

clean:
	rm -f lib/libsev.so lib/libsev.so.* lib/libsev.a lib/libsev.pc
	rm -rf bin $(BUILD)/obj $(BUILD)/libobj $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/asan $(BUILD)/static \
		$(BUILD)/bench $(INTERNAL_LIB)

-include $(LIB_OBJS:.o=.d) $(BIN_OBJS:.o=.d)

# AMD's roots are embedded (.incbin) by owner/trust.c.
$(BUILD)/obj/owner/trust.o: $(wildcard owner/roots/*/*/*)
$(BUILD)/libobj/owner/trust.o: $(wildcard owner/roots/*/*/*)
