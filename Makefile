# rivet: one non-recursive Makefile. Without config.mk, the first make runs
# ./configure with its defaults (run it yourself for other options).
-include config.mk

B := build
# Quiet by default; `make V=1` shows the commands.
ifneq ($(V),1)
Q := @
endif
CFLAGS := -std=gnu11 $(OPT) $(SAN) $(WARN) $(DEFS) -I. $(PKG_CFLAGS) -MMD -MP
LDFLAGS := $(SAN)
LDLIBS := $(PKG_LIBS) -lm

# Every .c under the layered folders is part of librivet, except the
# program's main and host backends whose library was not found.
LIB_SRCS := $(wildcard bus/*.c bus/*/*.c cpu/riscv/*.c virtio/*.c machine/*.c frontends/*.c)
LIB_SRCS := $(filter-out frontends/main.c,$(LIB_SRCS))
ifneq ($(HAVE_SDL),yes)
LIB_SRCS := $(filter-out frontends/sdl%.c,$(LIB_SRCS))
endif
ifneq ($(HAVE_SLIRP),yes)
LIB_SRCS := $(filter-out frontends/net_slirp%.c,$(LIB_SRCS))
endif
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
# Device types register with a `DEVICE_TYPE(id)` line in their own file;
# the registry's list is generated from those lines (bus/device.h).
DEVICE_SRCS := $(filter-out frontends/%,$(LIB_SRCS))
DEVICE_LIST := $(B)/gen/device_list.c
LIB_OBJS += $(B)/gen/device_list.o
# Monitor commands likewise: `MONITOR_COMMAND(id)` lines (frontends/monitor.h).
MONITOR_SRCS := $(filter frontends/%,$(LIB_SRCS))
MONITOR_LIST := $(B)/gen/monitor_list.c
LIB_OBJS += $(B)/gen/monitor_list.o
LIB := $(B)/librivet.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)

# Fuzz harnesses (tests/fuzz/README.md): with gcc, each is replayed on its
# corpus and generated inputs by `make test`; `make fuzz` builds them with
# clang and libFuzzer and runs each for FUZZ_SECONDS.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
REPLAY_BINS := $(FUZZ_NAMES:%=$(B)/tests/fuzz/replay_%)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# The whole library (what the host build links, as configured): a harness
# may drive any of it, and a hand-kept list fell behind twice.
FUZZ_LIB_OBJS := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRCS)) $(B)/fuzz/obj/gen/device_list.o \
	$(B)/fuzz/obj/gen/monitor_list.o
FUZZ_BINS := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

# Guest-side programs, built with the riscv64 cross compiler.
GUEST_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding
ISA_SRCS := $(wildcard tests/isa/*.S)
ISA_ELFS := $(ISA_SRCS:%.S=$(B)/%.elf)
BENCH_SRCS := $(wildcard roms/bench/*.c roms/bench/*.S)
BENCH_ELF := $(B)/roms/bench.elf
# the data-next-to-code benchmark: its kernel and slot, then bench's runtime
SMCBENCH_SRCS := roms/smcbench/main.c roms/smcbench/slot.S roms/bench/start.S roms/bench/uart.c roms/bench/lib.c
SMCBENCH_ELF := $(B)/roms/smcbench.elf
# the user-mode CPU benchmarks the test guest runs (static Linux programs)
LINUX_CC ?= riscv64-linux-gnu-gcc
USERBENCH := $(B)/roms/userbench/mix $(B)/roms/userbench/heldout

.PHONY: all test unit isa run guest debian bench fuzz difftest install install-dev plugins clean
.SECONDARY:
all: $(B)/rivet

config.mk:
	@echo "  CONFIGURE (no config.mk: ./configure with its defaults)"
	$(Q)./configure

$(B)/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(DEVICE_LIST): $(DEVICE_SRCS) scripts/gen-list.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/gen-list.sh DEVICE_TYPE bus/device.h device_desc device_types $(DEVICE_SRCS) > $@.tmp && mv $@.tmp $@

$(B)/gen/device_list.o: $(DEVICE_LIST) config.mk
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(MONITOR_LIST): $(MONITOR_SRCS) scripts/gen-list.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/gen-list.sh MONITOR_COMMAND frontends/monitor.h monitor_command monitor_commands $(MONITOR_SRCS) > $@.tmp && mv $@.tmp $@

$(B)/gen/monitor_list.o: $(MONITOR_LIST) config.mk
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# Makefile: a file added to an object list must get into the archive even
# when its source is older than the archive (.SECONDARY alone skips it).
$(LIB): $(LIB_OBJS) Makefile
	@rm -f $@
	$(Q)ar rcs $@ $(filter %.o,$^)

# Device plug-ins (docs/plugins.md) call the rivet_* functions of the
# executable: only those are exported.
EXPORTS := -Wl,--dynamic-list=scripts/rivet-device.syms

$(B)/rivet: $(B)/frontends/main.o $(LIB) scripts/rivet-device.syms
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXPORTS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIB) scripts/rivet-device.syms
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXPORTS) -o $@ $(filter %.o %.a,$^) $(CMOCKA_LIBS) $(LDLIBS)

# The example and test plug-ins (tests/plugins/), built out of tree as a
# user would: against a `make install` into a scratch prefix, through
# pkg-config. Their own Makefile; sanitizers are left out (the .so is
# loaded into a sanitized rivet fine, but needs no instrumentation).
PLUGIN_PREFIX := $(abspath $(B))/plugin-prefix
PLUGIN_STAMP := $(B)/tests/plugins/.built
$(PLUGIN_STAMP): machine/rivet-device.h scripts/rivet-device.pc.in $(wildcard tests/plugins/*.c tests/plugins/Makefile) Makefile
	@$(if $(Q),echo "  PLUGINS $(dir $@)")
	$(Q)$(MAKE) --no-print-directory install-dev DESTDIR= PREFIX=$(PLUGIN_PREFIX) > /dev/null
	$(Q)PKG_CONFIG_PATH=$(PLUGIN_PREFIX)/lib/pkgconfig $(MAKE) --no-print-directory -C tests/plugins \
		OUT=$(abspath $(B))/tests/plugins CC="$(CC)" > /dev/null
	@touch $@

$(B)/tests/isa/%.elf: tests/isa/%.S $(wildcard tests/isa/*.h tests/isa/*.ld)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(RISCV_CC) $(GUEST_CFLAGS) -Itests/isa -T tests/isa/link.ld -o $@ $<

$(BENCH_ELF): $(BENCH_SRCS) $(wildcard roms/bench/*.h roms/bench/*.ld)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(RISCV_CC) $(GUEST_CFLAGS) -O2 -Iroms/bench -T roms/bench/link.ld -o $@ $(BENCH_SRCS) -lgcc

$(SMCBENCH_ELF): $(SMCBENCH_SRCS) roms/smcbench/link.ld roms/bench/bench.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(RISCV_CC) $(GUEST_CFLAGS) -O2 -Iroms/bench -T roms/smcbench/link.ld -o $@ $(SMCBENCH_SRCS) -lgcc

$(B)/roms/userbench/%: roms/userbench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(LINUX_CC) -O2 -static -Wall -o $@ $< -lm

$(B)/tests/fuzz/replay_%: $(B)/tests/fuzz/replay.o $(B)/tests/fuzz/fuzz_%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The library again, built by clang with coverage for libFuzzer.
$(B)/fuzz/obj/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g $(WARN) $(DEFS) -I. $(PKG_CFLAGS) -MMD -MP \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(B)/fuzz/obj/gen/device_list.o: $(DEVICE_LIST) config.mk
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g $(WARN) $(DEFS) -I. -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(B)/fuzz/obj/gen/monitor_list.o: $(MONITOR_LIST) config.mk
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g $(WARN) $(DEFS) -I. -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(B)/fuzz/librivet.a: $(FUZZ_LIB_OBJS) Makefile
	@rm -f $@
	$(Q)ar rcs $@ $(filter %.o,$^)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(B)/fuzz/librivet.a
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g $(WARN) $(DEFS) -I. -fsanitize=fuzzer $(FUZZ_SAN) \
		-o $@ $< $(B)/fuzz/librivet.a $(LDLIBS)

unit: $(UNIT_BINS)
isa: $(ISA_ELFS)

test: $(B)/rivet $(UNIT_BINS) $(REPLAY_BINS) $(ISA_ELFS) $(BENCH_ELF) $(PLUGIN_STAMP)
	@B=$(B) sh scripts/need-guest.sh
	@B=$(B) sh tests/run.sh

fuzz:
	@command -v $(FUZZ_CC) > /dev/null 2>&1 || { echo "make fuzz: $(FUZZ_CC) not found (libFuzzer needs clang; FUZZ_CC=... to choose one)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/fuzz.sh $(FUZZ_NAMES)

# Differential test against QEMU (tests/difftest/README.md): DIFF_SEED,
# DIFF_INSNS (per class), DIFF_CLASS, DIFF_SEQ_INSNS.
difftest: $(B)/rivet
	@RIVET=$(B)/rivet DIFF_OUT=$(B)/difftest python3 tests/difftest/difftest.py

run: $(B)/rivet
	@B=$(B) sh scripts/need-guest.sh
	@B=$(B) sh scripts/run-guest.sh

guest:
	sh roms/guest/build.sh $(B)/guest

# A Debian 13 riscv64 system from Debian's packages (docs/debian.md)
debian:
	sh roms/debian/build.sh $(B)/debian

bench: $(B)/rivet $(BENCH_ELF) $(SMCBENCH_ELF) $(USERBENCH)
	sh scripts/bench.sh

# rivet, and what a device plug-in builds with: the public header and
# rivet-device.pc (cc -shared -fPIC $$(pkg-config --cflags rivet-device)).
install: $(B)/rivet install-dev
	install -D -m 755 $(B)/rivet $(DESTDIR)$(PREFIX)/bin/rivet

install-dev:
	install -D -m 644 machine/rivet-device.h $(DESTDIR)$(PREFIX)/include/rivet/rivet-device.h
	@mkdir -p $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|g' scripts/rivet-device.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rivet-device.pc

plugins: $(PLUGIN_STAMP)

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(B)/frontends/main.d $(UNIT_SRCS:%.c=$(B)/%.d)
-include $(FUZZ_SRCS:%.c=$(B)/%.d) $(B)/tests/fuzz/replay.d $(FUZZ_LIB_OBJS:.o=.d)
