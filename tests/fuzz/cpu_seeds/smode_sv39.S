# S-mode under Sv39 from the first instruction: the header starts the hart
# in S with satp at the table below, traps delegated to stvec. Loads and
# stores through a U page (SUM off, then on), a page without A, an
# unmapped page, then sret into U-mode code mapped at 0x3000, ecall back.
# header: priv=1 satp=0x5 stvec=0x800 mtvec=0xc00 medeleg=0xb100 mideleg=0x222 mie=0x222
.option norvc
_start:
  li a0, 0x1000
  ld a1, 0(a0)               # U page, SUM=0: load page fault to S
  li t0, 0x40000
  csrs sstatus, t0           # SUM
  ld a1, 0(a0)
  sd a1, 8(a0)
  li a2, 0x4000
  sd a1, 0(a2)               # no A/D: page fault (or hardware update)
  li a3, 0x7000
  lw a4, 0(a3)               # unmapped
  sfence.vma
  li t0, 0x100
  csrc sstatus, t0           # SPP = U
  la t1, ucode
  li t2, 0x80000000 - 0x3000
  sub t1, t1, t2
  csrw sepc, t1
  sret
ucode:
  li a0, 0x1000
  ld a1, 0(a0)
  csrr a2, sstatus           # illegal in U
  ecall
  wfi
.org 0x800
shandler:
  csrr t0, scause
  csrr t1, sepc
  addi t1, t1, 4
  csrw sepc, t1
  li t2, 8
  beq t0, t2, 1f
  sret
1:
  li t0, 0x100
  csrs sstatus, t0           # back to S after the U ecall
  la t1, done
  csrw sepc, t1
  sret
done:
  ecall                      # to M (not delegated from S)
2:
  wfi
  j 2b
.org 0xc00
mhandler:
  csrr t0, mcause
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
.org 0x1000                  # one page is every level (it points at itself):
  .dword (0x80001000 >> 12 << 10) | 1      # [0] next level: this page again
  .dword (0x80000000 >> 12 << 10) | 0xd7   # [1] leaf 0x1000: U RW, the code page
  .dword (0x80000000 >> 12 << 10) | 0xcf   # [2] 1 GiB at 0x80000000 RWX (and 0x2000)
  .dword (0x80000000 >> 12 << 10) | 0x5b   # [3] 0x3000: U RX, the code page
  .dword (0x80000000 >> 12 << 10) | 0x07   # [4] 0x4000: RW without A/D
  .dword 0
