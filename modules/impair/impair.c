// SPDX-License-Identifier: MIT
/* impair.c - Device types l2.impair and l3.impair: per-link loss, duplication, reordering, delay, rate */
#include <string.h>

#include <pktkit/error.h>
#include <pktkit/pktkit.h>
#include <pktkit/toolkit/gso.h>

#include "impair-math.h"
#include "impair-types.h"

/* Parameters ----------------------------------------------------------- */

enum { IMPAIR_BOTH, IMPAIR_A_TO_B, IMPAIR_B_TO_A };
enum { IMPAIR_LOSS_RANDOM, IMPAIR_LOSS_GE };

struct impair_config {
	char *loss;
	uint32_t loss_model;
	char *ge_p;
	char *ge_r;
	char *ge_loss_bad;
	char *ge_loss_good;
	char *duplicate;
	char *reorder;
	uint32_t reorder_gap;
	int64_t delay;
	int64_t jitter;
	int64_t rate;
	uint32_t queue_limit;
	uint32_t queue_bytes;
	int64_t seed;
	uint32_t direction;
};

/* Indices into impair_params, for the @changed mask of reconfigure. */
enum {
	IMPAIR_P_LOSS,
	IMPAIR_P_LOSS_MODEL,
	IMPAIR_P_GE_P,
	IMPAIR_P_GE_R,
	IMPAIR_P_GE_LOSS_BAD,
	IMPAIR_P_GE_LOSS_GOOD,
	IMPAIR_P_DUPLICATE,
	IMPAIR_P_REORDER,
	IMPAIR_P_REORDER_GAP,
	IMPAIR_P_DELAY,
	IMPAIR_P_JITTER,
	IMPAIR_P_RATE,
	IMPAIR_P_QUEUE_LIMIT,
	IMPAIR_P_QUEUE_BYTES,
	IMPAIR_P_SEED,
	IMPAIR_P_DIRECTION,
};

static const struct pk_param_enum impair_directions[] = {
	{ "both", IMPAIR_BOTH },
	{ "a-to-b", IMPAIR_A_TO_B },
	{ "b-to-a", IMPAIR_B_TO_A },
	{ NULL, 0 },
};

static const struct pk_param_enum impair_loss_models[] = {
	{ "random", IMPAIR_LOSS_RANDOM },
	{ "gilbert-elliott", IMPAIR_LOSS_GE },
	{ NULL, 0 },
};

#define IMPAIR_MAX_DELAY (3600 * PK_NSEC_PER_SEC)
#define IMPAIR_MAX_RATE INT64_C(1000000000000)	/* 1 Tbit/s */
#define IMPAIR_MAX_QUEUE 1000000u

