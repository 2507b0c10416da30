/*
 * json_guard.h - checks on untrusted JSON text before a recursive parser
 * reads it.
 *
 * jansson 2.14 parses nested arrays and objects recursively, once per
 * level, and a civetweb worker thread's stack overflowed near 1000 levels,
 * so a body of a few kilobytes could stop a service. Every place that
 * parses untrusted JSON (request bodies, token parts, webhook payloads)
 * checks the depth first.
 */
#ifndef HITO_JSON_GUARD_H
#define HITO_JSON_GUARD_H

#include <stddef.h>

/* Maximum nesting of arrays and objects accepted from outside. */
#define JSON_GUARD_MAX_DEPTH 64

/*
 * Checks that the JSON text nests arrays and objects at most max_depth deep,
 * in one pass without recursion. Brackets inside strings, escaped quotes
 * included, do not count. Returns 1 when the depth is within max_depth, else
 * 0. It does not validate the JSON.
 */
int json_guard_depth_ok(const char *text, size_t len, size_t max_depth);

#endif
