/* bus/irq.h: an interrupt wire. The device raises or lowers it; whoever
 * wired it (a PLIC source, a hart's mip bit) listens. A line with no sink is
 * valid and does nothing. */
#ifndef RIVET_IRQ_H
#define RIVET_IRQ_H

#include <stdbool.h>

struct irq_line {
    void (*set)(void *sink, unsigned n, bool level);
    void *sink;
    unsigned n;
};

static inline void irq_set(const struct irq_line *l, bool level)
{
    if (l && l->set)
        l->set(l->sink, l->n, level);
}
static inline void irq_raise(const struct irq_line *l) { irq_set(l, true); }
static inline void irq_lower(const struct irq_line *l) { irq_set(l, false); }

#endif
