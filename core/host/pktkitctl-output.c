// SPDX-License-Identifier: MIT
/* pktkitctl-output.c - pktkitctl's output: aligned tables for people, JSON for scripts */
#include <stdio.h>
#include <string.h>

#include "pktkitctl.h"

void ctl_table_print(GPtrArray *rows)
{
	g_autofree size_t *width = NULL;
	guint cols;

	if (rows->len == 0)
		return;
	cols = g_strv_length(g_ptr_array_index(rows, 0));
	width = g_new0(size_t, cols);
	for (guint r = 0; r < rows->len; r++) {
		char **row = g_ptr_array_index(rows, r);

		for (guint i = 0; i < cols && row[i]; i++)
			width[i] = MAX(width[i], (size_t)g_utf8_strlen(row[i], -1));
	}
	for (guint r = 0; r < rows->len; r++) {
		char **row = g_ptr_array_index(rows, r);

		for (guint i = 0; i < cols && row[i]; i++) {
			if (i + 1 == cols)
				printf("%s", row[i]);
			else
				printf("%-*s  ", (int)width[i], row[i]);
		}
		printf("\n");
	}
}

void ctl_json_print(JsonNode *node)
{
	g_autofree char *text = json_to_string(node, TRUE);

	printf("%s\n", text);
}

void ctl_variant_print(GVariant *v)
{
	g_autoptr(JsonNode) node = json_gvariant_serialize(v);

	ctl_json_print(node);
}

char *ctl_value_text(GVariant *v)
{
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
		return g_variant_dup_string(v, NULL);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(v);

		return ctl_value_text(inner);
	}
	if (g_variant_is_container(v)) {
		g_autoptr(JsonNode) node = json_gvariant_serialize(v);

		return json_to_string(node, FALSE);
	}
	return g_variant_print(v, FALSE);
}