static const struct pk_param impair_params[] = {
	[IMPAIR_P_LOSS] = PK_PARAM_STR(
		struct impair_config, loss, "loss", "\"0%\"", PK_PF_LIVE,
		"Percentage (0 to 100, as a string: \"0.5%\") of packets dropped at random, each "
		"independently (loss-model \"random\")"),
	[IMPAIR_P_LOSS_MODEL] = PK_PARAM_ENUM(
		struct impair_config, loss_model, "loss-model", "\"random\"", impair_loss_models,
		PK_PF_LIVE,
		"random: independent losses with probability \"loss\"; gilbert-elliott: bursts "
		"from a two-state chain (ge-p, ge-r, ge-loss-bad, ge-loss-good)"),
	[IMPAIR_P_GE_P] = PK_PARAM_STR(
		struct impair_config, ge_p, "ge-p", "\"0%\"", PK_PF_LIVE,
		"Gilbert-Elliott: percentage chance per packet of moving from the good to the "
		"bad state"),
	[IMPAIR_P_GE_R] = PK_PARAM_STR(
		struct impair_config, ge_r, "ge-r", "\"100%\"", PK_PF_LIVE,
		"Gilbert-Elliott: percentage chance per packet of moving from the bad back to the "
		"good state (mean burst length 100/ge-r packets)"),
	[IMPAIR_P_GE_LOSS_BAD] = PK_PARAM_STR(
		struct impair_config, ge_loss_bad, "ge-loss-bad", "\"100%\"", PK_PF_LIVE,
		"Gilbert-Elliott: percentage of packets lost in the bad state"),
	[IMPAIR_P_GE_LOSS_GOOD] = PK_PARAM_STR(
		struct impair_config, ge_loss_good, "ge-loss-good", "\"0%\"", PK_PF_LIVE,
		"Gilbert-Elliott: percentage of packets lost in the good state"),
	[IMPAIR_P_DUPLICATE] = PK_PARAM_STR(
		struct impair_config, duplicate, "duplicate", "\"0%\"", PK_PF_LIVE,
		"Percentage of packets (of those not lost) sent twice, the copy right after the "
		"original"),
	[IMPAIR_P_REORDER] = PK_PARAM_STR(
		struct impair_config, reorder, "reorder", "\"0%\"", PK_PF_LIVE,
		"Percentage of candidate packets sent at once, ahead of every packet held back "
		"by delay or rate (see reorder-gap)"),
	[IMPAIR_P_REORDER_GAP] = PK_PARAM_U32(
		struct impair_config, reorder_gap, "reorder-gap", "1", 1, 1000000, PK_PF_LIVE,
		"A packet is a reorder candidate only after this many minus one packets went the "
		"normal way since the last reordered one (1: every packet)"),
	[IMPAIR_P_DELAY] = PK_PARAM_DURATION(
		struct impair_config, delay, "delay", "0", 0, IMPAIR_MAX_DELAY, PK_PF_LIVE,
		"Fixed one-way delay added to every packet"),
	[IMPAIR_P_JITTER] = PK_PARAM_DURATION(
		struct impair_config, jitter, "jitter", "0", 0, IMPAIR_MAX_DELAY, PK_PF_LIVE,
		"Uniform variation of the delay, +/- this much (at most delay); never reorders"),
	[IMPAIR_P_RATE] = PK_PARAM_I64(
		struct impair_config, rate, "rate", "0", 0, IMPAIR_MAX_RATE, PK_PF_LIVE,
		"Link speed in bits per second: each packet occupies the link len*8/rate "
		"seconds; 0 for no limit"),
	[IMPAIR_P_QUEUE_LIMIT] = PK_PARAM_U32(
		struct impair_config, queue_limit, "queue-limit", "1000", 1, IMPAIR_MAX_QUEUE,
		PK_PF_LIVE,
		"Most packets held per direction (waiting for the link or for their delay); "
		"more are dropped"),
	[IMPAIR_P_QUEUE_BYTES] = PK_PARAM_U32(
		struct impair_config, queue_bytes, "queue-bytes", "0", 0, UINT32_MAX, PK_PF_LIVE,
		"Most bytes held per direction; 0 for no byte limit"),
	[IMPAIR_P_SEED] = PK_PARAM_I64(
		struct impair_config, seed, "seed", "1", 0, INT64_MAX, PK_PF_LIVE,
		"Seed of the random decisions; the same seed and input give the same output. "
		"0: a new random seed at every start"),
	[IMPAIR_P_DIRECTION] = PK_PARAM_ENUM(
		struct impair_config, direction, "direction", "\"both\"", impair_directions,
		PK_PF_LIVE,
		"Which direction is impaired; the other passes unchanged"),
};

/* Counters -------------------------------------------------------------- */

#define IMPAIR_COUNTERS(_)                                                                  \
	_(IMPAIR_C_PASSED, "passed", "Packets sent out of the other port, copies included") \
	_(IMPAIR_C_DROPPED_LOSS, "dropped-loss", "Packets dropped by the loss model")       \
	_(IMPAIR_C_DUPLICATED, "duplicated", "Extra copies sent (duplicate)")               \
	_(IMPAIR_C_REORDERED, "reordered",                                                  \
	  "Packets sent at once past the delay and rate queue (reorder)")                   \
	_(IMPAIR_C_DELAYED, "delayed",                                                      \
	  "Packets held back (delay, jitter or rate) rather than sent in "                  \
	  "the dispatch they arrived in")                                                   \
	_(IMPAIR_C_DROPPED_FLUSHED, "dropped-flushed",                                      \
	  "Held packets discarded when the device stopped")                                 \
	_(IMPAIR_C_SEGMENTED, "segmented",                                                  \
	  "TCP super-packets cut into segments to be impaired one by one")                  \
	_(IMPAIR_C_DROPPED_UNSEGMENTABLE, "dropped-unsegmentable",                          \
	  "Super-packets that could not be cut into segments "                              \
	  "(malformed, or no buffer)")
