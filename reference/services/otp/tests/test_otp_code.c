/* Code generation (format, rejection sampling, uniformity) and digests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "otp_code.h"
#include "otp_fakes.h"

#define DRAWS 500000
#define BUCKETS 1000
/*
 * Upper bounds for the chi-square statistic, far in the tail so a correct
 * generator cannot fail: for 999 degrees of freedom P(X > 1400) is below
 * 1e-12, for 9 P(X > 60) is below 1e-8 (Wilson-Hilferty estimates).
 */
#define CHI_SQUARE_BOUND_999 1400.0
#define CHI_SQUARE_BOUND_9 60.0

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";

static int openssl_random(unsigned char *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static int failing_random(unsigned char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return -1;
}

static double chi_square(const long *counts, int buckets, long draws)
{
    double expected = (double)draws / buckets;
    double sum = 0;

    for (int i = 0; i < buckets; i++) {
        double d = (double)counts[i] - expected;

        sum += d * d / expected;
    }
    return sum;
}

static void generate_six_digits(void **state)
{
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(otp_code_generate(openssl_random, 6, code, NULL), HITO_OK);
    assert_int_equal(strlen(code), 6);
    assert_true(otp_code_is_well_formed(code, 6));
}

static void generate_rejects_bad_length(void **state)
{
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(otp_code_generate(openssl_random, 3, code, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(otp_code_generate(openssl_random, 11, code, NULL),
                     HITO_ERR_INVALID);
}

static void generate_reports_random_failure(void **state)
{
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_int_equal(otp_code_generate(failing_random, 6, code, NULL),
                     HITO_ERR_IO);
}

static void generate_rejects_biased_draw(void **state)
{
    unsigned char high[8], zero[8] = { 0 };
    char code[OTP_CODE_SIZE];

    (void)state;
    /* 2^64 - 1 lies in the incomplete last block, so it is drawn again. */
    memset(high, 0xff, sizeof(high));
    fake_random_reset();
    fake_random_queue(high, sizeof(high));
    fake_random_queue(zero, sizeof(zero));
    assert_int_equal(otp_code_generate(fake_random, 6, code, NULL), HITO_OK);
    assert_string_equal(code, "000000");
}

static void generate_gives_up_after_max_draws(void **state)
{
    unsigned char high[8 * OTP_CODE_MAX_DRAWS];
    char code[OTP_CODE_SIZE];

    (void)state;
    memset(high, 0xff, sizeof(high));
    fake_random_reset();
    fake_random_queue(high, sizeof(high));
    assert_int_equal(otp_code_generate(fake_random, 6, code, NULL),
                     HITO_ERR_IO);
    fake_random_reset();
}

static void generate_keeps_leading_zeros(void **state)
{
    unsigned char seven[8] = { 0, 0, 0, 0, 0, 0, 0, 7 };
    char code[OTP_CODE_SIZE];

    (void)state;
    fake_random_reset();
    fake_random_queue(seven, sizeof(seven));
    assert_int_equal(otp_code_generate(fake_random, 6, code, NULL), HITO_OK);
    assert_string_equal(code, "000007");
}

static void generate_is_uniform(void **state)
{
    long *buckets = calloc(BUCKETS, sizeof(long));
    long digits[6][10] = { { 0 } };
    char code[OTP_CODE_SIZE];

    (void)state;
    assert_non_null(buckets);
    for (long i = 0; i < DRAWS; i++) {
        assert_int_equal(otp_code_generate(openssl_random, 6, code, NULL),
                         HITO_OK);
        buckets[atol(code) / 1000]++;
        for (int d = 0; d < 6; d++)
            digits[d][code[d] - '0']++;
    }
    assert_true(chi_square(buckets, BUCKETS, DRAWS) < CHI_SQUARE_BOUND_999);
    for (int d = 0; d < 6; d++)
        assert_true(chi_square(digits[d], 10, DRAWS) < CHI_SQUARE_BOUND_9);
    free(buckets);
}

static void chi_square_detects_modulo_bias(void **state)
{
    long digits[10] = { 0 };
    unsigned char byte;

    (void)state;
    /* A byte modulo 10 favours 0-5 (26 of 256 values each, not 25): the
     * check above must catch such a generator. */
    for (long i = 0; i < DRAWS; i++) {
        assert_int_equal(openssl_random(&byte, 1), 0);
        digits[byte % 10]++;
    }
    assert_true(chi_square(digits, 10, DRAWS) > CHI_SQUARE_BOUND_9);
}

static void digest_is_deterministic(void **state)
{
    char a[OTP_DIGEST_HEX_SIZE], b[OTP_DIGEST_HEX_SIZE];

    (void)state;
    assert_int_equal(
        otp_code_digest(key, 32, "+34600000001", "login", "123456", a, NULL),
        0);
    assert_int_equal(
        otp_code_digest(key, 32, "+34600000001", "login", "123456", b, NULL),
        0);
    assert_int_equal(strlen(a), 64);
    assert_true(otp_code_digest_equal(a, b));
}

static void digest_binds_subject_purpose_code(void **state)
{
    char base[OTP_DIGEST_HEX_SIZE], other[OTP_DIGEST_HEX_SIZE];

    (void)state;
    otp_code_digest(key, 32, "+34600000001", "login", "123456", base, NULL);
    otp_code_digest(key, 32, "+34600000002", "login", "123456", other, NULL);
    assert_false(otp_code_digest_equal(base, other));
    otp_code_digest(key, 32, "+34600000001", "payment", "123456", other, NULL);
    assert_false(otp_code_digest_equal(base, other));
    otp_code_digest(key, 32, "+34600000001", "login", "123457", other, NULL);
    assert_false(otp_code_digest_equal(base, other));
    otp_code_digest(key, 31, "+34600000001", "login", "123456", other, NULL);
    assert_false(otp_code_digest_equal(base, other));
}

static void digest_rejects_empty_key(void **state)
{
    char out[OTP_DIGEST_HEX_SIZE];

    (void)state;
    assert_int_equal(
        otp_code_digest(key, 0, "+34600000001", "login", "1", out, NULL),
        HITO_ERR_INVALID);
}

static void well_formed_checks_length_and_digits(void **state)
{
    (void)state;
    assert_true(otp_code_is_well_formed("012345", 6));
    assert_false(otp_code_is_well_formed("01234", 6));
    assert_false(otp_code_is_well_formed("0123456", 6));
    assert_false(otp_code_is_well_formed("01234a", 6));
    assert_false(otp_code_is_well_formed("", 6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generate_six_digits),
        cmocka_unit_test(generate_rejects_bad_length),
        cmocka_unit_test(generate_reports_random_failure),
        cmocka_unit_test(generate_rejects_biased_draw),
        cmocka_unit_test(generate_gives_up_after_max_draws),
        cmocka_unit_test(generate_keeps_leading_zeros),
        cmocka_unit_test(generate_is_uniform),
        cmocka_unit_test(chi_square_detects_modulo_bias),
        cmocka_unit_test(digest_is_deterministic),
        cmocka_unit_test(digest_binds_subject_purpose_code),
        cmocka_unit_test(digest_rejects_empty_key),
        cmocka_unit_test(well_formed_checks_length_and_digits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
