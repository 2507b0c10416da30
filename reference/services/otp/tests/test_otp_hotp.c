/* HOTP and TOTP against the published vectors of RFC 4226 and RFC 6238,
 * and base32 against RFC 4648. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "otp_hotp.h"

static const unsigned char sha1_key[] = "12345678901234567890";
static const unsigned char sha256_key[] = "12345678901234567890123456789012";
static const unsigned char sha512_key[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static void hotp_rfc4226_vectors(void **state)
{
    /* RFC 4226 appendix D: counters 0 to 9. */
    static const long expected[] = { 755224, 287082, 359152, 969429, 338314,
                                     254676, 287922, 162583, 399871, 520489 };

    (void)state;
    for (uint64_t counter = 0; counter < 10; counter++)
        assert_int_equal(otp_hotp(OTP_HOTP_SHA1, sha1_key, 20, counter, 6),
                         expected[counter]);
}

struct totp_vector {
    long long time;
    long sha1, sha256, sha512;
};

static void totp_rfc6238_vectors(void **state)
{
    /* RFC 6238 appendix B: 8 digits, 30 s steps, T0 = 0. */
    static const struct totp_vector vectors[] = {
        { 59, 94287082, 46119246, 90693936 },
        { 1111111109, 7081804, 68084774, 25091201 },
        { 1111111111, 14050471, 67062674, 99943326 },
        { 1234567890, 89005924, 91819424, 93441116 },
        { 2000000000, 69279037, 90698825, 38618901 },
        { 20000000000LL, 65353130, 77737706, 47863826 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        uint64_t step = (uint64_t)otp_totp_step(vectors[i].time, 0, 30);

        assert_int_equal(otp_hotp(OTP_HOTP_SHA1, sha1_key, 20, step, 8),
                         vectors[i].sha1);
        assert_int_equal(otp_hotp(OTP_HOTP_SHA256, sha256_key, 32, step, 8),
                         vectors[i].sha256);
        assert_int_equal(otp_hotp(OTP_HOTP_SHA512, sha512_key, 64, step, 8),
                         vectors[i].sha512);
    }
}

static void totp_step_boundaries(void **state)
{
    (void)state;
    assert_int_equal(otp_totp_step(29, 0, 30), 0);
    assert_int_equal(otp_totp_step(30, 0, 30), 1);
    assert_int_equal(otp_totp_step(59, 0, 30), 1);
}

static void hotp_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_true(otp_hotp(OTP_HOTP_SHA1, sha1_key, 0, 0, 6) < 0);
    assert_true(otp_hotp(OTP_HOTP_SHA1, sha1_key, 20, 0, 5) < 0);
    assert_true(otp_hotp(OTP_HOTP_SHA1, sha1_key, 20, 0, 10) < 0);
}

static void hotp_format_keeps_leading_zeros(void **state)
{
    char out[16];

    (void)state;
    otp_hotp_format(7081804, 8, out, sizeof(out));
    assert_string_equal(out, "07081804");
}

static void base32_rfc4648_vectors(void **state)
{
    static const char *plain[] = { "",     "f",     "fo",    "foo",
                                   "foob", "fooba", "foobar" };
    static const char *encoded[] = { "",          "MY",      "MZXQ",
                                     "MZXW6",     "MZXW6YQ", "MZXW6YTB",
                                     "MZXW6YTBOI" };
    char out[32];
    unsigned char decoded[32];

    (void)state;
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        size_t len = strlen(plain[i]);

        assert_int_equal(otp_base32_encode((const unsigned char *)plain[i], len,
                                           out, sizeof(out)),
                         (int)strlen(encoded[i]));
        assert_string_equal(out, encoded[i]);
        assert_int_equal(
            otp_base32_decode(encoded[i], decoded, sizeof(decoded)), (int)len);
        assert_memory_equal(decoded, plain[i], len);
    }
}

static void base32_decode_accepts_padding_and_case(void **state)
{
    unsigned char decoded[16];

    (void)state;
    assert_int_equal(otp_base32_decode("mzxw6===", decoded, sizeof(decoded)),
                     3);
    assert_memory_equal(decoded, "foo", 3);
}

static void base32_decode_rejects_bad_input(void **state)
{
    unsigned char decoded[2];

    (void)state;
    assert_int_equal(otp_base32_decode("MZ1W", decoded, sizeof(decoded)),
                     HITO_ERR_INVALID);
    assert_int_equal(otp_base32_decode("MZXW6YTB", decoded, sizeof(decoded)),
                     HITO_ERR_LIMIT);
}

static void base32_encode_rejects_small_buffer(void **state)
{
    char out[4];

    (void)state;
    assert_int_equal(
        otp_base32_encode((const unsigned char *)"foo", 3, out, sizeof(out)),
        HITO_ERR_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hotp_rfc4226_vectors),
        cmocka_unit_test(totp_rfc6238_vectors),
        cmocka_unit_test(totp_step_boundaries),
        cmocka_unit_test(hotp_rejects_bad_arguments),
        cmocka_unit_test(hotp_format_keeps_leading_zeros),
        cmocka_unit_test(base32_rfc4648_vectors),
        cmocka_unit_test(base32_decode_accepts_padding_and_case),
        cmocka_unit_test(base32_decode_rejects_bad_input),
        cmocka_unit_test(base32_encode_rejects_small_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
