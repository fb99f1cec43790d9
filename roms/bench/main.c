/* Runs the four benchmark kernels in order and prints each checksum;
 * start.S turns main's 0 into a pass through the test finisher. */
#include "bench.h"

int main(void)
{
    uart_puts("bench: start\n");
    report("integer", kernel_integer());
    heap_reset();
    report("float", kernel_float());
    heap_reset();
    report("memory", kernel_memory());
    heap_reset();
    report("branchy", kernel_branchy());
    uart_puts("bench: done\n");
    return 0;
}
