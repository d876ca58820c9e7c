// SPDX-License-Identifier: MIT
/*
 * i8042 keyboard controller with a standard AT keyboard plugged in and no
 * mouse.
 *
 * Its real job here is reset (command 0xfe, or the output port's reset line
 * via 0xd1), which Linux uses with reboot=k and as one of its fallbacks.
 * The rest exists so that Linux's and OVMF's probes finish at once instead
 * of waiting for timeouts.  OVMF's PS/2 keyboard driver and Linux's atkbd
 * send the keyboard a handful of commands (enable, reset, identify, scancode
 * set, LEDs, typematic) and wait for each reply with a timeout, about a
 * second in OVMF; with no keyboard those waits all ran out, which cost an
 * OVMF boot ~1.8 s of polling the status port and the PM timer.  So the
 * keyboard answers at once, the way a real one does: 0xfa (ACK) and any
 * result bytes (0xaa after reset, 0xab 0x83 for identify, the scancode
 * set), 0xee for echo, and 0xfe (resend) for what it does not know.  It has
 * no key source, so it never sends a scancode; enable/disable are only
 * remembered.  While the command byte disables the keyboard interface, the
 * controller holds the clock line and bytes for the keyboard get no answer.
 *
 * The controller self-tests fine, the command byte reads back, and there is
 * no AUX port: AUX interface tests fail and bytes for the AUX device come
 * back as 0xfe with the timeout bit, which is what a real controller reports
 * when no device answers.  With translation on (command byte bit 6) the
 * keyboard's bytes go through the controller's set 2 to set 1 table, which
 * leaves ACK, BAT, echo and resend alone but turns identify's 0x83 into 0x41
 * (and a scancode set number 1/2/3 into 0x43/0x41/0x3f).
 *
 * Replies from the controller and the keyboard wait in one 16-byte output
 * queue, in the order they were made (real hardware holds one byte in the
 * controller and the rest in the keyboard; a guest that reads each reply
 * before its next command sees no difference).  OBF is set while the queue
 * is not empty, and a full queue drops further bytes.  IRQ 1/12 follow OBF
 * as the command byte enables them, and are dropped and raised again between
 * queued bytes so that an edge-triggered guest sees one edge per byte.
 */
#include <errno.h>
#include <stdlib.h>

#include "vmm/dev.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT	0x64
#define I8042_KBD_IRQ	1
#define I8042_AUX_IRQ	12
#define I8042_QUEUE	16

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

/* Keyboard commands (bytes written to the data port for the keyboard). */
#define KBD_CMD_SET_LEDS  0xed
#define KBD_CMD_ECHO	  0xee
#define KBD_CMD_SCANSET	  0xf0
#define KBD_CMD_IDENTIFY  0xf2
#define KBD_CMD_TYPEMATIC 0xf3
#define KBD_CMD_ENABLE	  0xf4
#define KBD_CMD_DISABLE	  0xf5
#define KBD_CMD_DEFAULTS  0xf6
/* 0xf7-0xfa set the type of all keys, 0xfb-0xfd of one key (set 3 only). */
#define KBD_CMD_ALL_T	0xf7
#define KBD_CMD_ALL_MB	0xf8
#define KBD_CMD_ALL_M	0xf9
#define KBD_CMD_ALL_TMB 0xfa
#define KBD_CMD_KEY_T	0xfb
#define KBD_CMD_KEY_MB	0xfc
#define KBD_CMD_KEY_M	0xfd
#define KBD_CMD_RESEND	0xfe
#define KBD_CMD_RESET	0xff

/* Keyboard replies. */
#define KBD_REPLY_BAT_OK 0xaa
#define KBD_REPLY_ID1	 0xab
#define KBD_REPLY_ID2	 0x83 /* MF2 keyboard */
#define KBD_REPLY_ECHO	 0xee
#define KBD_REPLY_ACK	 0xfa
#define KBD_REPLY_RESEND 0xfe

struct i8042 {
	struct dev_host host;
	uint8_t ctr;
	uint8_t outport;
	struct {
		uint8_t val;
		uint8_t str; /* STR_AUXDATA / STR_TIMEOUT of this byte */
	} q[I8042_QUEUE];    /* output queue, head first */
	unsigned q_head, q_len;
	uint8_t out; /* the last byte read, reread while the queue is empty */
	bool last_cmd;
	uint8_t pending; /* command waiting for its data byte, 0 if none */
	int kbd_level, aux_level;

	/* The keyboard. */
	uint8_t kbd_cmd;  /* command waiting for its parameter, 0 if none */
	uint8_t kbd_last; /* the last byte it sent, for resend */
	uint8_t kbd_set;  /* scancode set, 1-3 */
	bool kbd_enabled; /* scanning; there are no keys, so it shows nowhere */
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
	bool obf = k->q_len != 0;
	bool aux = obf && (k->q[k->q_head].str & STR_AUXDATA);

	set_line(k, I8042_KBD_IRQ, &k->kbd_level,
		 obf && !aux && (k->ctr & CTR_KBDINT));
	set_line(k, I8042_AUX_IRQ, &k->aux_level,
		 obf && aux && (k->ctr & CTR_AUXINT));
}

/* Queue a byte for the guest; when the queue is full it is lost. */
static void put_out(struct i8042 *k, uint8_t v, uint8_t str)
{
	unsigned i;

	if (k->q_len >= I8042_QUEUE)
		return;
	i = (k->q_head + k->q_len) % I8042_QUEUE;
	k->q[i].val = v;
	k->q[i].str = str;
	k->q_len++;
}

static void reset(struct i8042 *k)
{
	if (k->host.stop)
		k->host.stop(k->host.ctx, VM_STOP_RESET, 0);
}

