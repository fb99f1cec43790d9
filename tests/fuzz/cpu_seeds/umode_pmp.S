# U-mode from the first instruction under PMP: entry 0 TOR up to
# 0x80008000 RWX, entry 1 NAPOT 0x80008000-0x80008fff read-only, locked
# bits off. Loads and stores inside, on the edge and beyond; CSR reads
# that U may (cycle, time with mcounteren) and may not do; ecall to M.
# header: priv=0 mtvec=0x400 pmpcfg0=0x190f pmpaddr0=0x20002000 pmpaddr1=0x200021ff mcounteren=0x7
.option norvc
_start:
  li a0, 0x80007ff8
  ld a1, 0(a0)
  sd a1, 0(a0)
  ld a2, 8(a0)               # read-only region
  sd a2, 8(a0)               # store access fault
  li a3, 0x80009000
  lw a4, 0(a3)               # no entry matches: access fault
  rdcycle a5
  rdtime a6
  csrr a7, mstatus           # illegal
  ecall
1:
  wfi
  j 1b
.org 0x400
mhandler:
  csrr t0, mcause
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
