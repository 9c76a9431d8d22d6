// SPDX-License-Identifier: MIT
/* l2-hub.c - Device type l2.hub: learning Ethernet switch with aging and 802.1Q VLANs */
#include <stdlib.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/status.h>

#include "hub-types.h"
#include "mac-table.h"
#include "port-set.h"
#include "vlan.h"

/* Parameters ----------------------------------------------------------- */

/* One record of the "vlans" list. */
struct l2_hub_vlan_rec {
	uint32_t port;
	uint32_t mode;
	uint32_t vlan;
	char *allowed;
};

struct l2_hub_config {
	int64_t aging;
	uint32_t mac_table_size;
	struct pk_list vlans;
};

/* Indices into l2_hub_params, for the @changed mask of reconfigure. */
enum { L2_HUB_P_AGING, L2_HUB_P_MAC_TABLE_SIZE, L2_HUB_P_VLANS };

static const struct pk_param_enum l2_hub_modes[] = {
	{ "access", VLAN_ACCESS },
	{ "trunk", VLAN_TRUNK },
	{ NULL, 0 },
};

static const struct pk_param l2_hub_vlan_fields[] = {
	PK_PARAM_U32(struct l2_hub_vlan_rec, port, "port", NULL, 0, 65535, PK_PF_REQUIRED,
		     "Index N of the port \"<hub>.port.N\" this record configures"),
	PK_PARAM_ENUM(struct l2_hub_vlan_rec, mode, "mode", NULL, l2_hub_modes, PK_PF_REQUIRED,
		      "access: member of one VLAN, untagged; trunk: carries tagged VLANs and "
		      "optionally one untagged native VLAN"),
	PK_PARAM_U32(struct l2_hub_vlan_rec, vlan, "vlan", "0", 0, VLAN_ID_MAX, 0,
		     "Access VLAN (1..4094, required for access ports), or the native VLAN "
		     "of a trunk (0: none, untagged frames are dropped)"),
	PK_PARAM_STR(struct l2_hub_vlan_rec, allowed, "allowed", NULL, 0,
		     "Trunk only: VLAN ids carried tagged, e.g. \"10,20,100-199\"; unset or "
		     "empty for all"),
};

static const struct pk_param_record l2_hub_vlan_record = {
	PK_ARRAY(params, l2_hub_vlan_fields),
	.record_size = sizeof(struct l2_hub_vlan_rec),
};

static const struct pk_param l2_hub_params[] = {
	[L2_HUB_P_AGING] = PK_PARAM_DURATION(
		struct l2_hub_config, aging, "aging", "\"5m\"", 10 * PK_NSEC_PER_MSEC,
		7 * 24 * 3600 * PK_NSEC_PER_SEC, PK_PF_LIVE,
		"A learned MAC address is forgotten this long after its last frame"),
	[L2_HUB_P_MAC_TABLE_SIZE] = PK_PARAM_U32(
		struct l2_hub_config, mac_table_size, "mac-table-size", "8192", 1,
		MAC_TABLE_MAX_ENTRIES, 0,
		"Most (VLAN, MAC address) pairs remembered; frames to others are flooded. "
		"A limit, not a size: the table takes 256 bytes empty and grows (and "
		"shrinks back) with the addresses known, 32 bytes each at most"),
	[L2_HUB_P_VLANS] = PK_PARAM_LIST(
		struct l2_hub_config, vlans, "vlans", &l2_hub_vlan_record, 0, 65536, PK_PF_LIVE,
		"802.1Q role of ports: {\"port\": N, \"mode\": \"access\"|\"trunk\", \"vlan\": V, "
		"\"allowed\": \"10,20-29\"}; ports without a record pass every frame unchanged"),
};

/* Counters -------------------------------------------------------------- */