PK_COUNTERS_DECLARE(impair_counters, IMPAIR_COUNTERS);

/* Instance -------------------------------------------------------------- */

/* Settings derived from a config, checked; probabilities as 2^53 thresholds. */
struct impair_settings {
	uint64_t loss;
	uint32_t loss_model;
	uint64_t ge_p, ge_r, ge_loss_bad, ge_loss_good;
	uint64_t duplicate;
	uint64_t reorder;
	uint32_t reorder_gap;
	uint64_t delay;
	uint64_t jitter;
	uint64_t rate;
	uint32_t queue_limit;
	uint32_t queue_bytes;
	uint64_t seed;
	uint32_t direction;
	bool noop;		/* nothing to do: packets pass at once */
};

/* One held packet. */
struct impair_entry {
	struct pk_buf *b;	/* a reference we own */
	uint64_t release;	/* when it leaves (ns) */
	uint32_t len;
};

/* Independent random streams of one direction. */
enum { IMPAIR_S_LOSS, IMPAIR_S_GE, IMPAIR_S_DUP, IMPAIR_S_REORDER, IMPAIR_S_JITTER, IMPAIR_S_N };

/* One direction: what arrives on port @dir leaves port @dir ^ 1. */
struct impair_dir {
	struct impair_entry *ring;	/* FIFO by release time, power-of-two size */
	uint32_t mask;			/* ring size - 1 */
	uint32_t head;
	uint32_t n;
	uint64_t bytes;
	uint64_t armed_for;		/* release time the timer is armed for, or 0 */
	struct impair_clock clock;	/* serialization (rate) */
	uint32_t since_reorder;		/* packets sent normally since the last reordered */
	bool ge_bad;			/* Gilbert-Elliott state */
	struct impair_prng rng[IMPAIR_S_N];
	struct pk_timer *timer;
	uint32_t out_port;
};

/* What one callback sends: buffers we own are dropped after the emit. */
struct impair_out {
	struct pk_batch batch;
	uint64_t owned;		/* bit i: batch.buf[i] is a reference of ours */
};

struct impair {
	struct pk_dev *dev;
	struct impair_settings set;
	struct impair_settings pass;	/* of a direction not impaired */
	struct impair_dir dir[2];
	struct impair_out out;
	uint64_t *ctr;
};

/* Config -> settings --------------------------------------------------- */

static bool impair_percent(const char *key, const char *text, uint64_t *out, GError **error)
{
	if (impair_percent_parse(text, out))
		return true;
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
		    "%s: \"%s\" is not a percentage from 0 to 100 (e.g. \"0.5%%\" or \"10\")",
		    key, text ? text : "");
	return false;
}

