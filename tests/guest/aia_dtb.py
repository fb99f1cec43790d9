#!/usr/bin/env python3
"""Prints the interrupt-controller part of a virt device tree blob in a
form two emulators' trees can be diffed in: the aplic/imsics nodes whole,
the interrupt properties of the UART, RTC, virtio-mmio slots and the PCIe
bridge; every phandle is replaced by its target
node's path (QEMU and rivet number them differently).

    aia_dtb.py BLOB
"""
import re, subprocess, sys

dts = subprocess.run(['dtc', '-I', 'dtb', '-O', 'dts', sys.argv[1]], capture_output=True, text=True, check=True).stdout
nodes, stack = {}, []
for line in dts.splitlines():
    s = line.strip()
    m = re.match(r'^([^=]*?) \{$', s)
    if m:
        stack.append(m.group(1) if m.group(1) != '/' else '')
        nodes['/'.join(stack) or '/'] = []
    elif s == '};':
        stack.pop()
    elif s and not s.startswith('/dts-v1/'):
        nodes['/'.join(stack) or '/'].append(s.rstrip(';'))
ph = {}
for path, props in nodes.items():
    for p in props:
        m = re.match(r'phandle = <(0x[0-9a-f]+)>', p)
        if m:
            ph[int(m.group(1), 16)] = path


def cells(v):
    return [int(c, 16) for c in v.strip('<>').split()]


def name(c):
    return ph.get(c, '?%x' % c)


def show(p):
    m = re.match(r'^([^ ]+) = (<.*>)$', p)
    if not m:
        return p
    k, v = m.group(1), m.group(2)
    c = cells(v)
    if k in ('interrupt-parent', 'msi-parent', 'riscv,children'):
        return '%s = %s' % (k, name(c[0]))
    if k == 'interrupts-extended':
        return '%s = %s' % (k, ' '.join('%s:%d' % (name(c[i]), c[i + 1]) for i in range(0, len(c), 2)))
    if k == 'riscv,delegate':
        return '%s = %s %s' % (k, name(c[0]), c[1:])
    if k == 'interrupt-map':
        n = 7 if len(c) % 7 == 0 and len(c) // 7 == 16 else 6
        rows = [c[i:i + n] for i in range(0, len(c), n)]
        return '%s = %s' % (k, ' | '.join('%s %s %s' % (r[:4], name(r[4]), r[5:]) for r in rows))
    return p


for path in sorted(nodes):
    leaf = path.split('/')[-1]
    whole = re.match(r'^(aplic|imsics)@', leaf)
    some = re.match(r'^(serial|rtc|virtio_mmio|pci)@', leaf)
    if not (whole or some):
        continue
    print(path)
    for p in nodes[path]:
        k = p.split(' = ')[0]
        if k == 'phandle':
            continue
        if whole or k in ('interrupts', 'interrupt-parent', 'interrupt-map', 'msi-parent'):
            print('    ' + show(p))
