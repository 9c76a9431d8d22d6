/* SPDX-License-Identifier: MIT
 * fuzz-wg-conf.c - libFuzzer target: the WireGuard configuration file parser and writer (modules/wg/wg-conf.c)
 *
 * Input: the text of a configuration file. It either parses, or fails with
 * PK_ERROR_INVALID and a message starting "line N: " (N within the text) or
 * naming the missing [Interface], leaving nothing behind. What parses is
 * formatted (with secrets) and parsed again: the same configuration comes
 * back, and formatting that gives the same text (the writer's form is a fixed
 * point). Formatting without secrets and with only wg(8)'s keys parses too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/error.h>

#include "wg-conf.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool list_equal(const GPtrArray *a, const GPtrArray *b)
{
	if (a->len != b->len)
		return false;
	for (guint i = 0; i < a->len; i++)
		if (strcmp(g_ptr_array_index(a, i), g_ptr_array_index(b, i)) != 0)
			return false;
	return true;
}

static bool conf_equal(const struct wg_conf *a, const struct wg_conf *b)
{
	if (a->has_private_key != b->has_private_key ||
	    memcmp(a->private_key, b->private_key, WG_CONF_KEY_LEN) != 0 ||
	    a->has_listen_port != b->has_listen_port || a->listen_port != b->listen_port ||
	    a->fwmark != b->fwmark || a->mtu != b->mtu || !list_equal(a->addresses, b->addresses) ||
	    !list_equal(a->dns, b->dns) || a->peers->len != b->peers->len)
		return false;
	for (guint i = 0; i < a->peers->len; i++) {
		const struct wg_conf_peer *p = g_ptr_array_index(a->peers, i);
		const struct wg_conf_peer *q = g_ptr_array_index(b->peers, i);

		if (memcmp(p->public_key, q->public_key, WG_CONF_KEY_LEN) != 0 ||
		    p->has_psk != q->has_psk || memcmp(p->psk, q->psk, WG_CONF_KEY_LEN) != 0 ||
		    g_strcmp0(p->endpoint, q->endpoint) != 0 ||
		    !list_equal(p->allowed_ips, q->allowed_ips) ||
		    p->persistent_keepalive != q->persistent_keepalive)
			return false;
	}
	return true;
}

static unsigned count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_conf c, back, weak;
	GError *error = NULL;
	char *text, *again, *other;
	unsigned line;

	if (size > 65536)
		return 0;
	if (!wg_conf_parse((const char *)data, size, &c, &error)) {
		FUZZ_CHECK(g_error_matches(error, PK_ERROR, PK_ERROR_INVALID));
		FUZZ_CHECK(c.peers == NULL && c.addresses == NULL);
		if (sscanf(error->message, "line %u: ", &line) == 1)
			FUZZ_CHECK(line >= 1 && line <= count_lines(data, size));
		else
			FUZZ_CHECK(g_str_has_prefix(error->message, "no [Interface] section"));
		FUZZ_CHECK(g_utf8_validate(error->message, -1, NULL));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(error == NULL);

	text = wg_conf_format(&c, WG_CONF_SECRETS);
	FUZZ_CHECK(wg_conf_parse(text, strlen(text), &back, NULL));
	FUZZ_CHECK(conf_equal(&c, &back));
	FUZZ_CHECK(back.ignored->len == 0);
	again = wg_conf_format(&back, WG_CONF_SECRETS);
	FUZZ_CHECK(strcmp(text, again) == 0);

	other = wg_conf_format(&c, WG_CONF_WG_ONLY);
	FUZZ_CHECK(wg_conf_parse(other, strlen(other), &weak, NULL));
	FUZZ_CHECK(!weak.has_private_key && weak.mtu == 0 && weak.addresses->len == 0);
	FUZZ_CHECK(weak.peers->len == c.peers->len);

	wg_conf_clear(&weak);
	wg_conf_clear(&back);
	wg_conf_clear(&c);
	g_free(other);
	g_free(again);
	g_free(text);
	return 0;
}
