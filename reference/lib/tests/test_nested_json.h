/*
 * test_nested_json.h - a builder of deeply nested JSON text, shared by the
 * json_guard and httpd unit tests. Include it after <cmocka.h>.
 */
#ifndef HITO_TEST_NESTED_JSON_H
#define HITO_TEST_NESTED_JSON_H

#include <stdlib.h>
#include <string.h>

/* Builds depth opening brackets (open), then depth closing ones (close).
 * The caller frees the result. */
static inline char *test_nested_json(size_t depth, char open, char close)
{
    char *text = malloc(2 * depth + 1);

    assert_non_null(text);
    memset(text, open, depth);
    memset(text + depth, close, depth);
    text[2 * depth] = '\0';
    return text;
}

#endif