static bool impair_settings_from(const struct impair_config *cfg, struct impair_settings *s,
				 GError **error)
{
	memset(s, 0, sizeof(*s));
	if (!impair_percent("loss", cfg->loss, &s->loss, error) ||
	    !impair_percent("ge-p", cfg->ge_p, &s->ge_p, error) ||
	    !impair_percent("ge-r", cfg->ge_r, &s->ge_r, error) ||
	    !impair_percent("ge-loss-bad", cfg->ge_loss_bad, &s->ge_loss_bad, error) ||
	    !impair_percent("ge-loss-good", cfg->ge_loss_good, &s->ge_loss_good, error) ||
	    !impair_percent("duplicate", cfg->duplicate, &s->duplicate, error) ||
	    !impair_percent("reorder", cfg->reorder, &s->reorder, error))
		return false;
	if (cfg->jitter > cfg->delay) {
		g_autofree char *j = pk_duration_format(cfg->jitter);
		g_autofree char *d = pk_duration_format(cfg->delay);

		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "jitter: %s is more than the delay (%s); jitter varies the delay "
			    "by +/- its value and must not exceed it", j, d);
		return false;
	}
	s->loss_model = cfg->loss_model;
	if (s->loss_model == IMPAIR_LOSS_GE && s->loss) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "loss: applies to loss-model \"random\" only; with \"gilbert-elliott\" "
			    "set ge-p, ge-r, ge-loss-bad and ge-loss-good instead");
		return false;
	}
	s->reorder_gap = cfg->reorder_gap;
	s->delay = (uint64_t)cfg->delay;
	s->jitter = (uint64_t)cfg->jitter;
	s->rate = (uint64_t)cfg->rate;
	s->queue_limit = cfg->queue_limit;
	s->queue_bytes = cfg->queue_bytes;
	s->seed = (uint64_t)cfg->seed;
	s->direction = cfg->direction;
	s->noop = !s->delay && !s->rate && !s->duplicate && !s->reorder &&
		  (s->loss_model == IMPAIR_LOSS_RANDOM ? !s->loss
						       : !s->ge_loss_good &&
							 (!s->ge_p || !s->ge_loss_bad));
	return true;
}

/* Settings that apply to direction @d (0: a to b, 1: b to a). */
static const struct impair_settings *impair_settings_of(const struct impair *im, unsigned int d)
{
	const struct impair_settings *s = &im->set;

	if (s->direction == IMPAIR_BOTH || s->direction == (d ? IMPAIR_B_TO_A : IMPAIR_A_TO_B))
		return s;
	return &im->pass;
}

static void impair_seed(struct impair *im)
{
	uint64_t seed = im->set.seed;

	if (!seed)
		seed = ((uint64_t)g_random_int() << 32) | g_random_int();
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int k = 0; k < IMPAIR_S_N; k++)
			impair_prng_seed(&im->dir[d].rng[k], seed, d * IMPAIR_S_N + k);
}

/* Ring --------------------------------------------------------------- */

static uint32_t impair_ring_size(uint32_t want)
{
	uint32_t size = 16;

	while (size < want)
		size <<= 1;
	return size;
}

/* Give @d a ring for at least @want entries, keeping what it holds (cold). */
static void impair_ring_resize(struct impair_dir *d, uint32_t want)
{
	uint32_t size = impair_ring_size(MAX(want, d->n));
	struct impair_entry *ring;

	if (d->ring && size == d->mask + 1)
		return;
	ring = g_new0(struct impair_entry, size);
	for (uint32_t i = 0; i < d->n; i++)
		ring[i] = d->ring[(d->head + i) & d->mask];
	g_free(d->ring);
	d->ring = ring;
	d->mask = size - 1;
	d->head = 0;
}

static inline struct impair_entry *impair_tail(struct impair_dir *d)
{
	return &d->ring[(d->head + d->n - 1) & d->mask];
}

/* Drop everything @d holds; returns how many. */
static uint64_t impair_ring_flush(struct impair_dir *d)
{
	uint64_t n = d->n;

	for (uint32_t i = 0; i < d->n; i++) {
		struct impair_entry *e = &d->ring[(d->head + i) & d->mask];

		pk_buf_unref(e->b);
		e->b = NULL;
	}
	d->n = 0;
	d->head = 0;
	d->bytes = 0;
	return n;
}

/* Sending ------------------------------------------------------------ */

static void impair_out_flush(struct impair *im, uint32_t port)
{
	struct impair_out *o = &im->out;

	if (!o->batch.n)
		return;
	im->ctr[IMPAIR_C_PASSED] += o->batch.n;
	pk_dev_emit(im->dev, port, &o->batch);
	for (uint64_t m = o->owned; m; m &= m - 1)
		pk_buf_unref(o->batch.buf[__builtin_ctzll(m)]);
	o->owned = 0;
	pk_batch_init(&o->batch);
}

