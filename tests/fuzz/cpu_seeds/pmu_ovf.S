# Event counters and Sscofpmf: counters that wrap within the fuzzer's
# 256-instruction slices (exact overflow deadlines, single-instruction
# blocks near them), mode filters across mret/sret, mcountinhibit,
# scountovf, LCOFI delegated to S and taken in M.
# header: mcounteren=0xff scounteren=0xff pmpcfg0=0x1f pmpaddr0=0x3fffffffffffff
_start:
  la t0, h
  csrw mtvec, t0
  la t0, sh
  csrw stvec, t0
  li t1, 1 << 13
  csrs mie, t1
  csrs mideleg, t1
  li t0, 2 | (1 << 62)
  csrw mhpmevent3, t0
  li t0, 1
  csrw mhpmevent4, t0
  li t0, 2 | (1 << 60)
  csrw mhpmevent5, t0
  li t0, -40
  csrw mhpmcounter3, t0
  li t0, -7
  csrw mhpmcounter4, t0
  li t0, -100
  csrw mhpmcounter5, t0
  csrs mstatus, 8
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, s
  csrw mepc, t0
  mret
s:
  csrsi sstatus, 2
  addi a0, a0, 1
  csrr a1, 0xda0
  csrr a2, hpmcounter3
  blt a0, a1, s
  ecall
  j s
sh:
  csrr t2, 0xda0
  csrc sip, t1
  li t0, -3
  sret
h:
  csrr t2, mcause
  csrw mcountinhibit, a0
  csrw mhpmcounter4, t0
  csrw mhpmevent4, t0
  csrc mip, t1
  csrr t2, mepc
  addi t2, t2, 4
  csrw mepc, t2
  mret
