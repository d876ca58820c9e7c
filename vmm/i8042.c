// SPDX-License-Identifier: MIT
/*
 * i8042 keyboard controller with nothing plugged in.
 *
 * Its real job here is reset (command 0xfe, or the output port's reset line
 * via 0xd1), which Linux uses with reboot=k and as one of its fallbacks.
 * The rest exists so that Linux's and OVMF's probes finish quickly instead
 * of waiting for timeouts: the controller self-tests fine, the command byte
 * reads back, there is no AUX port, and bytes sent to the (absent) keyboard
 * come back as 0xfe with the timeout bit, which is what a real controller
 * reports when no device answers.  IRQ 1/12 follow the output buffer as the
 * command byte enables them, so the guest learns of those replies at once.
 */
#include <errno.h>
#include <stdlib.h>

#include "vmm/dev.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT	0x64
#define I8042_KBD_IRQ	1
#define I8042_AUX_IRQ	12

/* Status register. */
#define STR_OBF	     0x01
#define STR_SYS	     0x04
#define STR_CMD	     0x08 /* last write was to the command port */
#define STR_UNLOCKED 0x10 /* keylock off */
#define STR_AUXDATA  0x20
#define STR_TIMEOUT  0x40

/* Command byte (controller RAM byte 0). */
#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS	   0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE  0x40

/* Output port. */
#define OUT_RESET 0x01 /* active low: 0 resets the CPU */
#define OUT_A20	  0x02

struct i8042 {
	struct dev_host host;
	uint8_t ctr;
	uint8_t outport;
	uint8_t out;	 /* output buffer */
	uint8_t out_str; /* STR_AUXDATA / STR_TIMEOUT of that byte */
	bool obf;
	bool last_cmd;
	uint8_t pending; /* command waiting for its data byte, 0 if none */
	int kbd_level, aux_level;
};

static void set_line(struct i8042 *k, unsigned irq, int *cur, int level)
{
	if (level == *cur)
		return;
	*cur = level;
	if (k->host.irq_set)
		k->host.irq_set(k->host.ctx, irq, level);
}

static void update_irq(struct i8042 *k)
{
	bool aux = k->out_str & STR_AUXDATA;

	set_line(k, I8042_KBD_IRQ, &k->kbd_level,
		 k->obf && !aux && (k->ctr & CTR_KBDINT));
	set_line(k, I8042_AUX_IRQ, &k->aux_level,
		 k->obf && aux && (k->ctr & CTR_AUXINT));
}

static void put_out(struct i8042 *k, uint8_t v, uint8_t str)
{
	k->out = v;
	k->out_str = str;
	k->obf = true;
}

static void reset(struct i8042 *k)
{
	if (k->host.stop)
		k->host.stop(k->host.ctx, VM_STOP_RESET, 0);
}

static void command(struct i8042 *k, uint8_t c)
{
	k->last_cmd = true;
	k->pending = 0;
	switch (c) {
	case 0x20: /* read command byte */
		put_out(k, k->ctr, 0);
		break;
	case 0x60: /* write command byte */
	case 0xd1: /* write output port */
	case 0xd2: /* write keyboard output buffer */
	case 0xd3: /* write AUX output buffer (loop) */
	case 0xd4: /* write to AUX device */
		k->pending = c;
		break;
	case 0xa7:
		k->ctr |= CTR_AUXDIS;
		break;
	case 0xa8:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case 0xa9: /* AUX interface test */
		/* 0x02 = "clock line stuck high": there is no AUX port. */
		put_out(k, 0x02, 0);
		break;
	case 0xaa: /* controller self-test */
		k->ctr |= CTR_SYS;
		put_out(k, 0x55, 0);
		break;
	case 0xab: /* keyboard interface test */
		put_out(k, 0x00, 0);
		break;
	case 0xad:
		k->ctr |= CTR_KBDDIS;
		break;
	case 0xae:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case 0xd0: /* read output port */
		put_out(k, k->outport, 0);
		break;
	case 0xdd:
		k->outport &= ~OUT_A20;
		break;
	case 0xdf:
		k->outport |= OUT_A20;
		break;
	default:
		/* 0xf0-0xff pulse output lines low for each clear bit 0-3;
		 * bit 0 is the CPU reset line (0xfe is the usual one). */
		if (c >= 0xf0 && !(c & OUT_RESET))
			reset(k);
		break;
	}
}

static void data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->last_cmd = false;
	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = v;
		break;
	case 0xd1:
		k->outport = v;
		if (!(v & OUT_RESET))
			reset(k);
		break;
	case 0xd2:
		put_out(k, v, 0);
		break;
	case 0xd3:
		/*
		 * A controller with an AUX port would echo this on the AUX
		 * channel.  Echoing it on the keyboard channel makes Linux
		 * see "auxerr" at once and go on to the AUX test (0xa9),
		 * instead of timing out for half a second.
		 */
		put_out(k, v, 0);
		break;
	case 0xd4:
		put_out(k, 0xfe, STR_AUXDATA | STR_TIMEOUT);
		break;
	default:
		/* A byte for the keyboard, which is not there. */
		if (!(k->ctr & CTR_KBDDIS))
			put_out(k, 0xfe, STR_TIMEOUT);
		break;
	}
}

static uint8_t status(const struct i8042 *k)
{
	uint8_t s = STR_UNLOCKED | (k->ctr & CTR_SYS);

	if (k->last_cmd)
		s |= STR_CMD;
	if (k->obf)
		s |= STR_OBF | k->out_str;
	return s;
}

/* Both ports are one byte wide (each has its own one-byte range). */
static void i8042_data_read(void *dev, uint64_t off, uint8_t *d, unsigned len)
{
	struct i8042 *k = dev;

	/* An empty buffer rereads the last byte, as real controllers do. */
	d[0] = k->out;
	k->obf = false;
	update_irq(k);
}

static void i8042_data_write(void *dev, uint64_t off, const uint8_t *d,
			     unsigned len)
{
	struct i8042 *k = dev;

	data(k, d[0]);
	update_irq(k);
}

static void i8042_cmd_read(void *dev, uint64_t off, uint8_t *d, unsigned len)
{
	d[0] = status(dev);
}

static void i8042_cmd_write(void *dev, uint64_t off, const uint8_t *d,
			    unsigned len)
{
	struct i8042 *k = dev;

	command(k, d[0]);
	update_irq(k);
}

struct i8042 *i8042_new(const struct dev_host *h)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	if (h)
		k->host = *h;
	/* What a BIOS leaves: both interrupts on, translation, POST done. */
	k->ctr = CTR_KBDINT | CTR_AUXINT | CTR_SYS | CTR_XLATE;
	k->outport = OUT_RESET | OUT_A20;
	k->last_cmd = true;
	return k;
}

int i8042_attach(struct i8042 *k, struct bus *io)
{
	int id;

	/* Two one-byte ranges: 0x61-0x63 belong to others (0x61 is the
	 * in-kernel PIT's speaker port). */
	id = bus_add(io, I8042_DATA_PORT, 1, i8042_data_read, i8042_data_write,
		     k, "i8042-data");
	if (id < 0)
		return id;
	id = bus_add(io, I8042_CMD_PORT, 1, i8042_cmd_read, i8042_cmd_write, k,
		     "i8042-cmd");
	return id < 0 ? id : 0;
}

void i8042_free(struct i8042 *k)
{
	free(k);
}