#define L2_HUB_COUNTERS(_)                                                             \
	_(L2_HUB_FORWARDED_UNICAST, "forwarded-unicast",                               \
	  "Frames sent only to the port their destination was learned on")             \
	_(L2_HUB_FLOODED, "flooded",                                                   \
	  "Frames sent to every other port of their VLAN (broadcast, multicast "       \
	  "or unknown destination)")                                                   \
	_(L2_HUB_DROPPED_SHORT, "dropped-short",                                       \
	  "Frames shorter than an Ethernet header (14 bytes, 18 if tagged)")           \
	_(L2_HUB_DROPPED_HAIRPIN, "dropped-hairpin",                                   \
	  "Frames for a destination learned on the port they came in on")              \
	_(L2_HUB_DROPPED_BAD_SOURCE, "dropped-bad-source",                             \
	  "Frames with a multicast or broadcast source address")                       \
	_(L2_HUB_DROPPED_VLAN, "dropped-vlan",                                         \
	  "Frames a port does not accept: a VLAN it does not carry, a tag "            \
	  "on an access port, untagged on a trunk without native VLAN, VID 4095")      \
	_(L2_HUB_MAC_LEARNED, "mac-learned", "MAC addresses added to the table")       \
	_(L2_HUB_MAC_MOVED, "mac-moved", "Known MAC addresses seen on another port")   \
	_(L2_HUB_MAC_AGED, "mac-aged", "MAC addresses forgotten after the aging time") \
	_(L2_HUB_MAC_TABLE_FULL, "mac-table-full",                                     \
	  "Source addresses not learned because the table was full")                   \
	_(L2_HUB_MAC_FLUSHED, "mac-flushed",                                           \
	  "MAC addresses forgotten because the device on their port said they "        \
	  "are gone (a flush port event)")
PK_COUNTERS_DECLARE(l2_hub_counters, L2_HUB_COUNTERS);

/* Status (ABI 1.2) */
enum { L2_HUB_S_MACS, L2_HUB_S_PORTS };
enum { L2_HUB_T_MAC_TABLE };
enum { L2_HUB_MC_VLAN, L2_HUB_MC_MAC, L2_HUB_MC_PORT, L2_HUB_MC_AGE };

static const struct pk_status_field l2_hub_status[] = {
	[L2_HUB_S_MACS] = { "macs", PK_ST_UINT, "MAC addresses known now" },
	[L2_HUB_S_PORTS] = { "ports", PK_ST_UINT, "Ports linked" },
};

static const struct pk_status_field l2_hub_mac_columns[] = {
	[L2_HUB_MC_VLAN] = { "vlan", PK_ST_UINT,
			     "VLAN the address was learned in (0: untagged on transparent ports)" },
	[L2_HUB_MC_MAC] = { "mac", PK_ST_MAC, "Source address" },
	[L2_HUB_MC_PORT] = { "port", PK_ST_UINT, "Index of the port it was learned on" },
	[L2_HUB_MC_AGE] = { "age", PK_ST_DURATION, "Time since its last frame" },
};

static const struct pk_status_table l2_hub_status_tables[] = {
	[L2_HUB_T_MAC_TABLE] = { "mac-table", "A learned address",
				 PK_ARRAY(columns, l2_hub_mac_columns) },
};

static const struct pk_port_group l2_hub_ports[] = {
	{ "port", PK_L2, 0, 65535, "Switch ports; link as many as needed", PK_PORT_F_OFFLOAD },
};

/* Instance -------------------------------------------------------------- */

/* The VLAN role of one configured port, with its own allowed-VID bitmap. */
struct l2_hub_role {
	uint32_t port;
	uint32_t record;	/* index in "vlans", for messages */
	bool has_list;		/* trunk with an "allowed" list */
	struct vlan_port vlan;
	uint64_t allowed[VLAN_BITMAP_WORDS];
};

struct l2_hub {
	struct port_set ports;
	struct mac_table macs;
	struct l2_hub_role *roles;	/* sorted by port; looked up on link only */
	uint32_t n_roles;
	uint8_t *forms;			/* per port position, scratch of a flood */
	uint32_t forms_alloc;
	int64_t aging;
	struct pk_timer *sweep;
	uint64_t *ctr;			/* pk_dev_counters(), valid until finalize */
};

static uint32_t l2_hub_ticks(int64_t ns)
{
	return (uint32_t)(((uint64_t)ns + (1u << MAC_TABLE_TICK_SHIFT) - 1) >>
			  MAC_TABLE_TICK_SHIFT);
}

/* Stale entries are invisible at once; the sweep only reclaims their slots. */
static uint64_t l2_hub_sweep_period(int64_t aging)
{
	return (uint64_t)CLAMP(aging / 4, PK_NSEC_PER_MSEC, 60 * PK_NSEC_PER_SEC);
}