/* ------------------------------------------------------------ keyboard */

/*
 * The controller's scancode set 2 to set 1 translation, for the bytes this
 * keyboard can send.  Everything else it sends (0xfa, 0xaa, 0xab, 0xee,
 * 0xfe) is its own entry in the table.
 */
static uint8_t xlate(uint8_t v)
{
	switch (v) {
	case 0x01:
		return 0x43;
	case 0x02:
		return 0x41;
	case 0x03:
		return 0x3f;
	case 0x83:
		return 0x41;
	default:
		return v;
	}
}

/* A byte from the keyboard, through the controller. */
static void kbd_send(struct i8042 *k, uint8_t v)
{
	k->kbd_last = v;
	put_out(k, k->ctr & CTR_XLATE ? xlate(v) : v, 0);
}

static void kbd_defaults(struct i8042 *k)
{
	k->kbd_set = 2;
}

/* The parameter byte of command @cmd. */
static void kbd_param(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case KBD_CMD_SCANSET:
		if (v > 3) {
			/* Not a set: ask for the parameter again. */
			kbd_send(k, KBD_REPLY_RESEND);
			return;
		}
		kbd_send(k, KBD_REPLY_ACK);
		if (v == 0)
			kbd_send(k, k->kbd_set);
		else
			k->kbd_set = v;
		break;
	case KBD_CMD_TYPEMATIC:
		if (v & 0x80) {
			kbd_send(k, KBD_REPLY_RESEND);
			return;
		}
		kbd_send(k, KBD_REPLY_ACK);
		break;
	default: /* LEDs, set-3 key types: nothing to show them on */
		kbd_send(k, KBD_REPLY_ACK);
		break;
	}
	k->kbd_cmd = 0;
}

/* A byte written to the keyboard. */
static void kbd_write(struct i8042 *k, uint8_t v)
{
	/*
	 * Parameters are all below 0xed; a command byte instead of one
	 * abandons the command waiting for it and runs.
	 */
	if (k->kbd_cmd && v < KBD_CMD_SET_LEDS) {
		kbd_param(k, k->kbd_cmd, v);
		return;
	}
	k->kbd_cmd = 0;
	switch (v) {
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SCANSET:
	case KBD_CMD_TYPEMATIC:
	case KBD_CMD_KEY_T:
	case KBD_CMD_KEY_MB:
	case KBD_CMD_KEY_M:
		k->kbd_cmd = v;
		kbd_send(k, KBD_REPLY_ACK);
		break;
	case KBD_CMD_ECHO:
		kbd_send(k, KBD_REPLY_ECHO);
		break;
	case KBD_CMD_IDENTIFY:
		kbd_send(k, KBD_REPLY_ACK);
		kbd_send(k, KBD_REPLY_ID1);
		kbd_send(k, KBD_REPLY_ID2);
		break;
	case KBD_CMD_ENABLE:
		k->kbd_enabled = true;
		kbd_send(k, KBD_REPLY_ACK);
		break;
	case KBD_CMD_DISABLE:
		kbd_defaults(k);
		k->kbd_enabled = false;
		kbd_send(k, KBD_REPLY_ACK);
		break;
	case KBD_CMD_DEFAULTS:
		kbd_defaults(k);
		kbd_send(k, KBD_REPLY_ACK);
		break;
	case KBD_CMD_ALL_T:
	case KBD_CMD_ALL_MB:
	case KBD_CMD_ALL_M:
	case KBD_CMD_ALL_TMB:
		kbd_send(k, KBD_REPLY_ACK);
		break;
	case KBD_CMD_RESEND:
		kbd_send(k, k->kbd_last);
		break;
	case KBD_CMD_RESET:
		/* ACK, then the self-test (BAT) result. */
		kbd_defaults(k);
		k->kbd_enabled = true;
		kbd_send(k, KBD_REPLY_ACK);
		kbd_send(k, KBD_REPLY_BAT_OK);
		break;
	default:
		kbd_send(k, KBD_REPLY_RESEND);
		break;
	}
}

/* ---------------------------------------------------------- controller */

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
		/* As if from the keyboard (no translation, not "sent"). */
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
		/*
		 * A byte for the keyboard.  With the interface disabled the
		 * controller holds the clock line, so nothing gets through
		 * and nothing answers.
		 */
		if (!(k->ctr & CTR_KBDDIS))
			kbd_write(k, v);
		break;
	}
}

static uint8_t status(const struct i8042 *k)
{
	uint8_t s = STR_UNLOCKED | (k->ctr & CTR_SYS);

	if (k->last_cmd)
		s |= STR_CMD;
	if (k->q_len)
		s |= STR_OBF | k->q[k->q_head].str;
	return s;
}

/* Both ports are one byte wide (each has its own one-byte range). */
static void i8042_data_read(void *dev, uint64_t off, uint8_t *d, unsigned len)
{
	struct i8042 *k = dev;

	/* An empty buffer rereads the last byte, as real controllers do. */
	if (k->q_len) {
		k->out = k->q[k->q_head].val;
		k->q_head = (k->q_head + 1) % I8042_QUEUE;
		k->q_len--;
	}
	d[0] = k->out;
	/*
	 * OBF drops with the read, and the next queued byte raises it again:
	 * one edge per byte, as when the keyboard sends them one by one.
	 */
	set_line(k, I8042_KBD_IRQ, &k->kbd_level, 0);
	set_line(k, I8042_AUX_IRQ, &k->aux_level, 0);
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
	/* The keyboard is past its power-on self-test (the BIOS read 0xaa). */
	kbd_defaults(k);
	k->kbd_enabled = true;
	k->kbd_last = KBD_REPLY_BAT_OK;
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
