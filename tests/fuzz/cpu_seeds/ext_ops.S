# The extensions of #22: bit manipulation, Zicond, Zcb, cache-block ops
# (cbo.zero over code already run: self-modifying), Zawrs, Zimop/Zcmop, in
# S-mode with the cbo enables on.
# header: priv=1 menvcfg=0xf0f0 mstatus=0x200000
  .option arch, +zba, +zbb, +zbc, +zbs, +zbkb, +zbkc, +zbkx, +zicbom, +zicboz, +zicbop, +zawrs
_start:
  li a0, 0x0123456789abcdef
  li a1, 0xfedcba9876543210
  sh3add a2, a0, a1
  add.uw a3, a0, a1
  slli.uw a4, a0, 7
  clz a5, a0
  ctzw a6, a1
  cpop a7, a0
  orc.b t0, a0
  rev8 t1, a1
  rori t2, a0, 13
  clmulh t3, a0, a1
  clmulr t4, a0, a1
  bexti t5, a0, 33
  binv t6, a1, a0
  pack s2, a0, a1
  brev8 s3, a0
  xperm4 s4, a0, a1
  xperm8 s5, a1, a0
  max s6, a0, a1
  .insn r 0x33, 5, 7, s7, a0, a1      # czero.eqz
  .insn r 0x33, 7, 7, s8, a0, zero    # czero.nez
  la s1, data
  .2byte 0x80c0                       # c.lbu s0, 1(s1)
  .2byte 0x9c75                       # c.not s0
  .2byte 0x9c4d                       # c.mul s0, a1
  .2byte 0x6081                       # c.mop.1
  .word 0x81c54673                    # mop.r.0 a2, a0
  prefetch.w 64(s1)
  cbo.clean (s1)
  cbo.inval (s1)
  cbo.zero (s1)
  wrs.nto                             # TW = 1: illegal in S-mode
  wrs.sto
  la s9, victim
  jalr s9
  cbo.zero (s9)
  jalr s9
  cbo.zero (zero)                     # no memory: store access fault
  wfi
  ebreak
  .balign 64
victim:
  addi a0, a0, 1
  ret
  .balign 64
data:
  .dword 0x8081828384858687, 0
