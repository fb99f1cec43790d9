# Interrupts and timers: enable everything, wfi, sret/mret paths, illegal ops.
_start:
  la t0, h
  csrw mtvec, t0
  li t1, -1
  csrw mie, t1
  csrw mideleg, t1
  csrw medeleg, t1
  csrs mstatus, 8
  csrr a0, time
  csrr a1, cycle
  csrr a2, instret
  wfi
  wfi
  .word 0xffffffff
  csrw stimecmp, zero
  csrw pmpaddr0, t1
  csrw pmpcfg0, 0x1f
  j _start
h:
  csrr t2, mcause
  mret