static inline void impair_out_add(struct impair *im, uint32_t port, struct pk_buf *b, bool owned)
{
	struct impair_out *o = &im->out;

	if (PK_UNLIKELY(pk_batch_full(&o->batch)))
		impair_out_flush(im, port);
	if (owned)
		o->owned |= UINT64_C(1) << o->batch.n;
	o->batch.buf[o->batch.n++] = b;
}

/* Move every held packet whose time has come to the output. */
static void impair_release_due(struct impair *im, struct impair_dir *d, uint64_t now)
{
	while (d->n && d->ring[d->head].release <= now) {
		struct impair_entry *e = &d->ring[d->head];

		impair_out_add(im, d->out_port, e->b, true);
		e->b = NULL;
		d->bytes -= e->len;
		d->head = (d->head + 1) & d->mask;
		d->n--;
	}
}

/* Arm @d's timer for its oldest held packet, unless it is armed for it already. */
static void impair_rearm(struct impair_dir *d, uint64_t now)
{
	uint64_t at;

	if (!d->n) {
		if (d->armed_for) {
			pk_timer_cancel(d->timer);
			d->armed_for = 0;
		}
		return;
	}
	at = d->ring[d->head].release;
	if (at == d->armed_for && pk_timer_is_armed(d->timer))
		return;
	pk_timer_arm(d->timer, at > now ? at - now : 0);
	d->armed_for = at;
}

static void impair_timer(struct pk_dev *dev, void *self, void *data)
{
	struct impair *im = self;
	struct impair_dir *d = data;
	uint64_t now = pk_dev_now(dev);

	d->armed_for = 0;
	impair_release_due(im, d, now);
	impair_out_flush(im, d->out_port);
	impair_rearm(d, now);
}

/* Whether the loss model drops the next packet. */
static inline bool impair_lost(const struct impair_settings *s, struct impair_dir *d)
{
	if (s->loss_model == IMPAIR_LOSS_RANDOM)
		return s->loss && impair_prng_chance(&d->rng[IMPAIR_S_LOSS], s->loss);
	/* Gilbert-Elliott: move first, then lose with the new state's probability. */
	if (d->ge_bad) {
		if (impair_prng_chance(&d->rng[IMPAIR_S_GE], s->ge_r))
			d->ge_bad = false;
	} else if (impair_prng_chance(&d->rng[IMPAIR_S_GE], s->ge_p)) {
		d->ge_bad = true;
	}
	return impair_prng_chance(&d->rng[IMPAIR_S_LOSS], d->ge_bad ? s->ge_loss_bad
								    : s->ge_loss_good);
}

/*
 * One copy of a packet on the normal path: send it now if nothing is held and
 * its time has come, else hold it (or drop it when the queue is full).
 */
static void impair_one(struct impair *im, const struct impair_settings *s, struct impair_dir *d,
		       struct pk_buf *b, uint32_t len, uint64_t now, bool extra_ref)
{
	struct impair_clock clock = d->clock;
	uint64_t release = now;
	struct impair_entry *e;

	if (s->rate)
		release = impair_clock_send(&clock, now, len, s->rate);
	release += s->delay;
	if (s->jitter)
		release = release - s->jitter +
			  impair_prng_upto(&d->rng[IMPAIR_S_JITTER], 2 * s->jitter);
	if (d->n && release < impair_tail(d)->release)
		release = impair_tail(d)->release;	/* FIFO: jitter never reorders */
	if (!d->n && release <= now) {
		d->clock = clock;
		impair_out_add(im, d->out_port, extra_ref ? pk_buf_ref(b) : b, extra_ref);
		return;
	}
	if (d->n >= s->queue_limit || d->n > d->mask ||
	    (s->queue_bytes && d->bytes + len > s->queue_bytes)) {
		pk_dev_drop(im->dev, PK_DROP_QUEUE_FULL, 1);
		return;
	}
	d->clock = clock;
	e = &d->ring[(d->head + d->n) & d->mask];
	e->b = pk_buf_ref(b);
	e->release = release;
	e->len = len;
	d->n++;
	d->bytes += len;
	im->ctr[IMPAIR_C_DELAYED]++;
}

