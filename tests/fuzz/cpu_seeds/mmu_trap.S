# M-mode: trap vector, CSRs, a page table for Sv39, drop to S-mode, fault, return.
.option norvc
_start:
  la t0, handler
  csrw mtvec, t0
  li t1, 0x2000
  csrs mstatus, t1          # FS on
  fcvt.d.l f1, t1
  fadd.d f2, f1, f1
  fsqrt.d f3, f2
  fmv.x.d a2, f3
  li t2, 0x80001000          # page table: one 1 GiB leaf for VA 0x80000000
  li t4, (0x80000000 >> 12 << 10) | 0xcf
  sd t4, 16(t2)
  srli t2, t2, 12
  li t3, 8
  slli t3, t3, 60
  or t2, t2, t3
  csrw satp, t2
  sfence.vma
  li t1, 0x800
  csrs mstatus, t1           # MPP = S
  la t0, smode
  csrw mepc, t0
  mret
smode:
  li a0, 0x80000000
  ld a1, 0(a0)
  sd a1, 8(a0)
  amoadd.w a3, a1, (a0)
  lr.d a4, (a0)
  sc.d a5, a4, (a0)
  li a0, 0x1000
  ld a1, 0(a0)               # unmapped: page fault
  ecall
handler:
  csrr t0, mcause
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
