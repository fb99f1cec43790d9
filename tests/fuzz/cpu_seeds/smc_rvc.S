# Self-modifying code: rewrite an addi inside a loop, fence.i, compressed ops.
_start:
  la t0, target
  li t1, 0
  li a5, 50
loop:
target:
  addi t1, t1, 1
  lw t3, 0(t0)

  li t4, 0x00230313          # addi t1, t1, 2
  sw t4, 0(t0)
  fence.i
  c.addi a5, -1
  c.bnez a5, loop
  mul a0, t1, a5
  divu a1, t1, a5
  remw a2, t1, a5
  wfi
  ebreak