static const struct vlan_port *l2_hub_role_of(const struct l2_hub *h, uint32_t index)
{
	static const struct vlan_port transparent = { VLAN_TRANSPARENT, 0, NULL };
	uint32_t lo = 0, hi = h->n_roles;

	while (lo < hi) {	/* roles are sorted by port */
		uint32_t mid = lo + (hi - lo) / 2;

		if (h->roles[mid].port == index)
			return &h->roles[mid].vlan;
		if (h->roles[mid].port < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &transparent;
}

static int l2_hub_role_cmp(const void *a, const void *b)
{
	const struct l2_hub_role *x = a, *y = b;

	return (x->port > y->port) - (x->port < y->port);
}

/* Parse the "vlans" records into a new role array, sorted by port. */
static bool l2_hub_roles_parse(const struct pk_list *list, struct l2_hub_role **out,
			       GError **error)
{
	const struct l2_hub_vlan_rec *rec = list->items;
	g_autofree struct l2_hub_role *roles = g_new0(struct l2_hub_role, MAX(list->n, 1u));

	for (uint32_t i = 0; i < list->n; i++) {
		struct l2_hub_role *r = &roles[i];
		g_autoptr(GError) err = NULL;
		bool all;

		r->port = rec[i].port;
		r->record = i;
		r->vlan.mode = rec[i].mode;
		r->vlan.vid = rec[i].vlan;
		if (rec[i].mode == VLAN_ACCESS) {
			if (rec[i].vlan == 0) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "vlans[%u].vlan: an access port needs a VLAN (1..4094)", i);
				return false;
			}
			if (rec[i].allowed && *rec[i].allowed) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "vlans[%u].allowed: only trunk ports carry a VLAN list", i);
				return false;
			}
			continue;
		}
		if (!vlan_list_parse(rec[i].allowed, r->allowed, &all, &err)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "vlans[%u].allowed: %s", i,
				    err->message);
			return false;
		}
		r->has_list = !all;
	}
	qsort(roles, list->n, sizeof(*roles), l2_hub_role_cmp);
	for (uint32_t i = 0; i < list->n; i++) {
		if (i > 0 && roles[i].port == roles[i - 1].port) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "vlans[%u]: port %u is already configured by vlans[%u]",
				    MAX(roles[i].record, roles[i - 1].record), roles[i].port,
				    MIN(roles[i].record, roles[i - 1].record));
			return false;
		}
		/* Point at the bitmap now that the array is in its final order. */
		roles[i].vlan.allowed = roles[i].has_list ? roles[i].allowed : NULL;
	}
	*out = g_steal_pointer(&roles);
	return true;
}

static void l2_hub_apply_roles(struct l2_hub *h)
{
	for (uint32_t i = 0; i < h->ports.n; i++)
		h->ports.ports[i].vlan = *l2_hub_role_of(h, h->ports.ports[i].index);
}

static void l2_hub_sweep(struct pk_dev *dev, void *self, void *data)
{
	struct l2_hub *h = self;
	uint32_t now = (uint32_t)(pk_dev_now(dev) >> MAC_TABLE_TICK_SHIFT);

	pk_dev_count(dev, L2_HUB_MAC_AGED, mac_table_sweep(&h->macs, now));
	pk_timer_arm(h->sweep, l2_hub_sweep_period(h->aging));
}

static int l2_hub_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	const struct l2_hub_config *cfg = config;
	struct l2_hub *h = self;
	struct l2_hub_role *roles = NULL;

	/* Validate everything before changing anything. */
	if ((changed & PK_PARAM_BIT(L2_HUB_P_VLANS)) &&
	    !l2_hub_roles_parse(&cfg->vlans, &roles, error))
		return -1;

	if (changed & PK_PARAM_BIT(L2_HUB_P_MAC_TABLE_SIZE)) {
		mac_table_free(&h->macs);
		/* In range: the schema enforced 1..MAC_TABLE_MAX_ENTRIES. */
		mac_table_init(&h->macs, cfg->mac_table_size, l2_hub_ticks(cfg->aging));
	}
	if (changed & PK_PARAM_BIT(L2_HUB_P_AGING)) {
		h->aging = cfg->aging;
		mac_table_set_max_age(&h->macs, l2_hub_ticks(cfg->aging));
		if (h->sweep)
			pk_timer_arm(h->sweep, l2_hub_sweep_period(h->aging));
	}
	if (changed & PK_PARAM_BIT(L2_HUB_P_VLANS)) {
		g_free(h->roles);
		h->roles = roles;
		h->n_roles = cfg->vlans.n;
		l2_hub_apply_roles(h);
		/* Entries were learned under the old roles. */
		mac_table_clear(&h->macs);
	}
	return 0;
}

