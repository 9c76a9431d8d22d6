/* SPDX-License-Identifier: MIT
 * vlan.h - 802.1Q port roles of l2.hub: ingress classification, egress form, tag rewriting
 *
 * Every frame inside the hub belongs to one VLAN, 1..4094, or to VLAN 0,
 * the untagged domain of VLAN-transparent ports. A port is
 *
 *   transparent (no record): untagged and priority-tagged frames are VLAN 0,
 *		a frame tagged with VID v is VLAN v; egress: VLAN 0 leaves as it
 *		came, VLAN v leaves tagged v. Between transparent ports frames
 *		thus pass unchanged; the port is a member of every VLAN.
 *   access X:	untagged (and priority-tagged) frames are VLAN X, frames
 *		tagged with a VID are dropped; egress: only VLAN X, untagged.
 *   trunk:	frames tagged with an allowed VID keep it; untagged frames are
 *		the native VLAN (dropped if there is none); egress: allowed
 *		VLANs and the native one, tagged except the native one.
 *
 * A frame whose outer TPID is not 0x8100 (e.g. an 802.1ad S-tag) is an
 * untagged frame for this purpose. VID 4095 is reserved and always dropped.
 */
#ifndef PK_HUB_VLAN_H
#define PK_HUB_VLAN_H

#include <pktkit/device-runtime.h>
#include <pktkit/eth.h>

/* VLAN ids are 12 bits; a bitmap of all of them is 64 words. */
#define VLAN_ID_MAX 4094u
#define VLAN_BITMAP_WORDS 64u

enum vlan_mode {
	VLAN_TRANSPARENT = 0,
	VLAN_ACCESS = 1,
	VLAN_TRUNK = 2,
};

/**
 * struct vlan_port - VLAN role of one hub port
 * @mode:	enum vlan_mode
 * @vid:	Access VLAN, or native VLAN of a trunk (0: none)
 * @allowed:	Trunk: bitmap of allowed VIDs, NULL for all; owned elsewhere
 */
struct vlan_port {
	uint32_t mode;
	uint32_t vid;
	const uint64_t *allowed;
};

/* The form a frame must take to leave through a port. */
enum vlan_form {
	VLAN_FORM_NONE = 0,	/* the port is not a member of the frame's VLAN */
	VLAN_FORM_ORIG,		/* exactly as received */
	VLAN_FORM_TAGGED,	/* with an 802.1Q tag carrying the frame's VLAN */
	VLAN_FORM_UNTAGGED,	/* without a tag */
};

/**
 * struct vlan_frame - What the hub knows of a frame's tag
 * @vlan:	VLAN the frame belongs to inside the hub (0..4094)
 * @tagged:	The frame carries an outer 0x8100 tag
 * @tag_vid:	Its VID (0 for a priority tag), when @tagged
 */
struct vlan_frame {
	uint32_t vlan;
	bool tagged;
	uint32_t tag_vid;
};

/**
 * vlan_list_parse() - Parse a list of VLAN ids such as "10,20,100-199"
 * @text:	Comma-separated ids (1..4094) and ranges "a-b"; spaces allowed.
 *		NULL or "" means every VLAN.
 * @bits:	VLAN_BITMAP_WORDS words, filled (bit v set for each allowed v)
 * @all:	Out: true for NULL / "" (then @bits has every VID set)
 * @error:	Why the text was refused (bad number, range reversed, out of range)
 *
 * Context: cold.
 * Return: true on success.
 */
bool vlan_list_parse(const char *text, uint64_t *bits, bool *all, GError **error);

static inline bool vlan_bit(const uint64_t *bits, uint32_t vid)
{
	return (bits[vid >> 6] >> (vid & 63)) & 1;
}

/* Whether a trunk carries @vid (the native VLAN always counts). */
static inline bool vlan_trunk_carries(const struct vlan_port *p, uint32_t vid)
{
	return vid == p->vid || !p->allowed || vlan_bit(p->allowed, vid);
}

/**
 * vlan_ingress() - The VLAN of a frame arriving on a port
 * @p:		Ingress port
 * @f:		Frame; @tagged and @tag_vid set, @vlan filled in
 *
 * Context: owner context, hot path.
 * Return: false if the port does not accept the frame (count dropped-vlan).
 */
static inline bool vlan_ingress(const struct vlan_port *p, struct vlan_frame *f)
{
	bool vid_tagged = f->tagged && f->tag_vid != 0;

	if (G_UNLIKELY(f->tagged && f->tag_vid == 4095))
		return false;
	switch (p->mode) {
	case VLAN_ACCESS:
		f->vlan = p->vid;
		return !vid_tagged;
	case VLAN_TRUNK:
		if (vid_tagged) {
			f->vlan = f->tag_vid;
			return vlan_trunk_carries(p, f->tag_vid);
		}
		f->vlan = p->vid;
		return p->vid != 0;
	default:
		f->vlan = vid_tagged ? f->tag_vid : 0;
		return true;
	}
}

/**
 * vlan_egress() - The form a frame takes leaving through a port
 * @p:		Egress port
 * @f:		Classified frame
 *
 * Context: owner context, hot path.
 * Return: VLAN_FORM_NONE if the port is not in the frame's VLAN; otherwise
 * ORIG whenever the received bytes already have the required form.
 */
static inline enum vlan_form vlan_egress(const struct vlan_port *p, const struct vlan_frame *f)
{
	bool want_tag;

	switch (p->mode) {
	case VLAN_ACCESS:
		if (f->vlan != p->vid)
			return VLAN_FORM_NONE;
		want_tag = false;
		break;
	case VLAN_TRUNK:
		if (f->vlan == 0 || !vlan_trunk_carries(p, f->vlan))
			return VLAN_FORM_NONE;
		want_tag = f->vlan != p->vid;
		break;
	default:
		if (f->vlan == 0)
			return VLAN_FORM_ORIG;	/* untagged domain: as it came */
		want_tag = true;
		break;
	}
	if (want_tag)
		return f->tagged && f->tag_vid == f->vlan ? VLAN_FORM_ORIG : VLAN_FORM_TAGGED;
	return f->tagged ? VLAN_FORM_UNTAGGED : VLAN_FORM_ORIG;
}

/**
 * vlan_reform_inplace() - Give a frame a form, writing through pk_buf_writable()
 * @dev:	Device (for pk_buf_writable())
 * @b:		Frame, borrowed
 * @f:		Its classification
 * @form:	VLAN_FORM_TAGGED or VLAN_FORM_UNTAGGED
 *
 * @b itself is changed if nobody else holds it, otherwise a dispatch-owned
 * copy is (as is a new buffer when @b lacks the headroom for a tag).
 *
 * Context: owner context, hot path.
 * Return: the frame in the requested form, borrowed like @b, or NULL without
 * memory.
 */
struct pk_buf *vlan_reform_inplace(struct pk_dev *dev, struct pk_buf *b,
				   const struct vlan_frame *f, enum vlan_form form);

/**
 * vlan_reform_copy() - A new frame with the given form, @b left untouched
 * @b:		Frame
 * @f:		Its classification
 * @form:	VLAN_FORM_TAGGED or VLAN_FORM_UNTAGGED
 *
 * The copy keeps @b's offload metadata (GSO, partial checksum start moved
 * with the payload).
 *
 * Context: owner context, hot path (takes one pool buffer).
 * Return: a buffer with one reference owned by the caller, or NULL.
 */
struct pk_buf *vlan_reform_copy(const struct pk_buf *b, const struct vlan_frame *f,
				enum vlan_form form);

#endif /* PK_HUB_VLAN_H */