/* Loss, duplication, reordering, delay and rate for one packet, borrowed
 * for the dispatch. */
static void impair_packet(struct impair *im, const struct impair_settings *s,
			  struct impair_dir *d, struct pk_buf *b, uint64_t now)
{
	uint32_t len = pk_buf_len(b);
	bool dup;

	if (impair_lost(s, d)) {
		im->ctr[IMPAIR_C_DROPPED_LOSS]++;
		return;
	}
	dup = s->duplicate && impair_prng_chance(&d->rng[IMPAIR_S_DUP], s->duplicate);
	if (dup)
		im->ctr[IMPAIR_C_DUPLICATED]++;
	if (s->reorder) {
		if (d->since_reorder + 1 >= s->reorder_gap &&
		    impair_prng_chance(&d->rng[IMPAIR_S_REORDER], s->reorder)) {
			/* Sent at once, ahead of everything held. */
			d->since_reorder = 0;
			im->ctr[IMPAIR_C_REORDERED]++;
			impair_out_add(im, d->out_port, b, false);
			if (dup)	/* shared while lent: a writer copies */
				impair_out_add(im, d->out_port, pk_buf_ref(b), true);
			return;
		}
		d->since_reorder++;
	}
	impair_one(im, s, d, b, len, now, false);
	if (dup)
		impair_one(im, s, d, b, len, now, true);
}

/*
 * A TCP super-packet stands for many packets on the emulated link: cut it and
 * impair each segment on its own, so loss, duplication and reordering hit
 * segments and the rate is paid per segment. The segments belong to the
 * dispatch (held ones take a reference of their own).
 */
static void impair_super(struct impair *im, const struct impair_settings *s,
			 struct impair_dir *d, struct pk_buf *b, uint64_t now, bool l2)
{
	int32_t l3 = l2 ? pk_eth_l3_offset(pk_buf_data(b), pk_buf_len(b)) : 0;
	struct pk_batch segs;
	uint32_t pos = 0;
	int rc;

	im->ctr[IMPAIR_C_SEGMENTED]++;
	if (l3 < 0) {
		im->ctr[IMPAIR_C_DROPPED_UNSEGMENTABLE]++;
		return;
	}
	do {
		pk_batch_init(&segs);
		rc = pk_gso_segment(b, (uint32_t)l3, &pos, &segs);
		for (uint32_t i = 0; i < segs.n; i++) {
			pk_dev_autorelease(im->dev, segs.buf[i]);
			impair_packet(im, s, d, segs.buf[i], now);
		}
	} while (rc == 0);
	if (rc < 0)
		im->ctr[IMPAIR_C_DROPPED_UNSEGMENTABLE]++;
}

static inline void impair_receive(struct pk_dev *dev, void *self, uint32_t port,
				  const struct pk_batch *batch, bool l2)
{
	struct impair *im = self;
	unsigned int di = PK_PORT_GROUP(port) & 1;
	struct impair_dir *d = &im->dir[di];
	const struct impair_settings *s = impair_settings_of(im, di);
	uint64_t now;

	/* Nothing held, nothing to do: super-packets pass whole. */
	if (PK_LIKELY(s->noop && !d->n)) {
		im->ctr[IMPAIR_C_PASSED] += batch->n;
		pk_dev_emit(dev, d->out_port, batch);
		return;
	}
	now = pk_dev_now(dev);
	impair_release_due(im, d, now);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];

		if (PK_UNLIKELY(b->gso_size))
			impair_super(im, s, d, b, now, l2);
		else
			impair_packet(im, s, d, b, now);
	}
	impair_out_flush(im, d->out_port);
	impair_rearm(d, now);
}

static void impair_receive_l2(struct pk_dev *dev, void *self, uint32_t port,
			      const struct pk_batch *batch)
{
	impair_receive(dev, self, port, batch, true);
}

static void impair_receive_l3(struct pk_dev *dev, void *self, uint32_t port,
			      const struct pk_batch *batch)
{
	impair_receive(dev, self, port, batch, false);
}

