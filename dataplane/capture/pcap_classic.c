/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture/pcap_classic.h"
#include "decode/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define FILE_HEADER_LEN 24u
#define RECORD_HEADER_LEN 16u
/* libpcap refuses larger records too (MAXIMUM_SNAPLEN). */
#define RECORD_MAX_CAPLEN 262144u
/* The link-type field's low bits; the high ones carry FCS information. */
#define LINKTYPE_MASK 0x03ffffffu
#define LINKTYPE_RAW 101u

/* A file that shrinks under its mapping (tcpdump -C/-W rotating a ring
 * file, a truncate) turns every touch of the lost pages into SIGBUS, in
 * the reader and in the workers that read payload out of the map. The
 * guard catches that fault for mapped traces only: it puts a page of zeros
 * over the lost one, so the access completes, and flags the trace; the
 * reader sees the flag at its next record, reads the new size and ends the
 * file there with a message. Nothing is added per packet but one relaxed
 * load. Faults anywhere else take the default action (the process dies as
 * before). */
#define GUARD_SLOTS 256 /* traces mapped at once; more go to libpcap */

struct guard_slot {
	_Atomic uintptr_t begin; /* 0: free */
	_Atomic uintptr_t end;
	atomic_int shrunk;
};

static struct guard_slot guard_slots[GUARD_SLOTS];
static struct sigaction guard_previous; /* whoever handled SIGBUS before */

/* Async-signal-safe: atomics, mmap and sigaction only. */
static void guard_on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	for (unsigned i = 0; i < GUARD_SLOTS; i++) {
		struct guard_slot *g = &guard_slots[i];
		uintptr_t b = atomic_load(&g->begin);

		if (b == 0 || addr < b || addr >= atomic_load(&g->end))
			continue;
		if (mmap((void *)(addr & ~(page - 1)), page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			break;
		atomic_store(&g->shrunk, 1);
		return;
	}
	/* not a trace of ours: what would have happened without the guard */
	if ((guard_previous.sa_flags & SA_SIGINFO) &&
	    guard_previous.sa_sigaction) {
		guard_previous.sa_sigaction(sig, si, ctx);
	} else if (guard_previous.sa_handler != SIG_DFL &&
		   guard_previous.sa_handler != SIG_IGN) {
		guard_previous.sa_handler(sig);
	} else {
		signal(sig, SIG_DFL); /* the access faults again and kills */
	}
}

/* Installed when a trace is mapped, and again if someone (a test
 * harness, a sanitizer) took SIGBUS since. */
static int guard_install(void)
{
	struct sigaction sa, cur;

	if (sigaction(SIGBUS, NULL, &cur) != 0)
		return -1;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == guard_on_sigbus)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	guard_previous = cur;
	return sigaction(SIGBUS, &sa, NULL);
}

static struct guard_slot *guard_add(const uint8_t *map, size_t size)
{
	if (guard_install() != 0)
		return NULL;
	for (unsigned i = 0; i < GUARD_SLOTS; i++) {
		struct guard_slot *g = &guard_slots[i];
		uintptr_t free_slot = 0;

		if (atomic_compare_exchange_strong(&g->begin, &free_slot,
						   UINTPTR_MAX)) {
			atomic_store(&g->shrunk, 0);
			atomic_store(&g->end, (uintptr_t)map + size);
			atomic_store(&g->begin, (uintptr_t)map);
			return g;
		}
	}
	return NULL;
}

static void guard_remove(struct guard_slot *g)
{
	if (g)
		atomic_store(&g->begin, 0);
}

struct pcap_classic {
	const uint8_t *map;
	size_t size;         /* mapped bytes */
	size_t readable;     /* bytes still in the file: size until it shrinks */
	struct guard_slot *guard;
	atomic_int *shrunk;  /* the guard's flag, read once per record */
	int fd;              /* kept to read the size of a file that shrank */
	size_t off;          /* next record */
	size_t released;     /* bytes before this are no longer mapped in */
	const char *path;
	uint64_t packets;    /* read so far, for error messages */
	uint32_t ts_scale;   /* 1000 for microsecond files, 1 for nanosecond */
	uint32_t snaplen;    /* the file header's limit per record, 0: none */
	uint32_t max_caplen; /* the lower of snaplen and RECORD_MAX_CAPLEN */
	uint16_t dlt;
	uint8_t swapped;     /* written on a host of the other byte order */
};

