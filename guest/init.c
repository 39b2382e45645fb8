// SPDX-License-Identifier: GPL-2.0
/*
 * init for the boot-test guests.
 *
 * For every virtio disk (/sys/block/vd*) it writes a known pattern over the
 * first REGION bytes, in chunks of many sizes, from buffers at several
 * sub-page offsets, with O_DIRECT so that every chunk is a DMA of its own,
 * reads it back the same way in a different chunking, then once more through
 * the page cache, and compares.  It then prints the counters of every swiotlb
 * pool found in debugfs and reboots (QEMU runs with -no-reboot, so it exits).
 *
 * The host harness, not this program, decides PASS: it checks the markers
 * below, the pool counters and, after QEMU exits, the disk image itself
 * (the pattern is pattern_word() in scripts/check_disk.py too).
 *
 * A disk is named by its virtio serial number when it has one (QEMU's
 * serial= property; /sys/block/vdX/serial), else by its kernel name: the
 * name seeds the pattern, so the host knows which image holds what.
 *
 * Markers, one per line on the console:
 *   CCDMA disk=NAME written=N verified=N errors=N
 *   CCDMA pool=NAME nslabs=N used=N hiwater=N	(debugfs swiotlb/ and
 *					each restricted pool's directory)
 *   CCDMA accept bus=B busy=E unbound=E listed=N back=E listed=N
 *		rebound=E bad=E,E,E,E	(debugfs dma-cc/accept with the
 *					transport device of virtio-rng; E is
 *					0 or an errno name; no line without
 *					the file)
 *   CCDMA cc violations=N freed_shared=N shared_pages=N repeated=N
 *					(an emulated CC guest: the sharing
 *					checker's debugfs dma-cc/violations and
 *					cc_emulate/)
 *   CCDMA trusted=DEV[,DEV]		(debugfs dma-cc/accept: the devices
 *					inside the trust boundary; after the
 *					accept test, which leaves the rng's
 *					transport outside again)
 *   CCDMA done
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#define REGION		(4u << 20)
#define MAXCHUNK	(1u << 20)
#define PAGE		4096u
#define ACCEPT		"/sys/kernel/debug/dma-cc/accept"

/* Chunk sizes (multiples of the 512-byte sector) and buffer offsets. */
static const unsigned int sizes[] = {
	512, 4096, 1536, 65536, 8704, 262144, 3072, 1048576, 131072 + 512,
};
static const unsigned int offsets[] = { 0, 512, 1024, 3584, 2048 };

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* splitmix64 of the word index and the disk's seed. */
static uint64_t pattern_word(uint64_t index, uint64_t seed)
{
	uint64_t z = index * 0x9e3779b97f4a7c15ull + seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(unsigned char *buf, uint64_t pos, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = pattern_word((pos + i) / 8, seed);

		memcpy(buf + i, &w, 8);
	}
}

static uint64_t disk_seed(const char *name)
{
	uint64_t seed = 1469598103934665603ull;

	while (*name)
		seed = (seed ^ (unsigned char)*name++) * 1099511628211ull;
	return seed;
}

/* Compare @len bytes read at disk offset @pos with the pattern. */
static unsigned long check(const unsigned char *buf, uint64_t pos, size_t len,
			   uint64_t seed, unsigned char *expect)
{
	fill(expect, pos, len, seed);
	return memcmp(buf, expect, len) ? 1 : 0;
}