static int l2_hub_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct l2_hub *h = self;

	h->ctr = pk_dev_counters(dev);
	return l2_hub_reconfigure(dev, self, config, UINT64_MAX, error);
}

static int l2_hub_start(struct pk_dev *dev, void *self, GError **error)
{
	struct l2_hub *h = self;

	h->sweep = pk_timer_new(dev, l2_hub_sweep, NULL);
	pk_timer_arm(h->sweep, l2_hub_sweep_period(h->aging));
	return 0;
}

static void l2_hub_stop(struct pk_dev *dev, void *self)
{
	struct l2_hub *h = self;

	pk_timer_free(h->sweep);
	h->sweep = NULL;
	/* Ticks are only meaningful while the clock is watched: start afresh. */
	mac_table_clear(&h->macs);
}

static void l2_hub_finalize(struct pk_dev *dev, void *self)
{
	struct l2_hub *h = self;

	mac_table_free(&h->macs);
	port_set_free(&h->ports);
	g_free(h->roles);
	g_free(h->forms);
}

static int l2_hub_link(struct pk_dev *dev, void *self, uint32_t port, GError **error)
{
	struct l2_hub *h = self;
	uint32_t index = PK_PORT_INDEX(port);
	struct pset_port *p = port_set_add(&h->ports, index);

	p->vlan = *l2_hub_role_of(h, index);
	if (h->forms_alloc < h->ports.alloc) {
		h->forms_alloc = h->ports.alloc;
		h->forms = g_renew(uint8_t, h->forms, h->forms_alloc);
	}
	return 0;
}

static void l2_hub_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct l2_hub *h = self;
	uint32_t index = PK_PORT_INDEX(port);

	port_set_remove(&h->ports, index);
	mac_table_purge_port(&h->macs, index);
}

/* The device behind @port says its addresses are gone: forget them now. */
static void l2_hub_port_event(struct pk_dev *dev, void *self, uint32_t port, uint32_t event)
{
	struct l2_hub *h = self;

	if (event == PK_PORT_EVENT_FLUSH)
		pk_dev_count(dev, L2_HUB_MAC_FLUSHED,
			     mac_table_purge_port(&h->macs, PK_PORT_INDEX(port)));
}

static void l2_hub_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct l2_hub *h = self;
	uint32_t now = (uint32_t)(pk_dev_now(dev) >> MAC_TABLE_TICK_SHIFT);
	uint64_t live = 0;

	for (uint32_t i = 0; h->macs.slots && i <= h->macs.mask; i++) {
		const struct mac_entry *e = &h->macs.slots[i];
		uint64_t mac48 = e->key & UINT64_C(0xffffffffffff);
		struct pk_mac mac;

		if (e->key == 0 || mac_table_stale(&h->macs, e, now))
			continue;
		/* mac_table_load_mac() keeps the first byte in the low bits. */
		for (unsigned int b = 0; b < 6; b++)
			mac.b[b] = (uint8_t)(mac48 >> (8 * b));
		pk_status_row_begin(w, L2_HUB_T_MAC_TABLE);
		pk_status_set_uint(w, L2_HUB_MC_VLAN, (e->key >> 48) & 0xfff);
		pk_status_set_mac(w, L2_HUB_MC_MAC, &mac);
		pk_status_set_uint(w, L2_HUB_MC_PORT, e->port);
		pk_status_set_duration(w, L2_HUB_MC_AGE,
				       (uint64_t)(uint32_t)(now - e->seen) << MAC_TABLE_TICK_SHIFT);
		live++;
	}
	pk_status_row_end(w);
	pk_status_set_uint(w, L2_HUB_S_MACS, live);
	pk_status_set_uint(w, L2_HUB_S_PORTS, h->ports.n);
}

