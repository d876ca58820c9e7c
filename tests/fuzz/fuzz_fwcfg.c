// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for fw_cfg's mapped items and the serial input path.
 *
 * fw_cfg is set up as vmm/machine.c does it for a firmware boot with a
 * kernel: the kernel split into setup and the rest (fwcfg_kernel_split),
 * both served from a private file mapping (fwcfg_add_mapped, whose pages
 * are dropped as the guest reads them), an initrd the same way, the
 * command line, sizes and etc/e820.  The file is a memfd holding the
 * input's image part.  The serial port's input thread reads a pipe the
 * harness writes typed bytes into, while the guest reads (and
 * reprograms) the UART.
 *
 * The input: 2 bytes saying how many 7-byte records follow, the records,
 * then the image.  A record is a guest action (select an item, read the
 * data port at some width, a DMA descriptor in fake RAM, poke RAM, type
 * bytes, read or program the UART).  Nothing may crash, hang or read
 * outside the mapping and the fake RAM.
 *
 * Speed: a thread per input costs more than everything else together
 * (under ASan its exit unmaps the thread's state, a TLB shoot-down on
 * every CPU: 351 exec/s).  The input thread is started only for an input
 * that types something (a record of op 4 with a non-zero count); without
 * typed bytes the thread would only poll and be stopped, reaching nothing
 * the guest's side does not.  Every input that types still runs it.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/loader.h"
#include "tests/unit/fake_host.h"
#include "tests/fuzz/devio.h"

#define RAM_BASE 0x1000
#define RAM_SIZE 0x10000
#define REC	 7
#define MAX_IMG	 (256 * 1024)