static uint32_t get32(const struct pcap_classic *pc, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return pc->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t get16(const struct pcap_classic *pc, const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return pc->swapped ? __builtin_bswap16(v) : v;
}

/* Classic files carry LINKTYPE_ values; decode_link.c speaks DLT_ values. They
 * are equal except for raw IP. Link types outside this list go to libpcap,
 * which knows every mapping and refuses what decode_link.c cannot read. */
static int dlt_of_linktype(uint32_t linktype)
{
	switch (linktype) {
	case LINKTYPE_RAW:
		return DLT_RAW;
	case DLT_NULL:
	case DLT_EN10MB:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL2:
		return (int)linktype;
	default:
		return -1;
	}
}

/* Reads the file header from the map; 0 when this is not a classic pcap
 * file this reader takes. */
static int header_parse(struct pcap_classic *pc)
{
	uint32_t magic;
	int dlt;

	if (pc->size < FILE_HEADER_LEN)
		return 0;
	memcpy(&magic, pc->map, sizeof(magic));
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		pc->swapped = 0;
	} else if (__builtin_bswap32(magic) == MAGIC_USEC ||
		   __builtin_bswap32(magic) == MAGIC_NSEC) {
		pc->swapped = 1;
		magic = __builtin_bswap32(magic);
	} else {
		return 0;
	}
	if (get16(pc, pc->map + 4) != 2) /* major version */
		return 0;
	dlt = dlt_of_linktype(get32(pc, pc->map + 20) & LINKTYPE_MASK);
	if (dlt < 0)
		return 0;
	pc->dlt = (uint16_t)dlt;
	pc->snaplen = get32(pc, pc->map + 16);
	pc->max_caplen = pc->snaplen && pc->snaplen < RECORD_MAX_CAPLEN ?
				 pc->snaplen :
				 RECORD_MAX_CAPLEN;
	pc->ts_scale = magic == MAGIC_NSEC ? 1 : 1000;
	pc->off = FILE_HEADER_LEN;
	return 1;
}

static int map_file(const char *path, const uint8_t **map, size_t *size,
		    int *fdp, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*map = NULL;
	*size = 0;
	/* pipes, devices and empty files: let libpcap report on them */
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)FILE_HEADER_LEN) {
		close(fd);
		return 0;
	}
	*map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (*map == MAP_FAILED) {
		close(fd);
		*map = NULL;
		return 0; /* libpcap reads what cannot be mapped */
	}
	*size = (size_t)st.st_size;
	*fdp = fd;
	madvise((void *)*map, *size, MADV_SEQUENTIAL);
	return 1;
}

int pcap_classic_open(const char *path, struct pcap_classic **out, char *err,
		      size_t errlen)
{
	struct pcap_classic *pc;
	const uint8_t *map;
	size_t size;
	int fd = -1;
	int rc = map_file(path, &map, &size, &fd, err, errlen);

	*out = NULL;
	if (rc <= 0)
		return rc;
	pc = calloc(1, sizeof(*pc));
	if (!pc) {
		munmap((void *)map, size);
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	pc->map = map;
	pc->size = pc->readable = size;
	pc->fd = fd;
	pc->path = path;
	/* unguarded, a shrinking file would kill the process: libpcap's
	 * read(2) copes, so it takes the file instead */
	pc->guard = guard_add(map, size);
	if (pc->guard)
		pc->shrunk = &pc->guard->shrunk;
	if (!pc->guard || !header_parse(pc)) {
		pcap_classic_close(pc);
		return 0;
	}
	*out = pc;
	return 1;
}

static int record_fail(struct pcap_classic *pc, char *err, size_t errlen,
		       const char *why, uint32_t want, size_t got)
{
	snprintf(err, errlen, "%s: packet %llu: %s (%u bytes, %zu in the file)",
		 pc->path, (unsigned long long)pc->packets + 1, why, want, got);
	return -1;
}

/* A record over the file's snapshot length or our maximum; a short last
 * record says truncated first, as it would within the limits. */
static int caplen_fail(struct pcap_classic *pc, char *err, size_t errlen,
		       uint32_t caplen, size_t in_file)
{
	if (caplen > RECORD_MAX_CAPLEN)
		return record_fail(pc, err, errlen,
				   "captured length exceeds the maximum",
				   caplen, RECORD_MAX_CAPLEN);
	if (caplen > in_file)
		return record_fail(pc, err, errlen, "truncated packet data",
				   caplen, in_file);
	/* as libpcap's pcapng reader: a record longer than the file's own
	 * limit is corrupt, not a packet */
	snprintf(err, errlen,
		 "%s: packet %llu: captured length %u exceeds the snapshot length %u",
		 pc->path, (unsigned long long)pc->packets + 1, caplen,
		 pc->snaplen);
	return -1;
}

/* The guard saw a fault in the map: the file is shorter than mapped. Reads
 * its size now; the records before it are intact (the page cache keeps
 * what is still in the file), the rest is gone. */
static int notice_shrink(struct pcap_classic *pc, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(pc->fd, &st) != 0)
		st.st_size = 0;
	if ((size_t)st.st_size < pc->readable)
		pc->readable = (size_t)st.st_size;
	if (pc->off <= pc->readable)
		return 0;
	snprintf(err, errlen,
		 "%s: packet %llu: file shrank to %zu bytes while being read",
		 pc->path, (unsigned long long)pc->packets + 1, pc->readable);
	return -1;
}

