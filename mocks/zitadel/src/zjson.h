/*
 * zjson.h - ZITADEL's JSON conventions for the emulator.
 *
 * ZITADEL v2.40 serves its gRPC API as JSON through grpc-gateway: output keys
 * are lowerCamelCase, zero values and enum values numbered 0 are omitted,
 * 64-bit integers are strings, and errors have the shape
 * {"code":<gRPC code>,"message":"<text> (<ID>)","details":[...]}.
 * Input accepts lowerCamelCase and snake_case keys alike.
 */
#ifndef ZITADEL_ZJSON_H
#define ZITADEL_ZJSON_H

#include <stddef.h>
#include <jansson.h>

/* gRPC status codes that ZITADEL's errors use. */
enum zjson_grpc {
    ZGRPC_INVALID_ARGUMENT = 3,
    ZGRPC_NOT_FOUND = 5,
    ZGRPC_ALREADY_EXISTS = 6,
    ZGRPC_PERMISSION_DENIED = 7,
    ZGRPC_RESOURCE_EXHAUSTED = 8,
    ZGRPC_FAILED_PRECONDITION = 9,
    ZGRPC_UNIMPLEMENTED = 12,
    ZGRPC_INTERNAL = 13,
    ZGRPC_UNAVAILABLE = 14,
    ZGRPC_UNAUTHENTICATED = 16
};

/* Longest camelCase key the input conversion accepts. */
#define ZJSON_MAX_KEY 128
/* Deepest nesting the input conversion accepts. */
#define ZJSON_MAX_DEPTH 16

/* Returns the HTTP status grpc-gateway maps a gRPC code to. */
int zjson_http_status(int grpc_code);

/*
 * Builds an error body. With id NULL the message is sent as is (ZITADEL's
 * "auth header missing" has no id); else it becomes "<text> (<id>)" and the
 * details array carries {"@type", "id", "message"}. The caller owns the
 * result; NULL when out of memory.
 */
json_t *zjson_error(int grpc_code, const char *id, const char *text);

/*
 * Converts snake_case keys of an input document to lowerCamelCase, in place
 * and recursively. Returns 0, or -1 when a key is longer than ZJSON_MAX_KEY
 * or the document nests deeper than ZJSON_MAX_DEPTH.
 */
int zjson_camel_keys(json_t *doc);

/*
 * Returns a deep copy of an internal object fit for output: keys starting
 * with '_' are dropped, as are false, 0, "", empty arrays, empty objects
 * and enum values numbered 0 (see zjson_is_default_enum). Strings of digits
 * stay strings. The caller owns the copy; NULL when out of memory.
 */
json_t *zjson_public(const json_t *value);

/* Returns nonzero when s names an enum value numbered 0 in ZITADEL's protos. */
int zjson_is_default_enum(const char *s);

/* Builds the details object: sequence as a string, RFC 3339 dates. */
json_t *zjson_details(long long sequence, double created, double changed,
                      const char *resource_owner);

/* Formats seconds since the epoch as RFC 3339 UTC with microseconds. */
void zjson_time(double t, char *buf, size_t size);

/* Returns the string member key of obj, or fallback when absent or not a string. */
const char *zjson_str(const json_t *obj, const char *key, const char *fallback);

/*
 * Returns the uint64 member key of obj, which the API sends as a string and
 * accepts as a number too; 0 when absent or malformed.
 */
long long zjson_uint(const json_t *obj, const char *key);

/* Returns the boolean member key of obj (0 when absent or not a boolean). */
int zjson_bool(const json_t *obj, const char *key);

#endif