/* Data path --------------------------------------------------------------- */

static void l2_hub_count_learn(uint64_t *ctr, unsigned int learn)
{
	switch (MAC_LEARN_WHAT(learn)) {
	case MAC_LEARN_NEW:
		ctr[L2_HUB_MAC_LEARNED]++;
		break;
	case MAC_LEARN_MOVED:
		ctr[L2_HUB_MAC_MOVED]++;
		break;
	case MAC_LEARN_FULL:
		ctr[L2_HUB_MAC_TABLE_FULL]++;
		break;
	default:
		break;
	}
	if (learn & MAC_LEARN_AGED)
		ctr[L2_HUB_MAC_AGED]++;
}

/* Send @b to the port at @pos in the form it wants; false if dropped (counted). */
static inline bool l2_hub_unicast(struct l2_hub *h, struct pk_dev *dev, uint64_t *ctr,
				  struct pset_run *run, uint32_t pos, struct pk_buf *b,
				  const struct vlan_frame *f)
{
	enum vlan_form form = vlan_egress(&h->ports.ports[pos].vlan, f);

	if (G_UNLIKELY(form != VLAN_FORM_ORIG)) {
		if (form == VLAN_FORM_NONE) {
			ctr[L2_HUB_DROPPED_VLAN]++;
			return false;
		}
		b = vlan_reform_inplace(dev, b, f, form);
		if (!b) /* pk_buf_writable() counted it */
			return false;
	}
	port_run_add(&h->ports, dev, run, pos, b);
	return true;
}

/*
 * Send @b to every port of its VLAN but @in_pos. When more than one port gets
 * the same buffer an extra reference is held until the flush, so a receiver
 * that wants to write gets a copy from pk_buf_writable() instead of changing
 * what the others see (one reference per buffer suffices for that). Ports
 * wanting another tag form share one converted copy per form; @b itself is
 * converted in place only when no port wants it as received.
 */
static void l2_hub_flood(struct l2_hub *h, struct pk_dev *dev, uint64_t *ctr, uint32_t in_pos,
			 struct pk_buf *b, const struct vlan_frame *f)
{
	struct port_set *ps = &h->ports;
	struct pk_buf *bufs[4] = { NULL, b, NULL, NULL };
	uint32_t count[4] = { 0 };
	enum vlan_form inplace = VLAN_FORM_NONE;

	ctr[L2_HUB_FLOODED]++;
	/* Room for the references of this frame, so that no early flush can
	 * drop one of them before it is queued. */
	if (ps->n_held + 5 > PORT_SET_HELD_MAX)
		port_set_flush(ps, dev);

	for (uint32_t pos = 0; pos < ps->n; pos++) {
		enum vlan_form form =
			pos == in_pos ? VLAN_FORM_NONE : vlan_egress(&ps->ports[pos].vlan, f);

		h->forms[pos] = (uint8_t)form;
		count[form]++;
	}
	if (!count[VLAN_FORM_ORIG])
		inplace = count[VLAN_FORM_UNTAGGED] ? VLAN_FORM_UNTAGGED
		        : count[VLAN_FORM_TAGGED]   ? VLAN_FORM_TAGGED
						    : VLAN_FORM_NONE;
	/* Copies first: converting @b in place must come last. */
	for (int form = VLAN_FORM_TAGGED; form <= VLAN_FORM_UNTAGGED; form++) {
		if (!count[form] || form == (int)inplace)
			continue;
		bufs[form] = vlan_reform_copy(b, f, form);
		if (bufs[form])
			port_set_give(ps, dev, bufs[form]);
	}
	if (inplace != VLAN_FORM_NONE)
		bufs[inplace] = vlan_reform_inplace(dev, b, f, inplace);
	for (int form = VLAN_FORM_ORIG; form <= VLAN_FORM_UNTAGGED; form++) {
		if (!count[form])
			continue;
		if (!bufs[form]) { /* pk_buf_writable() counts its own */
			if (form != (int)inplace)
				pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
			continue;
		}
		if (count[form] > 1)
			port_set_hold(ps, dev, bufs[form]);
	}
	/* Many receivers: cheaper to scan every port at the flush than to
	 * track each one. */
	if ((ps->n - count[VLAN_FORM_NONE]) * 4 >= ps->n)
		port_set_flood_begin(ps);
	for (uint32_t pos = 0; pos < ps->n; pos++) {
		struct pk_buf *out = bufs[h->forms[pos]];

		if (out)
			port_set_queue(ps, dev, pos, out);
	}
}

