/* SPDX-License-Identifier: MIT
 * test-devices.h - Small device types for exercising the graph runtime in tests
 */
#ifndef PKTKIT_TEST_DEVICES_H
#define PKTKIT_TEST_DEVICES_H

#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>

/*
 * test.echo   one L2 port "eth": sends every batch back where it came from
 * test.tee    L2 ports "port" (any number): re-emits on every other linked port
 * test.mutate L2 ports "in" and "out": writes 0xee into byte 0 (via
 *             pk_buf_writable) and forwards in -> out
 * test.ticker L2 port "out": every `period` (0: each main-loop iteration) emits one 60-byte frame
 * test.l3sink L3 port "ip": counts
 * test.reader L2 port "out": emits what it reads from the descriptor `fd`
 * test.spawner L2 ports "seg" (up to 16), L3 ports "ip": a `template`
 *             parameter (PK_PF_TEMPLATE) and nothing else; tests call
 *             pk_dev_instantiate() on it
 * test.bounce L2 port "eth": ping-pong with a NEW frame per answer; with
 *             `rounds` it starts at start (timer, delay 0) and stops after
 *             that many rounds; counters "received", "sent"
 */
extern const struct pk_module_info test_devices_module;

/* Lifecycle calls seen, as "start:<id>" / "stop:<id>" / "link:<id>:<port>" ... */
extern GPtrArray *test_devices_log;

/* A registry with the test module added. */
struct pk_registry *test_devices_registry(void);

#endif