/* Read a one-line sysfs or debugfs file into @buf, without the newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void test_disk(const char *dev)
{
	unsigned char *mem, *expect;
	unsigned long errors = 0, written = 0, verified = 0;
	char path[300], serial[64], name[64];
	unsigned int i;
	uint64_t seed, pos;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/serial", dev);
	if (read_line(path, serial, sizeof(serial)) || !serial[0])
		snprintf(serial, sizeof(serial), "%s", dev);
	snprintf(name, sizeof(name), "%s", serial);
	seed = disk_seed(name);
	snprintf(path, sizeof(path), "/dev/%s", dev);
	if (posix_memalign((void **)&mem, PAGE, MAXCHUNK + 2 * PAGE) ||
	    !(expect = malloc(MAXCHUNK))) {
		say("CCDMA disk=%s error=nomem\n", name);
		return;
	}

	fd = open(path, O_RDWR | O_DIRECT | O_SYNC);
	if (fd < 0) {
		say("CCDMA disk=%s error=open:%s\n", name, strerror(errno));
		return;
	}
	for (pos = 0, i = 0; pos < REGION; i++) {
		size_t len = sizes[i % 9];
		unsigned char *buf = mem + offsets[i % 5];

		if (pos + len > REGION)
			len = REGION - pos;
		fill(buf, pos, len, seed);
		if (pwrite(fd, buf, len, pos) != (ssize_t)len) {
			say("CCDMA disk=%s error=write@%llu:%s\n", name,
			    (unsigned long long)pos, strerror(errno));
			errors++;
			break;
		}
		written += len;
		pos += len;
	}
	if (fsync(fd))
		errors++;

	/* Read back in another chunking, with other buffer offsets. */
	for (pos = 0, i = 3; pos < REGION; i++) {
		size_t len = sizes[(i * 5) % 9];
		unsigned char *buf = mem + offsets[(i * 3) % 5];

		if (pos + len > REGION)
			len = REGION - pos;
		memset(buf, 0, len);
		if (pread(fd, buf, len, pos) != (ssize_t)len) {
			errors++;
			break;
		}
		if (check(buf, pos, len, seed, expect)) {
			say("CCDMA disk=%s error=mismatch@%llu+%zu (direct)\n",
			    name, (unsigned long long)pos, len);
			errors++;
		} else {
			verified += len;
		}
		pos += len;
	}
	close(fd);

	/* Once more through the page cache, in odd sizes. */
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		errors++;
	} else {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		for (pos = 0; pos < REGION; pos += 12288) {
			size_t len = REGION - pos < 12288 ? REGION - pos : 12288;

			if (pread(fd, mem + 1, len, pos) != (ssize_t)len ||
			    check(mem + 1, pos, len, seed, expect)) {
				say("CCDMA disk=%s error=mismatch@%llu (cached)\n",
				    name, (unsigned long long)pos);
				errors++;
				break;
			}
		}
		close(fd);
	}
	say("CCDMA disk=%s written=%lu verified=%lu errors=%lu\n", name,
	    written, verified, errors);
	free(expect);
	free(mem);
}

/* Write @text to @path: 0, or the errno name of the failure. */
static const char *write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return strerrorname_np(errno);
	n = write(fd, text, strlen(text));
	if (n < 0) {
		const char *e = strerrorname_np(errno);

		close(fd);
		return e;
	}
	close(fd);
	return "0";
}

/* Does the list in debugfs dma-cc/accept hold "@bus @name"? */
static int accept_listed(const char *bus, const char *name)
{
	char buf[4096], want[300];
	ssize_t n;
	int fd;

	fd = open(ACCEPT, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	snprintf(want, sizeof(want), "%s %s\n", bus, name);
	return strstr(buf, want) != NULL;
}

/* The last part of the path a symlink points to, into @buf. */
static int link_name(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -1;
	target[n] = 0;
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(base) >= size)
		return -1;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

/*
 * The debug way to accept a device into the trust boundary, on the
 * transport device (virtio-pci or virtio-mmio) of the virtio-rng device:
 * refused while a driver is bound, allowed once it is unbound, listed,
 * undone, and the driver binds again.  Then four malformed or unknown
 * requests.
 */
static void test_accept(void)
{
	char path[PATH_MAX], dir[PATH_MAX] = "", id[32], line[320];
	char name[256] = "", bus[64], drv[64];
	const char *bad[] = {
		"pci\n", "usb 1-1 1\n", "pci 0000:7f:1f.7 1\n", NULL,
	};
	const char *busy, *unbound, *back, *rebound, *e[4];
	int listed, unlisted, i;
	struct dirent *de;
	DIR *d;

	if (access(ACCEPT, F_OK))
		return;
	/* virtio device ID 4 is the entropy source. */
	d = opendir("/sys/bus/virtio/devices");
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device",
			 de->d_name);
		if (read_line(path, id, sizeof(id)) || strcmp(id, "0x0004"))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/..",
			 de->d_name);
		if (!realpath(path, dir) || strlen(strrchr(dir, '/')) > sizeof(name))
			continue;
		strcpy(name, strrchr(dir, '/') + 1);
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s/subsystem", dir);
	if (!name[0] || link_name(path, bus, sizeof(bus))) {
		say("CCDMA accept error=no-virtio-rng\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/driver", dir);
	if (link_name(path, drv, sizeof(drv))) {
		say("CCDMA accept error=rng-transport-unbound\n");
		return;
	}

	snprintf(line, sizeof(line), "%s %s 1\n", bus, name);
	busy = write_text(ACCEPT, line);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", bus, drv);
	unbound = write_text(path, name);
	if (strcmp(unbound, "0")) {
		say("CCDMA accept busy=%s unbind=%s\n", busy, unbound);
		return;
	}
	unbound = write_text(ACCEPT, line);
	listed = accept_listed(bus, name);
	snprintf(line, sizeof(line), "%s %s 0\n", bus, name);
	back = write_text(ACCEPT, line);
	unlisted = accept_listed(bus, name);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/bind", bus, drv);
	rebound = write_text(path, name);
	snprintf(line, sizeof(line), "%s %s 2\n", bus, name);
	bad[3] = line;
	for (i = 0; i < 4; i++)
		e[i] = write_text(ACCEPT, bad[i]);
	say("CCDMA accept bus=%s busy=%s unbound=%s listed=%d back=%s listed=%d rebound=%s bad=%s,%s,%s,%s\n",
	    bus, busy, unbound, listed, back, unlisted, rebound, e[0], e[1], e[2], e[3]);
}

