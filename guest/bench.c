// SPDX-License-Identifier: GPL-2.0
/*
 * init for the benchmark guests (make bench).
 *
 * Runs the in-tree dma_map_benchmark tool (/dma_map_benchmark, from
 * tools/dma) on idle virtio-mmio slots of QEMU's virt
 * machine, which no driver binds: each is handed to the dma_map_benchmark
 * driver through driver_override for one run and released afterwards.
 *
 * What to run comes from the kernel command line:
 *   ccbench.runs=DEV:PAGES:THREADS[,...]       one run each, in order
 *   ccbench.seconds=N                          length of each run
 * DEV is a platform device name, PAGES the tool's -g (pages mapped as one
 * buffer), THREADS its -t.
 *
 * Markers, one per line on the console:
 *   CCBENCH dev=DEV pages=PAGES threads=THREADS map_ns=N unmap_ns=N loops=N
 *   CCBENCH error=...
 *   CCBENCH done
 * The host (scripts/bench.sh) collects them; it decides nothing here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* The value of KEY= on the kernel command line, or NULL. */
static char *cmdline_arg(const char *key)
{
	static char buf[4096];
	char *p, *end;
	size_t klen = strlen(key);
	int fd;
	ssize_t n;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	for (p = buf; (p = strstr(p, key)); p += klen) {
		if ((p == buf || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			end = p + strcspn(p, " \n");
			return strndup(p, end - p);
		}
	}
	return NULL;
}

static int bind(const char *dev)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver_override", dev);
	ret = write_file(path, "dma_map_benchmark");
	if (!ret)
		ret = write_file("/sys/bus/platform/drivers/dma_map_benchmark/bind", dev);
	return ret;
}

static void unbind(const char *dev)
{
	char path[256];

	write_file("/sys/bus/platform/drivers/dma_map_benchmark/unbind", dev);
	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver_override", dev);
	write_file(path, "\n");
}

/* Run the tool, return its output in @out. */
static int run_tool(char *const argv[], char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 && (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void run_one(const char *spec, const char *seconds)
{
	char dev[64], pages[8], threads[8], out[2048], *p;
	unsigned long long map_ns, unmap_ns, loops;
	char *argv[] = { "/dma_map_benchmark", "-t", threads, "-s", (char *)seconds,
			 "-g", pages, "-b", "64", NULL };
	int ret;

	if (sscanf(spec, "%63[^:]:%7[^:]:%7s", dev, pages, threads) != 3) {
		say("CCBENCH error=bad-run:%s\n", spec);
		return;
	}
	ret = bind(dev);
	if (ret) {
		say("CCBENCH error=bind:%s:%s\n", dev, strerror(-ret));
		return;
	}
	ret = run_tool(argv, out, sizeof(out));
	unbind(dev);
	p = strstr(out, "average map latency(ns):");
	if (ret || !p || sscanf(p, "average map latency(ns):%llu unmap latency(ns):%llu mappings:%llu",
				&map_ns, &unmap_ns, &loops) != 3) {
		for (p = out; *p; p++)
			if (*p == '\n')
				*p = '|';
		say("CCBENCH error=run:%s:%d:%s\n", spec, ret, out);
		return;
	}
	say("CCBENCH dev=%s pages=%s threads=%s map_ns=%llu unmap_ns=%llu loops=%llu\n",
	    dev, pages, threads, map_ns, unmap_ns, loops);
}

int main(void)
{
	char *runs, *seconds, *spec, *save;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	runs = cmdline_arg("ccbench.runs");
	seconds = cmdline_arg("ccbench.seconds");
	if (!runs || !seconds) {
		say("CCBENCH error=no-ccbench.runs-or-ccbench.seconds\n");
	} else {
		for (spec = strtok_r(runs, ",", &save); spec;
		     spec = strtok_r(NULL, ",", &save))
			run_one(spec, seconds);
	}
	say("CCBENCH done\n");
	reboot(RB_AUTOBOOT);
	return 0;
}
