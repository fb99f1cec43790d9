/* bus/pci/express.c: the PCI Express capability structure (version 2) of
 * an endpoint: an x1 link at 2.5 GT/s that is always up, 128-byte maximum
 * payload, no ASPM, no function-level reset, no extended capabilities. */
#include "bus/pci/pci.h"

/* Register offsets inside the capability (PCIe base spec, 7.5.3). */
#define EXP_FLAGS    0x02
#define EXP_DEVCAP   0x04
#define EXP_DEVCTL   0x08
#define EXP_DEVSTA   0x0a
#define EXP_LNKCAP   0x0c
#define EXP_LNKCTL   0x10
#define EXP_LNKSTA   0x12
#define EXP_LNKCAP2  0x2c
#define EXP_LNKCTL2  0x30
#define EXP_LEN_V2   0x3c   /* through the slot registers 2 */

#define DEVCAP_RBER        0x00008000u /* role-based error reporting (1.1+) */
/* Device control: error reporting enables (3:0), relaxed ordering (4),
 * max payload (7:5), no snoop (11), max read request (14:12). Extended
 * tags, phantom functions, aux power and FLR are not supported: RO 0. */
#define DEVCTL_WMASK       0x78ffu
#define DEVCTL_RESET       0x2810u     /* relaxed ordering, no snoop, 512-byte reads */
#define DEVSTA_ERRORS      0x000fu     /* correctable, non-fatal, fatal, unsupported request */
#define LINK_X1_2_5GT      0x0011u     /* speed 1 (2.5 GT/s), width x1 */
/* Link control of an endpoint: ASPM control (1:0), read completion
 * boundary (3), common clock (6), extended synch (7). */
#define LNKCTL_WMASK       0x00cbu
#define LNKCAP2_2_5GT      0x00000002u /* supported speeds vector: 2.5 GT/s */

int pci_dev_add_pcie_cap(struct pci_dev *d, unsigned type)
{
    if (type != PCI_EXP_TYPE_ENDPOINT && type != PCI_EXP_TYPE_LEG_END && type != PCI_EXP_TYPE_RC_END)
        return -1;
    int off = pci_dev_add_cap(d, PCI_CAP_ID_EXP, EXP_LEN_V2);
    if (off < 0)
        return -1;
    unsigned o = (unsigned)off;
    pci_cfg_set(d, o + EXP_FLAGS, 2, 2 | type << 4);
    pci_cfg_set(d, o + EXP_DEVCAP, 4, DEVCAP_RBER);
    pci_cfg_set(d, o + EXP_DEVCTL, 2, DEVCTL_RESET);
    pci_cfg_set_wmask(d, o + EXP_DEVCTL, 2, DEVCTL_WMASK);
    pci_cfg_set_w1c(d, o + EXP_DEVSTA, 2, DEVSTA_ERRORS);
    /* A root-complex integrated endpoint has no link: its link registers
     * are reserved. */
    if (type != PCI_EXP_TYPE_RC_END) {
        pci_cfg_set(d, o + EXP_LNKCAP, 4, LINK_X1_2_5GT);
        pci_cfg_set_wmask(d, o + EXP_LNKCTL, 2, LNKCTL_WMASK);
        pci_cfg_set(d, o + EXP_LNKSTA, 2, LINK_X1_2_5GT);
        pci_cfg_set(d, o + EXP_LNKCAP2, 4, LNKCAP2_2_5GT);
        pci_cfg_set(d, o + EXP_LNKCTL2, 2, 1); /* target link speed 2.5 GT/s */
    }
    /* Device capabilities/control 2 stay 0: none of their optional
     * features (completion timeout ranges, ARI, LTR, ...). */
    /* Extended configuration space; 0x100 reads 0: no extended capability. */
    d->cfg_size = PCIE_CFG_SIZE;
    pci_cfg_set(d, PCI_LATENCY_TIMER, 1, 0);
    pci_cfg_set_wmask(d, PCI_LATENCY_TIMER, 1, 0);
    return off;
}
