# M-mode under a locked PMP entry: entry 3 NAPOT 0x80009000-0x80009fff
# locked read-only (M-mode's store and fetch there fault), entry 4 TOR up
# to 0x80010000 RWX (locked too), entry 5 all memory RWX; pmpcfg2 (entries 8-13) holds nonsense from the header
# (W without R, locked NA4/TOR over shifted addresses). A write to the
# locked entry's pmpaddr and to the TOR base below entry 4, then S-mode:
# loads and stores on both sides of the boundary, an AMO, ecall back.
# header: mtvec=0x400 pmpaddr0=0x20002fff pmpaddr1=0x200023ff pmpcfg2=0x9b1a0c17ff00
.option norvc
_start:
  li t0, 0x200025ff          # NAPOT 0x80009000, 4 KiB
  csrw pmpaddr3, t0
  li t0, 0x20004000          # TOR top 0x80010000
  csrw pmpaddr4, t0
  li t0, -1                  # entry 5: all memory
  csrw pmpaddr5, t0
  li t0, 0x1f8f99000000      # entry 3: L NAPOT R; entry 4: L TOR RWX; entry 5: NAPOT RWX
  csrs pmpcfg0, t0
  li a0, 0x80009000
  ld a1, 0(a0)
  sd a1, 0(a0)               # store access fault in M-mode
  jalr a0                    # fetch access fault
  csrw pmpaddr3, zero        # ignored: locked, and the base of locked TOR entry 4
  csrw pmpaddr2, zero
  li t0, 0x1a1a              # W without R: reads back without W
  csrw pmpcfg2, t0
  la t1, smode
  csrw mepc, t1
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800
  csrs mstatus, t0
  mret
smode:
  ld a1, -8(a0)
  sd a1, -8(a0)
  ld a2, 0(a0)
  amoadd.d a3, a1, (a0)      # store access fault
  li t3, 0x8000a000
  sd a2, 0(t3)
  ecall
1:
  wfi
  j 1b
.org 0x400
mhandler:
  csrr t0, mcause
  csrr t1, mepc
  li t2, 1
  bne t0, t2, 2f
  mv t1, ra                  # fetch fault: back to the caller
  addi t1, t1, -4
2:
  addi t1, t1, 4
  csrw mepc, t1
  mret
