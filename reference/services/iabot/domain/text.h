/*
 * text.h - normalisation and tokenisation of customer messages (Spanish
 * first). No I/O.
 *
 * text_fold() maps a message to the form every matcher and the classifier
 * use: Unicode NFKC, case folded, accents and other marks removed ("Ñandú"
 * -> "nandu"), look-alike punctuation lumped to ASCII. text_tokenise() then
 * splits the folded text into words, numbers and symbols, keeping numbers
 * with their separators ("1.250,50") and codes with their hyphen
 * ("ord-123456") as one token.
 */
#ifndef IABOT_TEXT_H
#define IABOT_TEXT_H

#include <stddef.h>

#include "hito/err.h"

/* Maximum message length, in bytes of UTF-8 (WhatsApp allows 4096 chars). */
#define TEXT_MAX_BYTES 16384
/* Maximum tokens kept from one message. Later tokens are dropped. */
#define TEXT_MAX_TOKENS 512

enum token_kind {
    TOKEN_WORD,   /* letters, possibly with digits, '-' or '_' inside */
    TOKEN_NUMBER, /* digits, possibly with '.' or ',' between digits */
    TOKEN_SYMBOL  /* one other visible character: $ / % + # ( ) ... */
};

struct token {
    enum token_kind kind;
    size_t start; /* byte offset in the folded text */
    size_t len;   /* bytes */
};

struct token_list {
    struct token items[TEXT_MAX_TOKENS];
    size_t count;
};

/*
 * Folds text (NUL-terminated UTF-8) for matching: NFKC, case folding, marks
 * stripped, punctuation lumped. Returns a malloc'd string the caller frees,
 * or NULL with err filled: HITO_ERR_INVALID for invalid UTF-8 or text longer
 * than TEXT_MAX_BYTES, HITO_ERR_NOMEM.
 */
char *text_fold(const char *text, struct hito_error *err);

/*
 * Normalises text to NFC without folding, for what is shown to people.
 * Ownership and errors as text_fold().
 */
char *text_nfc(const char *text, struct hito_error *err);

/*
 * Splits folded text into tokens. Whitespace and control characters separate
 * tokens and are dropped. A number followed directly by letters ("2kg",
 * "3x") becomes two tokens. Tokens past TEXT_MAX_TOKENS are dropped.
 */
void text_tokenise(const char *folded, struct token_list *out);

/* Returns nonzero when token t of folded text equals word (NUL-terminated). */
int text_token_is(const char *folded, const struct token *t, const char *word);

/*
 * Copies token t into buf (size bytes, NUL-terminated, truncated); returns
 * the number of bytes copied.
 */
size_t text_token_copy(const char *folded, const struct token *t, char *buf,
                       size_t size);

#endif