int pcap_classic_next(struct pcap_classic *pc, struct pkt *p, char *err,
		      size_t errlen)
{
	size_t left;
	const uint8_t *h = pc->map + pc->off;
	uint32_t caplen, wirelen;

	if (atomic_load_explicit(pc->shrunk, memory_order_relaxed) &&
	    notice_shrink(pc, err, errlen) != 0)
		return -1;
	left = pc->readable - pc->off;
	if (left == 0)
		return pc->readable < pc->size ?
			       record_fail(pc, err, errlen,
					   "file shrank while being read: "
					   "record header missing",
					   RECORD_HEADER_LEN, 0) :
			       0;
	if (left < RECORD_HEADER_LEN)
		return record_fail(pc, err, errlen, "truncated record header",
				   RECORD_HEADER_LEN, left);
	caplen = get32(pc, h + 8);
	wirelen = get32(pc, h + 12);
	if (caplen > pc->max_caplen) /* one compare for both limits */
		return caplen_fail(pc, err, errlen, caplen,
				   left - RECORD_HEADER_LEN);
	if (caplen > left - RECORD_HEADER_LEN)
		return record_fail(pc, err, errlen, "truncated packet data",
				   caplen, left - RECORD_HEADER_LEN);
	if (caplen > wirelen && wirelen != 0) {
		snprintf(err, errlen,
			 "%s: packet %llu: captured length %u exceeds wire length %u",
			 pc->path, (unsigned long long)pc->packets + 1, caplen,
			 wirelen);
		return -1;
	}
	pc->packets++;
	pc->off += RECORD_HEADER_LEN + caplen;
	/* the next record's header and the start of its frame: by the time
	 * it is read, this packet has been decoded and sent */
	__builtin_prefetch(pc->map + pc->off);
	__builtin_prefetch(pc->map + pc->off + 64);
	p->data = h + RECORD_HEADER_LEN;
	p->caplen = caplen;
	p->wirelen = wirelen ? wirelen : caplen;
	p->ts_ns = (uint64_t)get32(pc, h) * 1000000000ull +
		   (uint64_t)get32(pc, h + 4) * pc->ts_scale;
	p->linktype = pc->dlt;
	return 1;
}

size_t pcap_classic_offset(const struct pcap_classic *pc)
{
	return pc->off;
}

void pcap_classic_release(struct pcap_classic *pc, size_t upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = upto & ~(page - 1);

	if (end <= pc->released || end > pc->size)
		return;
	/* the pages stay in the page cache; only this mapping lets go */
	madvise((void *)(pc->map + pc->released), end - pc->released,
		MADV_DONTNEED);
	pc->released = end;
}

void pcap_classic_close(struct pcap_classic *pc)
{
	if (!pc)
		return;
	guard_remove(pc->guard);
	munmap((void *)pc->map, pc->size);
	close(pc->fd);
	free(pc);
}
