/* thp.h: the malloc heap in transparent huge pages.
 *
 * Every flow allocates (nDPI's state and reassembly buffers, inspection,
 * media, records) and the heap grows until the table is full.  A page
 * first touched costs a fault, and on a virtual machine a fault is an exit
 * to the hypervisor: 12-20 us a 4 KiB page on the machine the bench runs
 * on, against 0.2 us for a 4 KiB share of a 2 MiB page.  On the deploy
 * bench capture, 18,000 faults were about 13% of a one-engine run.
 *
 * glibc (2.35 and later) puts its heaps, arenas and mapped blocks in
 * transparent huge pages when its tunable glibc.malloc.hugetlb is 1, read
 * from the environment when the process starts; there is no call to set
 * it later.  So thp_heap() runs the program again with the tunable
 * added: the same process (exec keeps the pid, the open files and the
 * arguments), started over before it did anything but read them.
 */
#ifndef LW_THP_H
#define LW_THP_H

/* Call once the arguments are read and before anything is opened or
 * started, with main's argv (getopt may have reordered it: the same
 * options, read again the same way).  Returns, doing nothing, when
 * GLIBC_TUNABLES already names glibc.malloc.hugetlb (so also after the
 * exec), when LYNCWATCH_THP is 0, when a library is preloaded (valgrind's
 * tools are: an exec would leave them), in glibc's secure mode (set-uid,
 * file capabilities: the tunable is dropped), in a sanitizer's build (its
 * own allocator), or when the exec fails; otherwise does not return. */
void thp_heap(char **argv);

#endif