/* Flood without VLAN roles anywhere: every port takes the frame as it is. */
static void l2_hub_flood_plain(struct l2_hub *h, struct pk_dev *dev, uint64_t *ctr,
			       uint32_t in_pos, struct pk_buf *b)
{
	struct port_set *ps = &h->ports;

	ctr[L2_HUB_FLOODED]++;
	port_set_flood(ps, dev, in_pos, b);
}

static void l2_hub_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	struct l2_hub *h = self;
	uint64_t *ctr = h->ctr;
	uint32_t in = PK_PORT_INDEX(port), in_pos = port_set_at(&h->ports, in);
	uint32_t now = (uint32_t)(pk_dev_now(dev) >> MAC_TABLE_TICK_SHIFT);
	const struct vlan_port *in_role;
	bool plain = h->n_roles == 0;
	uint64_t unicast = 0;	/* the common counter stays in a register */
	/* The last source learned and destination looked up in this batch:
	 * consecutive frames of one flow skip the table (keys are never 0). */
	uint64_t last_src = 0, last_dst = 0;
	uint32_t last_out = MAC_TABLE_MISS;
	struct pset_run run;

	if (G_UNLIKELY(in_pos == PORT_SET_NONE))
		return;	/* a delivery queued before the port was unlinked */
	in_role = &h->ports.ports[in_pos].vlan;
	port_run_init(&run);

	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		const uint8_t *d = pk_buf_data(b);
		uint32_t len = pk_buf_len(b), out, pos;
		struct vlan_frame f = { 0 };
		uint64_t src, dst, skey;

		if (G_UNLIKELY(len < PK_ETH_HLEN)) {
			ctr[L2_HUB_DROPPED_SHORT]++;
			continue;
		}
		if (pk_get_be16(d + 2 * PK_ETH_ALEN) == PK_ETH_P_VLAN) {
			if (G_UNLIKELY(len < PK_ETH_HLEN + PK_VLAN_HLEN)) {
				ctr[L2_HUB_DROPPED_SHORT]++;
				continue;
			}
			f.tagged = true;
			f.tag_vid = pk_get_be16(d + PK_ETH_HLEN) & PK_VLAN_VID_MASK;
		}
		if (G_UNLIKELY(!vlan_ingress(in_role, &f))) {
			ctr[L2_HUB_DROPPED_VLAN]++;
			continue;
		}
		src = mac_table_load_mac(d + PK_ETH_ALEN);
		if (G_UNLIKELY(src & 1)) {
			ctr[L2_HUB_DROPPED_BAD_SOURCE]++;
			continue;
		}
		skey = mac_table_key(f.vlan, src);
		if (skey != last_src) {
			unsigned int learn = mac_table_learn(&h->macs, skey, in, now);

			if (G_UNLIKELY(learn != MAC_LEARN_REFRESHED))
				l2_hub_count_learn(ctr, learn);
			/* Now fresh on @in: the same source again needs nothing,
			 * unless it could not be learned (counted every time). */
			last_src = MAC_LEARN_WHAT(learn) == MAC_LEARN_FULL ? 0 : skey;
			if (skey == last_dst)
				last_dst = 0;
		}

		dst = mac_table_load_mac(d);
		if (!(dst & 1)) {
			uint64_t dkey = mac_table_key(f.vlan, dst);

			/* Within a batch only learning changes the table, and
			 * only the entry of the learned key. */
			if (dkey != last_dst) {
				last_dst = dkey;
				last_out = mac_table_lookup(&h->macs, dkey, now);
			}
			out = last_out;
			if (out != MAC_TABLE_MISS) {
				if (G_UNLIKELY(out == in)) {
					ctr[L2_HUB_DROPPED_HAIRPIN]++;
					continue;
				}
				pos = port_set_at(&h->ports, out);
				if (G_LIKELY(pos != PORT_SET_NONE)) {
					if (plain) {
						port_run_add(&h->ports, dev, &run, pos, b);
						unicast++;
					} else {
						unicast += l2_hub_unicast(h, dev, ctr, &run, pos,
									  b, &f);
					}
					continue;
				}
			}
		}
		port_run_end(&run);
		if (plain)
			l2_hub_flood_plain(h, dev, ctr, in_pos, b);
		else
			l2_hub_flood(h, dev, ctr, in_pos, b, &f);
	}
	port_run_end(&run);
	ctr[L2_HUB_FORWARDED_UNICAST] += unicast;
	port_set_flush(&h->ports, dev);
}