/* Lifecycle ----------------------------------------------------------- */

static void impair_apply(struct impair *im, const struct impair_settings *s)
{
	im->set = *s;
	memset(&im->pass, 0, sizeof(im->pass));
	im->pass.queue_limit = s->queue_limit;
	im->pass.queue_bytes = s->queue_bytes;
	im->pass.noop = true;
	for (unsigned int d = 0; d < 2; d++)
		impair_ring_resize(&im->dir[d], s->queue_limit);
}

static int impair_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct impair *im = self;
	struct impair_settings s;

	if (!impair_settings_from(config, &s, error))
		return -1;
	im->dev = dev;
	im->ctr = pk_dev_counters(dev);
	for (unsigned int d = 0; d < 2; d++) {
		im->dir[d].out_port = PK_PORT(d ^ 1, 0);
		im->dir[d].timer = pk_timer_new(dev, impair_timer, &im->dir[d]);
	}
	impair_apply(im, &s);
	return 0;
}

static void impair_reset_dir(struct impair_dir *d)
{
	d->clock.free_at = 0;
	d->clock.rem = 0;
	d->since_reorder = 0;
	d->ge_bad = false;
	d->armed_for = 0;
}

static int impair_start(struct pk_dev *dev, void *self, GError **error)
{
	struct impair *im = self;

	for (unsigned int d = 0; d < 2; d++)
		impair_reset_dir(&im->dir[d]);
	impair_seed(im);
	return 0;
}

static void impair_stop(struct pk_dev *dev, void *self)
{
	struct impair *im = self;

	for (unsigned int d = 0; d < 2; d++) {
		im->ctr[IMPAIR_C_DROPPED_FLUSHED] += impair_ring_flush(&im->dir[d]);
		impair_reset_dir(&im->dir[d]);
	}
}

static void impair_finalize(struct pk_dev *dev, void *self)
{
	struct impair *im = self;

	for (unsigned int d = 0; d < 2; d++) {
		impair_ring_flush(&im->dir[d]);
		g_clear_pointer(&im->dir[d].ring, g_free);
	}
}

static int impair_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	struct impair *im = self;
	struct impair_settings s;

	if (!impair_settings_from(config, &s, error))
		return -1;
	impair_apply(im, &s);
	if (changed & PK_PARAM_BIT(IMPAIR_P_SEED))
		impair_seed(im);
	return 0;
}

static const struct pk_device_ops impair_l2_ops = {
	.init = impair_init,
	.start = impair_start,
	.stop = impair_stop,
	.finalize = impair_finalize,
	.reconfigure = impair_reconfigure,
	.receive = impair_receive_l2,
};

static const struct pk_device_ops impair_l3_ops = {
	.init = impair_init,
	.start = impair_start,
	.stop = impair_stop,
	.finalize = impair_finalize,
	.reconfigure = impair_reconfigure,
	.receive = impair_receive_l3,
};

/* Types --------------------------------------------------------------- */

