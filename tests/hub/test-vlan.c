// SPDX-License-Identifier: MIT
/* test-vlan.c - Unit tests of l2.hub's 802.1Q rules: VLAN lists, ingress, egress, reforming */
#include <string.h>

#include <pktkit/error.h>

#include "vlan.h"

static void test_list_parse(void)
{
	uint64_t bits[VLAN_BITMAP_WORDS];
	GError *error = NULL;
	bool all;

	g_assert_true(vlan_list_parse(NULL, bits, &all, &error));
	g_assert_true(all);
	g_assert_true(vlan_bit(bits, 1) && vlan_bit(bits, 4094));
	g_assert_true(vlan_list_parse("", bits, &all, &error));
	g_assert_true(all);

	g_assert_true(vlan_list_parse("10,20, 100-199 ,4094", bits, &all, &error));
	g_assert_no_error(error);
	g_assert_false(all);
	for (uint32_t v = 0; v < 4096; v++)
		g_assert_cmpint(vlan_bit(bits, v), ==,
				v == 10 || v == 20 || (v >= 100 && v <= 199) || v == 4094);
	g_assert_true(vlan_list_parse("7-7", bits, &all, &error));
	g_assert_true(vlan_bit(bits, 7) && !vlan_bit(bits, 8) && !vlan_bit(bits, 6));

	static const char *const bad[] = {
		"0", "4095", "1-4095", "5-2", "a", "10,", ",10", "10;20", "10--20", "-5", "1 2",
		"99999999999999999999",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(vlan_list_parse(bad[i], bits, &all, &error));
		g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
		g_clear_error(&error);
	}
}

static const uint64_t *bitmap_of(uint64_t *bits, const char *text)
{
	bool all;

	g_assert_true(vlan_list_parse(text, bits, &all, NULL));
	return all ? NULL : bits;
}

static void test_ingress(void)
{
	uint64_t bits[VLAN_BITMAP_WORDS];
	const struct vlan_port transparent = { VLAN_TRANSPARENT, 0, NULL };
	const struct vlan_port access = { VLAN_ACCESS, 10, NULL };
	const struct vlan_port trunk = { VLAN_TRUNK, 30, bitmap_of(bits, "10,20") };
	const struct vlan_port trunk_no_native = { VLAN_TRUNK, 0, NULL };
	struct vlan_frame f;

#define IN(port, tagged_, vid_, ok, want)                              \
	do {                                                           \
		f = (struct vlan_frame){ .tagged = (tagged_), .tag_vid = (vid_) }; \
		g_assert_cmpint(vlan_ingress(&(port), &f), ==, (ok));  \
		if (ok)                                                \
			g_assert_cmpuint(f.vlan, ==, (want));          \
	} while (0)

	IN(transparent, false, 0, true, 0);
	IN(transparent, true, 0, true, 0);	/* priority tag */
	IN(transparent, true, 55, true, 55);
	IN(transparent, true, 4095, false, 0);
	IN(access, false, 0, true, 10);
	IN(access, true, 0, true, 10);
	IN(access, true, 10, false, 0);	/* even its own VID */
	IN(trunk, true, 10, true, 10);
	IN(trunk, true, 20, true, 20);
	IN(trunk, true, 30, true, 30);	/* native, tagged */
	IN(trunk, true, 40, false, 0);
	IN(trunk, false, 0, true, 30);
	IN(trunk, true, 0, true, 30);
	IN(trunk_no_native, false, 0, false, 0);
	IN(trunk_no_native, true, 4094, true, 4094);
#undef IN
}