static const struct pk_device_ops l2_hub_ops = {
	.init = l2_hub_init,
	.start = l2_hub_start,
	.stop = l2_hub_stop,
	.finalize = l2_hub_finalize,
	.reconfigure = l2_hub_reconfigure,
	.receive = l2_hub_receive,
	.link = l2_hub_link,
	.unlink = l2_hub_unlink,
	.status = l2_hub_status_write,
	.port_event = l2_hub_port_event,
};

#define L2_HUB_DOC                                                                              \
	"A learning Ethernet switch. Link any number of L2 devices to its ports "                  \
	"(\"hub.port\" takes the next free one). Each frame's source address is learned "         \
	"together with its VLAN and the port it came in on; a frame is then sent only to the "    \
	"port its destination was learned on, and flooded to every other port of its VLAN when " \
	"the destination is broadcast, multicast or unknown. A frame whose destination was "      \
	"learned on the port it came in on is dropped (dropped-hairpin), not flooded back. "      \
	"Frames with a multicast source address are dropped and never learned.\n\n"               \
	"Every frame refreshes its source's entry; an entry is forgotten 'aging' after the "      \
	"last frame from that address (and immediately when its port is unlinked, or when the "  \
	"device on that port sends a flush port event, as io.qemu-listen does when a guest "      \
	"disconnects). The status lists the MAC table (VLAN, MAC, port, age). When "              \
	"'mac-table-size' addresses are known, new ones are not learned until entries age "      \
	"out; their frames are flooded and counted as mac-table-full. Stopping the device "       \
	"forgets every entry.\n\n"                                                                \
	"VLANs (802.1Q): ports without a record in 'vlans' are VLAN-transparent: untagged "       \
	"frames form one broadcast domain and a frame tagged with VID v belongs to VLAN v, so "   \
	"frames pass between transparent ports unchanged. An access port belongs to one VLAN: "  \
	"its frames arrive and leave untagged, tagged frames from it are dropped. A trunk "       \
	"carries the VLANs listed in 'allowed' (all if empty) tagged, and its native VLAN "       \
	"'vlan' untagged (without one, untagged frames are dropped). A frame from an access "     \
	"port leaves transparent ports and trunks tagged with its VLAN; frames never cross "      \
	"from one VLAN to another. Priority-tagged frames (VID 0) count as untagged; VID 4095 "   \
	"is dropped. Changing 'vlans' while running clears the MAC table.\n\n"                     \
	"Flooding shares one buffer among the ports that take the same form of a frame; a "      \
	"receiver that modifies it works on its own copy.\n\n"                                     \
	"The ports accept segmentation offload: a TCP super-frame (up to 64 KB, from an io.tap "  \
	"with 'offload') is switched and flooded whole, tags added or removed like any frame, "    \
	"since only the Ethernet header is read; it is cut into segments in front of the first "  \
	"port that cannot take it."

const struct pk_device_type l2_hub_type = {
	.name = "l2.hub",
	.summary = "Learning Ethernet switch with MAC aging and 802.1Q VLANs",
	.doc = L2_HUB_DOC,
	PK_ARRAY(ports, l2_hub_ports),
	PK_ARRAY(params, l2_hub_params),
	PK_ARRAY(counters, l2_hub_counters),
	.config_size = sizeof(struct l2_hub_config),
	.instance_size = sizeof(struct l2_hub),
	.ops = &l2_hub_ops,
	PK_ARRAY(status, l2_hub_status),
	PK_ARRAY(status_tables, l2_hub_status_tables),
};
