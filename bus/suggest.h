/* bus/suggest.h: "did you mean ...?" for a mistyped name. */
#ifndef RIVET_SUGGEST_H
#define RIVET_SUGGEST_H

#include <stddef.h>

/* The name among names[0..n) nearest to s (edit distance, a swap of two
 * neighbours counting as one edit), or NULL when none is close: at most 1
 * edit for names up to 4 characters, 2 up to 8, 3 beyond. Ties go to the
 * first. Case is ignored. */
const char *suggest_nearest(const char *s, const char *const *names, size_t n);

#endif