static void test_egress(void)
{
	uint64_t bits[VLAN_BITMAP_WORDS];
	const struct vlan_port transparent = { VLAN_TRANSPARENT, 0, NULL };
	const struct vlan_port access = { VLAN_ACCESS, 10, NULL };
	const struct vlan_port trunk = { VLAN_TRUNK, 30, bitmap_of(bits, "10,20") };
	const struct vlan_frame untagged0 = { 0, false, 0 };
	const struct vlan_frame prio0 = { 0, true, 0 };
	const struct vlan_frame untagged10 = { 10, false, 0 };
	const struct vlan_frame prio10 = { 10, true, 0 };
	const struct vlan_frame tagged10 = { 10, true, 10 };
	const struct vlan_frame untagged30 = { 30, false, 0 };
	const struct vlan_frame tagged30 = { 30, true, 30 };
	const struct vlan_frame tagged40 = { 40, true, 40 };

	g_assert_cmpint(vlan_egress(&transparent, &untagged0), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&transparent, &prio0), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&transparent, &untagged10), ==, VLAN_FORM_TAGGED);
	g_assert_cmpint(vlan_egress(&transparent, &prio10), ==, VLAN_FORM_TAGGED);
	g_assert_cmpint(vlan_egress(&transparent, &tagged10), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&access, &untagged0), ==, VLAN_FORM_NONE);
	g_assert_cmpint(vlan_egress(&access, &untagged10), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&access, &prio10), ==, VLAN_FORM_UNTAGGED);
	g_assert_cmpint(vlan_egress(&access, &tagged10), ==, VLAN_FORM_UNTAGGED);
	g_assert_cmpint(vlan_egress(&access, &tagged30), ==, VLAN_FORM_NONE);
	g_assert_cmpint(vlan_egress(&trunk, &untagged0), ==, VLAN_FORM_NONE);
	g_assert_cmpint(vlan_egress(&trunk, &untagged10), ==, VLAN_FORM_TAGGED);
	g_assert_cmpint(vlan_egress(&trunk, &tagged10), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&trunk, &untagged30), ==, VLAN_FORM_ORIG);
	g_assert_cmpint(vlan_egress(&trunk, &tagged30), ==, VLAN_FORM_UNTAGGED);
	g_assert_cmpint(vlan_egress(&trunk, &tagged40), ==, VLAN_FORM_NONE);
}

static void test_reform_copy(void)
{
	const uint8_t untagged[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0xaa, 0xbb };
	const uint8_t tagged[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0xa0, 0x05,
				   0x08, 0x00, 0xaa, 0xbb };
	struct pk_buf *u = pk_buf_new_copy(untagged, sizeof(untagged));
	struct pk_buf *t = pk_buf_new_copy(tagged, sizeof(tagged));
	struct vlan_frame fu = { 0x123, false, 0 }, ft = { 0x123, true, 5 };
	struct pk_buf *n;
	uint8_t want[32];

	/* Push: PCP 0, VID of the frame's VLAN. */
	n = vlan_reform_copy(u, &fu, VLAN_FORM_TAGGED);
	memcpy(want, untagged, 12);
	memcpy(want + 12, "\x81\x00\x01\x23", 4);
	memcpy(want + 16, untagged + 12, 4);
	g_assert_cmpmem(pk_buf_data(n), pk_buf_len(n), want, 20);
	pk_buf_unref(n);
	/* Rewrite: priority 5 and DEI kept, VID replaced. */
	n = vlan_reform_copy(t, &ft, VLAN_FORM_TAGGED);
	memcpy(want, tagged, sizeof(tagged));
	want[14] = 0xa1;
	want[15] = 0x23;
	g_assert_cmpmem(pk_buf_data(n), pk_buf_len(n), want, sizeof(tagged));
	pk_buf_unref(n);
	/* Pop. */
	n = vlan_reform_copy(t, &ft, VLAN_FORM_UNTAGGED);
	memcpy(want, tagged, 12);
	memcpy(want + 12, tagged + 16, 4);
	g_assert_cmpmem(pk_buf_data(n), pk_buf_len(n), want, 16);
	pk_buf_unref(n);
	/* Originals untouched. */
	g_assert_cmpmem(pk_buf_data(u), pk_buf_len(u), untagged, sizeof(untagged));
	g_assert_cmpmem(pk_buf_data(t), pk_buf_len(t), tagged, sizeof(tagged));
	pk_buf_unref(u);
	pk_buf_unref(t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hub/vlan/list-parse", test_list_parse);
	g_test_add_func("/hub/vlan/ingress", test_ingress);
	g_test_add_func("/hub/vlan/egress", test_egress);
	g_test_add_func("/hub/vlan/reform-copy", test_reform_copy);
	return g_test_run();
}
