# sevboot — GNU Make build.  Targets: all check unit integration fuzz install
# clean.  PREFIX and DESTDIR are honoured by install.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

WERROR ?= -Werror
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR) -Wno-unused-parameter \
	  -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE \
	  -fPIC -pthread -I.
LDLIBS_LIB := $(shell $(PKG_CONFIG) --libs libcrypto libelf 2>/dev/null || echo -lcrypto -lelf) -pthread
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

LIB_SRCS := $(sort $(wildcard loader/*.c vmm/*.c sev/*.c sev/model/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
BIN_SRCS := $(sort $(wildcard cli/*.c))
BIN_OBJS := $(BIN_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all check unit integration fuzz fuzz-smoke install clean format

all: bin/sevboot lib/libsev.a lib/libsev.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

lib/libsev.a: $(LIB_OBJS)
	@mkdir -p lib
	rm -f $@
	ar rcs $@ $^

lib/libsev.so: $(LIB_OBJS)
	@mkdir -p lib
	$(CC) -shared -o $@ $^ $(LDLIBS_LIB)

bin/sevboot: $(BIN_OBJS) lib/libsev.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $(BIN_OBJS) lib/libsev.a $(LDLIBS_LIB)

$(BUILD)/tests/%: tests/unit/%.c lib/libsev.a tests/unit/testutil.h tests/unit/fake_host.h tests/le.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< lib/libsev.a $(CHECK_LIBS) $(LDLIBS_LIB)

# Unit tests: every Check suite; SHARED points at ../shared (vectors,
# firmware) and tests that need it say "skipped" when it is absent.
SHARED ?= $(abspath ../shared)
# test_owner compiles cli/owner.c in and drives bin/sevboot owner.
$(BUILD)/tests/test_owner: cli/owner.c cli/owner.h
# test_cli_opts compiles cli/options.c and cli/opts.c in and drives
# bin/sevboot.
$(BUILD)/tests/test_cli_opts: cli/options.c cli/opts.c cli/cli.h
unit: $(UNIT_BINS) bin/sevboot
	@rc=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; SEVBOOT_SHARED=$(SHARED) CK_FORK=yes $$t || rc=1; \
	done; exit $$rc

integration: bin/sevboot
	SEVBOOT_SHARED=$(SHARED) tests/integration/owner.sh
	SEVBOOT_SHARED=$(SHARED) BUILD=$(BUILD) tests/integration/run.sh

# The fuzz harnesses are built and run briefly too, so they cannot rot.
check: unit
	$(MAKE) fuzz-smoke FUZZ_SECONDS=10
	$(MAKE) integration

# libFuzzer harnesses (clang).  fuzz-smoke runs each for a short while.
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS_LIB)
fuzz: $(FUZZ_BINS)
FUZZ_SECONDS ?= 20
fuzz-smoke: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 > $$f.log 2>&1 || \
			{ tail -n 30 $$f.log; echo "FAIL: $$f"; exit 1; }; \
		tail -n 1 $$f.log; \
	done

install: bin/sevboot lib/libsev.a lib/libsev.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 0755 bin/sevboot $(DESTDIR)$(PREFIX)/bin/sevboot
	install -m 0644 lib/libsev.a $(DESTDIR)$(PREFIX)/lib/libsev.a
	install -m 0755 lib/libsev.so $(DESTDIR)$(PREFIX)/lib/libsev.so

format:
	clang-format -i $(LIB_SRCS) $(BIN_SRCS) $(wildcard */*.h tests/unit/*.c tests/fuzz/*.c)

clean:
	rm -rf bin lib $(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz

-include $(LIB_OBJS:.o=.d) $(BIN_OBJS:.o=.d)
