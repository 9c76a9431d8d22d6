/* SPDX-License-Identifier: MIT
 * slirp-type.h - The l3.slirp type and its lifecycle methods (slirp-lifecycle.c)
 */
#ifndef PK_SLIRP_TYPE_H
#define PK_SLIRP_TYPE_H

#include <pktkit/pktkit.h>

extern const struct pk_device_type l3_slirp_type;

int slirp_init(struct pk_dev *dev, void *self, const void *config, GError **error);
int slirp_start(struct pk_dev *dev, void *self, GError **error);
void slirp_stop(struct pk_dev *dev, void *self);
void slirp_finalize(struct pk_dev *dev, void *self);
int slirp_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		      GError **error);

#endif /* PK_SLIRP_TYPE_H */
