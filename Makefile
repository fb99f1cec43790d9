# rivet: one non-recursive Makefile. Run ./configure first.
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
LIB := $(B)/librivet.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)

# Guest-side programs, built with the riscv64 cross compiler.
GUEST_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding
ISA_SRCS := $(wildcard tests/isa/*.S)
ISA_ELFS := $(ISA_SRCS:%.S=$(B)/%.elf)
BENCH_SRCS := $(wildcard roms/bench/*.c roms/bench/*.S)
BENCH_ELF := $(B)/roms/bench.elf

.PHONY: all test unit isa run guest bench fuzz install clean
.SECONDARY:
all: $(B)/rivet

config.mk:
	@echo "run ./configure first" >&2; exit 1

$(B)/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(B)/rivet: $(B)/frontends/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(B)/tests/isa/%.elf: tests/isa/%.S $(wildcard tests/isa/*.h tests/isa/*.ld)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(RISCV_CC) $(GUEST_CFLAGS) -Itests/isa -T tests/isa/link.ld -o $@ $<

$(BENCH_ELF): $(BENCH_SRCS) $(wildcard roms/bench/*.h roms/bench/*.ld)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(RISCV_CC) $(GUEST_CFLAGS) -O2 -Iroms/bench -T roms/bench/link.ld -o $@ $(BENCH_SRCS) -lgcc

unit: $(UNIT_BINS)
isa: $(ISA_ELFS)

test: $(B)/rivet $(UNIT_BINS) $(ISA_ELFS)
	@sh tests/run.sh

run: $(B)/rivet
	sh scripts/run-guest.sh

guest:
	sh roms/guest/build.sh $(B)/guest

bench: $(B)/rivet $(BENCH_ELF)
	sh scripts/bench.sh

install: $(B)/rivet
	install -D -m 755 $(B)/rivet $(DESTDIR)$(PREFIX)/bin/rivet

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(B)/frontends/main.d $(UNIT_SRCS:%.c=$(B)/%.d)