static const uint16_t keys[] = {
	FW_CFG_SIGNATURE,
	FW_CFG_ID,
	FW_CFG_FILE_DIR,
	FW_CFG_SETUP_SIZE,
	FW_CFG_SETUP_DATA,
	FW_CFG_KERNEL_SIZE,
	FW_CFG_KERNEL_DATA,
	FW_CFG_INITRD_SIZE,
	FW_CFG_INITRD_DATA,
	FW_CFG_CMDLINE_SIZE,
	FW_CFG_CMDLINE_DATA,
	FW_CFG_FILE_FIRST,
	FW_CFG_FILE_FIRST + 1,
	FW_CFG_NB_CPUS,
	0x4000,
	0xffff,
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char cmdline[] = "console=ttyS0 quiet";

/* The image in a file, mapped privately as file_map() maps inputs. */
static uint8_t *map_image(const uint8_t *img, size_t len)
{
	int fd = memfd_create("kernel", MFD_CLOEXEC);
	uint8_t *p;

	if (fd < 0 || write(fd, img, len) != (ssize_t)len)
		abort();
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		abort();
	return p;
}

static int add_items(struct fwcfg *f, const uint8_t *img, size_t len,
		     const uint8_t *e820)
{
	size_t initrd_len = len / 4, klen = len - initrd_len;
	struct fwcfg_kernel k;
	char err[200];
	int ret;

	ret = fwcfg_add_file(f, "etc/e820", e820, 40);
	ret = ret ?: fwcfg_add_u16(f, FW_CFG_NB_CPUS, 2);
	if (!fwcfg_kernel_split(img, klen, &k, err, sizeof(err))) {
		ret = ret ?: fwcfg_add_u32(f, FW_CFG_SETUP_SIZE, k.setup_len);
		ret = ret
			      ?: fwcfg_add_mapped(f, FW_CFG_SETUP_DATA, k.setup,
						  k.setup_len);
		ret = ret ?: fwcfg_add_u32(f, FW_CFG_KERNEL_SIZE, k.kernel_len);
		ret = ret
			      ?: fwcfg_add_mapped(f, FW_CFG_KERNEL_DATA,
						  k.kernel, k.kernel_len);
	} else {
		/* Not a bzImage: still a mapped item. */
		ret = ret ?: fwcfg_add_mapped(f, FW_CFG_KERNEL_DATA, img, klen);
	}
	ret = ret ?: fwcfg_add_u32(f, FW_CFG_INITRD_SIZE, initrd_len);
	if (initrd_len)
		ret = ret
			      ?: fwcfg_add_mapped(f, FW_CFG_INITRD_DATA,
						  img + klen, initrd_len);
	ret = ret ?: fwcfg_add_u32(f, FW_CFG_CMDLINE_SIZE, sizeof(cmdline));
	ret = ret
		      ?: fwcfg_add(f, FW_CFG_CMDLINE_DATA, cmdline,
				   sizeof(cmdline));
	return ret;
}

static void dma(struct bus *io, uint8_t *ram, const uint8_t *r)
{
	uint8_t d[8];
	/* A descriptor in RAM: control (the item's key in the high half
	 * when selecting, flags from the record's op), length, address (big
	 * endian), the target somewhere in RAM. */
	size_t at = (r[1] << 8 | r[2]) % (RAM_SIZE - 16);
	uint64_t gpa = RAM_BASE + at;

	put_be32(ram + at, (uint32_t)r[3] << 16 | (r[0] & 0x1f));
	put_be32(ram + at + 4, (uint32_t)r[4] << 8 | r[5]);
	put_be32(ram + at + 8, 0);
	put_be32(ram + at + 12, RAM_BASE + (uint32_t)r[6] * 200);
	put_be32(d, 0);
	put_be32(d + 4, (uint32_t)gpa);
	bus_access(io, 0x514, d, 4, true);
	bus_access(io, 0x518, d + 4, 4, true);
}

static void record(struct bus *io, uint8_t *ram, int pipe_w, const uint8_t *r)
{
	uint8_t op = r[0], a = r[1], b = r[2], d[8] = {0};
	uint16_t key;

	switch (op >> 5) {
	case 0: /* select an item */
		key = op & 0x10 ? (uint16_t)(a << 8 | b) : keys[a % NKEYS];
		put_le16(d, 0, key);
		bus_access(io, 0x510, d, 2, true);
		break;
	case 1: /* read the data port a times at width 1 << (b & 3) */
		for (unsigned i = 0; i <= a; i++)
			bus_access(io, 0x511, d, 1u << (b & 3), false);
		break;
	case 2:
		dma(io, ram, r);
		break;
	case 3: /* poke RAM */
		memcpy(ram + ((a << 8 | b) % (RAM_SIZE - 4)), r + 3, 4);
		break;
	case 4: /* typed bytes */
		(void)!write(pipe_w, r + 2, a % 6);
		break;
	case 5: /* the guest reads what was typed */
		for (unsigned i = 0; i <= a % 64; i++)
			bus_access(io, SERIAL_COM1_BASE + (b & 1 ? 5 : 0), d, 1,
				   false);
		break;
	default: /* any port of the UART or fw_cfg, any width */
		put_le32(d, 0, get_le32(r, 3));
		bus_access(io, (op & 1 ? SERIAL_COM1_BASE : 0x510) + (a & 0xf),
			   d, 1 + (b & 7), b & 0x80);
		break;
	}
}

/* Does any record type bytes (record(), case 4)? */
static bool types_bytes(const uint8_t *rec, size_t ops)
{
	for (size_t i = 0; i < ops; i += REC)
		if (rec[i] >> 5 == 4 && rec[i + 1] % 6)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static uint8_t ram[RAM_SIZE];
	static const uint8_t e820[40] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa};
	struct fake_host fh;
	size_t nrec, ops, len;
	static struct console *sout;
	struct serial *s;
	struct fwcfg *f;
	struct bus io;
	uint8_t *img;
	int pipefd[2] = {-1, -1};
	bool typed;

	if (n < 2)
		return 0;
	nrec = get_le16(in, 0);
	ops = nrec * REC;
	if (ops > n - 2)
		ops = (n - 2) / REC * REC;
	len = n - 2 - ops;
	if (!len || len > MAX_IMG)
		return 0;
	img = map_image(in + 2 + ops, len);
	typed = types_bytes(in + 2, ops);

	memset(ram, 0, sizeof(ram));
	fake_host_init(&fh, ram, RAM_BASE, RAM_SIZE);
	bus_init(&io);
	/* One console for the process: a drain thread per input would
	 * make the harness crawl (as in fuzz_devices). */
	sout = sout ? sout : test_console(null_fd(), 256, 0, true);
	s = serial_new(&fh.h, SERIAL_COM1_IRQ, sout);
	f = fwcfg_new(&fh.h, true);
	if (!sout || !s || !f ||
	    (typed && pipe2(pipefd, O_CLOEXEC | O_NONBLOCK)))
		abort();
	if (add_items(f, img, len, e820) || fwcfg_attach(f, &io) ||
	    serial_attach(s, &io, SERIAL_COM1_BASE) ||
	    (typed && serial_input_start(s, &io, pipefd[0])))
		abort();

	for (size_t i = 0; i < ops; i += REC)
		record(&io, ram, pipefd[1], in + 2 + i);

	if (typed)
		close(pipefd[1]);
	serial_free(s);
	if (typed)
		close(pipefd[0]);
	fwcfg_free(f);
	munmap(img, len);
	return 0;
}
