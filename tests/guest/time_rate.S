/*
 * time_rate.S: bare-metal helper of tests/guest/time_icount.sh. Reads the
 * `time` CSR (rdtime) around exactly INSNS retired instructions and checks
 * that it advanced by the number of 100 ns ticks the rate gives: SHIFT
 * (-DSHIFT=N, for -icount shift=N: 2^N ns per instruction) or, without it,
 * batch mode's 10 ns per instruction. Reading time takes the floor of the
 * exact time, so the difference may be one tick more.
 */
#include "test.h"

#define LOOPS 500000
#define INSNS (2 * LOOPS + 3)   /* rdtime, li (lui + addiw), the loop */
#ifdef SHIFT
#define NS_NUM (1 << SHIFT)
#else
#define NS_NUM 10
#endif
#define TICKS (INSNS * NS_NUM / 100)

TEST_BEGIN
    rdtime  s0
    li      t0, LOOPS
1:  addi    t0, t0, -1
    bnez    t0, 1b
    rdtime  s1
    sub     a0, s1, s0
    li      t1, TICKS
    bltu    a0, t1, 2f
    addi    t1, t1, 1
    bgtu    a0, t1, 2f
    j       3f
2:  CHECK(a0, TICKS)     /* reports the difference */
3:
TEST_END
