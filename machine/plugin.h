/* machine/plugin.h: loading out-of-tree device plug-ins (-plugin FILE.so).
 *
 * A plug-in implements the public ABI of machine/rivet-device.h. Loading
 * checks the file (an ELF shared object, not a QEMU TCG plug-in), finds
 * the entry point, checks the ABI version and struct sizes and every
 * device type's descriptor (names unique among all device types, queue
 * sizes, a non-empty MMIO window that stays clear of the board's
 * regions), and only then registers the types with the device registry
 * (machine/devices.h) as internal descriptors (bus/device.h) whose hooks
 * call the plug-in's. So a plug-in device is listed, parsed, created,
 * reset, saved and loaded by the same code as a built-in one.
 */
#ifndef RIVET_PLUGIN_H
#define RIVET_PLUGIN_H

/* Loads one plug-in: `spec` is FILE or file=FILE (QEMU's spelling). 0, or
 * -1 after one line on stderr naming the file and the problem. Plug-ins
 * stay loaded until the process ends. */
int plugin_load(const char *spec);

#endif
