/*
 * Unit tests of the X-Hub-Signature-256 check. The expected digests were
 * computed with `openssl dgst -sha256 -hmac` over the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "wa_signature.h"

#define SECRET "app-secret-for-tests"

/* Meta's escapes: "\/" and "\u00e9", exactly as on the wire. */
static const char escaped_body[] =
    "{\"text\":{\"body\":\"Caf\\u00e9 https:\\/\\/hito.example\"}}";
/* The same text as raw UTF-8 bytes, as a re-serialiser would write it. */
static const char utf8_body[] =
    "{\"text\":{\"body\":\"Caf\xc3\xa9 https://hito.example\"}}";

static int verify(const char *body, const char *header, struct hito_error *err)
{
    return wa_signature_verify((const unsigned char *)SECRET, strlen(SECRET),
                               body, strlen(body), header, err);
}

static void signature_matches_escaped_body(void **state)
{
    char header[WA_SIGNATURE_SIZE];

    (void)state;
    assert_int_equal(wa_signature_compute((const unsigned char *)SECRET,
                                          strlen(SECRET), escaped_body,
                                          strlen(escaped_body), header),
                     HITO_OK);
    assert_int_equal(verify(escaped_body, header, NULL), HITO_OK);
}

static void signature_known_digest(void **state)
{
    char header[WA_SIGNATURE_SIZE];

    (void)state;
    wa_signature_compute((const unsigned char *)"key", 3, "body", 4, header);
    assert_string_equal(header, "sha256=515aae133b435d4000956731f68ae5cf5eb85"
                                "d4f0dc6a546d2bfcd3595ec1ae1");
}

static void signature_reserialised_body_fails(void **state)
{
    char header[WA_SIGNATURE_SIZE];
    struct hito_error err = { 0 };

    (void)state;
    wa_signature_compute((const unsigned char *)SECRET, strlen(SECRET),
                         escaped_body, strlen(escaped_body), header);
    assert_int_equal(verify(utf8_body, header, &err), HITO_ERR_AUTH);
    assert_non_null(strstr(err.message, "mismatch"));
}

static void signature_multibyte_body(void **state)
{
    char header[WA_SIGNATURE_SIZE];

    (void)state;
    wa_signature_compute((const unsigned char *)SECRET, strlen(SECRET),
                         utf8_body, strlen(utf8_body), header);
    assert_int_equal(verify(utf8_body, header, NULL), HITO_OK);
}

static void signature_uppercase_hex_accepted(void **state)
{
    char header[WA_SIGNATURE_SIZE];

    (void)state;
    wa_signature_compute((const unsigned char *)SECRET, strlen(SECRET),
                         escaped_body, strlen(escaped_body), header);
    for (char *p = header + 7; *p != '\0'; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(verify(escaped_body, header, NULL), HITO_OK);
}

static void signature_wrong_secret(void **state)
{
    char header[WA_SIGNATURE_SIZE];
    struct hito_error err = { 0 };

    (void)state;
    wa_signature_compute((const unsigned char *)"other", 5, escaped_body,
                         strlen(escaped_body), header);
    assert_int_equal(verify(escaped_body, header, &err), HITO_ERR_AUTH);
    assert_null(strstr(err.message, SECRET));
}

static void signature_missing_header(void **state)
{
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(verify(escaped_body, NULL, &err), HITO_ERR_AUTH);
    assert_non_null(strstr(err.message, "missing"));
    assert_int_equal(verify(escaped_body, "", &err), HITO_ERR_AUTH);
}

static void signature_malformed_header(void **state)
{
    static const char *const headers[] = {
        "sha1=0123456789abcdef0123456789abcdef01234567",
        "sha256=",
        "sha256=xyz",
        "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
        "ef00",
        "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcg",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    };
    struct hito_error err = { 0 };

    (void)state;
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        assert_int_equal(verify(escaped_body, headers[i], &err), HITO_ERR_AUTH);
        assert_non_null(strstr(err.message, "malformed"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature_matches_escaped_body),
        cmocka_unit_test(signature_known_digest),
        cmocka_unit_test(signature_reserialised_body_fails),
        cmocka_unit_test(signature_multibyte_body),
        cmocka_unit_test(signature_uppercase_hex_accepted),
        cmocka_unit_test(signature_wrong_secret),
        cmocka_unit_test(signature_missing_header),
        cmocka_unit_test(signature_malformed_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