#define IMPAIR_DOC(what)                                                                   \
	"Network emulator in the middle of a link: " what " arriving on port a leave port "  \
	"b and those arriving on b leave a, after loss, duplication, reordering, delay and "   \
	"a rate limit, each direction on its own but with the same settings (\"direction\" "  \
	"limits the impairment to one of them). With every parameter at its default the "    \
	"device passes each batch on unchanged, the same buffers, at once.\n\n"                \
	"Per packet, in this order: the loss model may drop it (dropped-loss); \"duplicate\" " \
	"may add a second copy (duplicated), sent right behind the original; \"reorder\" "    \
	"may send it (and its copy) at once, skipping delay, jitter and the rate queue and "  \
	"overtaking every packet held (reordered): with reorder-gap N only a packet that "    \
	"follows N-1 normally sent ones since the last reordered one is a candidate, as in "  \
	"Linux netem. Otherwise the packet takes the normal path: with \"rate\" it waits for " \
	"the link, which sends one packet at a time for len*8/rate seconds (N back-to-back "   \
	"packets of S bytes take N*S*8/rate), then it travels \"delay\" plus a uniform "       \
	"variation within +/- \"jitter\" (at most the delay). A packet never leaves before "   \
	"one that went the normal path ahead of it in the same direction: jitter does not "   \
	"reorder, a packet whose draw would overtake leaves together with, and just after, "  \
	"its predecessor. So under dense traffic the delays crowd towards delay + jitter: "    \
	"a packet waits for the latest of the packets ahead of it. Lengths are those of the "  \
	"frames or packets as carried (no preamble, FCS or inter-frame gap).\n\n"              \
	"Held packets (delayed) wait in a bounded queue per direction, queue-limit packets "  \
	"and, if set, queue-bytes bytes, counting every packet held whether it waits for the " \
	"link or for its delay; a packet that does not fit is dropped (dropped-queue-full) "  \
	"and does not occupy the link. Packets still held when the device stops are "        \
	"discarded (dropped-flushed). A packet is only held by reference, never copied; a "   \
	"duplicate is the same buffer sent twice, so a writer downstream copies it.\n\n"      \
	"Percentages are strings from \"0\" to \"100\", the '%' optional (\"0.5%\"). The "    \
	"loss model is \"random\" (each packet lost with probability \"loss\") or "           \
	"\"gilbert-elliott\": a chain with a good and a bad state, moving good to bad with "   \
	"probability ge-p and bad to good with ge-r before each packet, which is then lost "  \
	"with ge-loss-good or ge-loss-bad. Every random decision comes from a PRNG "          \
	"(xoshiro256**) seeded from \"seed\", one stream per decision and direction, "        \
	"restarted at every start and whenever seed is set: a given seed and input give the " \
	"same output, and turning on one impairment does not change the draws of another. "   \
	"The default seed is 1; seed 0 draws a new seed at every start.\n\n"                  \
	"Every parameter can change while the device runs. Packets already held keep the "   \
	"release time they were given; new ones still leave after them. Delay and jitter "   \
	"are applied at the granularity of the host's timers; under a fake clock exactly.\n\n"  \
	"Segmentation offload: the ports accept TCP super-packets (up to 64 KB, from a TUN "  \
	"or TAP with 'offload' or a vclient with 'tso'). A direction that is not impaired "     \
	"passes them whole; otherwise each is cut into the segments it stands for (segmented) " \
	"and every segment is lost, duplicated, reordered, delayed and rate-limited on its own, " \
	"as on a real link."

static const struct pk_port_group impair_l2_ports[] = {
	{ "a", PK_L2, 0, 1, "One side of the emulated link", PK_PORT_F_OFFLOAD },
	{ "b", PK_L2, 0, 1, "The other side of the emulated link", PK_PORT_F_OFFLOAD },
};

static const struct pk_port_group impair_l3_ports[] = {
	{ "a", PK_L3, 0, 1, "One side of the emulated link", PK_PORT_F_OFFLOAD },
	{ "b", PK_L3, 0, 1, "The other side of the emulated link", PK_PORT_F_OFFLOAD },
};

const struct pk_device_type l2_impair_type = {
	.name = "l2.impair",
	.summary = "Network emulator for an Ethernet link: loss, duplication, reordering, "
		   "delay, jitter, rate",
	.doc = IMPAIR_DOC("Ethernet frames"),
	PK_ARRAY(ports, impair_l2_ports),
	PK_ARRAY(params, impair_params),
	PK_ARRAY(counters, impair_counters),
	.config_size = sizeof(struct impair_config),
	.instance_size = sizeof(struct impair),
	.ops = &impair_l2_ops,
};

const struct pk_device_type l3_impair_type = {
	.name = "l3.impair",
	.summary = "Network emulator for an IP link: loss, duplication, reordering, delay, "
		   "jitter, rate",
	.doc = IMPAIR_DOC("IP packets"),
	PK_ARRAY(ports, impair_l3_ports),
	PK_ARRAY(params, impair_params),
	PK_ARRAY(counters, impair_counters),
	.config_size = sizeof(struct impair_config),
	.instance_size = sizeof(struct impair),
	.ops = &impair_l3_ops,
};