static unsigned long long read_num(const char *dir, const char *file)
{
	char path[1024], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return ~0ull;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ~0ull;
	buf[n] = 0;
	return strtoull(buf, NULL, 0);
}

/*
 * With kmemleak (a sanitizer kernel): scan now, after the
 * workload, and print each object it suspects, so that the console check
 * fails the guest.
 */
static void scan_kmemleak(void)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	char buf[4096], *line, *save;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, "scan", 4) != 4)
		say("CCDMA kmemleak scan failed\n");
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "unreferenced object"))
			say("kmemleak: %s\n", line);
	say("CCDMA kmemleak scanned\n");
}

static void print_pool(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/io_tlb_used_hiwater", dir);
	if (stat(path, &st))
		return;
	say("CCDMA pool=%s nslabs=%llu used=%llu hiwater=%llu\n", name,
	    read_num(dir, "io_tlb_nslabs"), read_num(dir, "io_tlb_used"),
	    read_num(dir, "io_tlb_used_hiwater"));
}

/*
 * The default pool is debugfs swiotlb/.  A restricted pool's directory is
 * named after its device tree node and sits in swiotlb/ when that exists
 * by the time the pool's device probes, else at the top of debugfs.
 */
static void print_pools_in(const char *top)
{
	struct dirent *de;
	char path[512];
	DIR *d;

	d = opendir(top);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", top, de->d_name);
		print_pool(path, de->d_name);
	}
	closedir(d);
}

static void print_pools(void)
{
	print_pools_in("/sys/kernel/debug");
	print_pools_in("/sys/kernel/debug/swiotlb");
}

/*
 * An emulated CC guest (cc_emulate=): what the sharing checker found, and
 * how the record of shared pages ended.
 */
static void print_cc(void)
{
	const char *emu = "/sys/kernel/debug/cc_emulate";
	char line[256], list[512] = "";
	struct stat st;
	FILE *f;

	if (stat(emu, &st))
		return;
	say("CCDMA cc violations=%llu freed_shared=%llu shared_pages=%llu repeated=%llu\n",
	    read_num("/sys/kernel/debug/dma-cc", "violations"),
	    read_num(emu, "freed_shared"), read_num(emu, "shared_pages"),
	    read_num(emu, "repeated"));

	f = fopen(ACCEPT, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (strlen(list) + strlen(line) + 2 > sizeof(list))
			break;
		if (list[0])
			strcat(list, ",");
		strcat(list, line);
	}
	fclose(f);
	say("CCDMA trusted=%s\n", list);
}

int main(void)
{
	struct dirent *de;
	DIR *d;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	say("CCDMA init started\n");

	d = opendir("/sys/block");
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vd", 2))
			test_disk(de->d_name);
	if (d)
		closedir(d);

	print_pools();
	test_accept();
	print_cc();
	scan_kmemleak();
	say("CCDMA done\n");
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
