/* machine/goldfish_rtc.h: the Google goldfish RTC (google,goldfish-rtc) of
 * the virt board, 0x1000 bytes at 0x101000 (IRQ 11).
 *
 * Time is nanoseconds since the Unix epoch: base_ns + 100 ns per virtual
 * clock tick + an offset set by guest writes of TIME + an adjustment the
 * board sets (goldfish_rtc_set_adjust, for -rtc clock=host|rt), so guest
 * time is a pure function of base_ns, the run and the board's adjustments. Registers are 32-bit (other sizes
 * and misaligned accesses read 0 and are ignored):
 *
 *   0x00 TIME_LOW         read: low half of now, latches the high half;
 *                         write: sets the time to (latched high << 32 | value)
 *   0x04 TIME_HIGH        read: the latched high half; write: latches it
 *   0x08 ALARM_LOW        write: arms the alarm at (ALARM_HIGH << 32 | value)
 *                         (an alarm in the past fires at once)
 *   0x0c ALARM_HIGH
 *   0x10 IRQ_ENABLED      bit 0 gates the irq line
 *   0x14 CLEAR_ALARM      write: disarms the alarm
 *   0x18 ALARM_STATUS     1 while an alarm is armed
 *   0x1c CLEAR_INTERRUPT  write: clears the fired-alarm interrupt
 *
 * The irq line is (alarm fired and not cleared) && IRQ_ENABLED; it starts
 * low and is only called on a change.
 */
#ifndef RIVET_GOLDFISH_RTC_H
#define RIVET_GOLDFISH_RTC_H

#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "machine/clock.h"

#define GOLDFISH_RTC_SIZE 0x1000ull

#define GOLDFISH_RTC_TIME_LOW        0x00u
#define GOLDFISH_RTC_TIME_HIGH       0x04u
#define GOLDFISH_RTC_ALARM_LOW       0x08u
#define GOLDFISH_RTC_ALARM_HIGH      0x0cu
#define GOLDFISH_RTC_IRQ_ENABLED     0x10u
#define GOLDFISH_RTC_CLEAR_ALARM     0x14u
#define GOLDFISH_RTC_ALARM_STATUS    0x18u
#define GOLDFISH_RTC_CLEAR_INTERRUPT 0x1cu

/* Nanoseconds of one virtual clock tick. */
#define GOLDFISH_RTC_NS_PER_TICK (1000000000ull / VCLOCK_HZ)

struct goldfish_rtc;

/* base_ns: the guest's time at virtual time 0 (the host clock at start, or
 * a pinned value for reproducible runs). The clock must outlive the RTC. */
struct goldfish_rtc *goldfish_rtc_new(struct vclock *clock, uint64_t base_ns,
                                      struct irq_line irq);
/* Unregisters the alarm timer from the clock, then frees. NULL is fine. */
void goldfish_rtc_free(struct goldfish_rtc *);

/* The time the guest reads now, in ns since the epoch. */
uint64_t goldfish_rtc_time_ns(struct goldfish_rtc *);
/* Sets the board's adjustment (replacing the previous one); an armed alarm
 * is re-evaluated against the new time. */
void goldfish_rtc_set_adjust(struct goldfish_rtc *, int64_t adjust_ns);

/* Register access; opaque is the struct goldfish_rtc. */
extern const struct bus_device_ops goldfish_rtc_ops;

/* The device type (bus/device.h): node writer, ops, free. */
struct device_desc;
extern const struct device_desc device_type_goldfish_rtc;

/* Save/load (bus/state.h): time offsets and the alarm (re-armed on load). */
struct state;
void goldfish_rtc_state(struct goldfish_rtc *, struct state *);

#endif
