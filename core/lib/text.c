// SPDX-License-Identifier: MIT
/* text.c - Small text helpers shared inside libpktkit ("did you mean" distances) */
#include "runtime.h"

unsigned int pk_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree unsigned int *rows = g_new0(unsigned int, 3 * (lb + 1));
	unsigned int *row0 = rows, *row1 = rows + lb + 1, *row2 = rows + 2 * (lb + 1);

	/* Optimal string alignment: insertions, deletions, substitutions and swaps
	 * of neighbours; rows i-2, i-1 and i of the matrix rotate. */
	for (size_t j = 0; j <= lb; j++)
		row1[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int *tmp;

		row2[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];
			unsigned int d = MIN(MIN(row1[j] + 1, row2[j - 1] + 1), row1[j - 1] + cost);

			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				d = MIN(d, row0[j - 2] + 1);
			row2[j] = d;
		}
		tmp = row0;
		row0 = row1;
		row1 = row2;
		row2 = tmp;
	}
	return row1[lb];
}
