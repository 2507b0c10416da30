/*
 * entities.h - what a message mentions: quantities, prices, order numbers,
 * tracking codes, one-time codes, catalogue products and phone numbers.
 *
 * Formats recognised (on folded text, so case and accents do not matter):
 * - order: "ORD-123456" (6 to 10 digits, hyphen optional), or 6 to 10 digits
 *   within three words after "pedido", "orden", "order" or "compra".
 *   Canonical value "ORD-<digits>".
 * - tracking: "TRK-" and 8 to 14 letters or digits, or a code of 10 to 24
 *   letters and digits with at least 4 digits within four words after
 *   "guia", "tracking", "seguimiento", "rastreo" or "envio". Upper case.
 * - phone: "+" and 8 to 15 digits (E.164), or 9 to 12 digits (a local
 *   number); spaces, '-', '(' and ')' may group the digits. Canonical value
 *   "+<digits>" or the local digits.
 * - otp: 4 to 8 digits in a message that mentions a code ("codigo", "otp",
 *   "clave", "pin", "verificacion", "token", "sms"), or that is only that
 *   number.
 * - price: a number with a currency before ("$", "S/", "EUR", "US$", ...)
 *   or after ("pesos", "soles", "euros", "dolares", "mil pesos", ...).
 * - quantity: a number with a unit ("2 kg", "3x", "x3", "media docena",
 *   "medio kilo"), or a number before a catalogue product ("2 camisetas").
 * - product: a catalogue name (see catalogue.h).
 */
#ifndef IABOT_ENTITIES_H
#define IABOT_ENTITIES_H

#include <stddef.h>

#include "catalogue.h"
#include "text.h"

#define ENTITIES_MAX 32
#define ENTITY_VALUE_MAX 64
#define ENTITY_UNIT_MAX 8

enum entity_kind {
    ENTITY_QUANTITY,
    ENTITY_PRICE,
    ENTITY_ORDER,
    ENTITY_TRACKING,
    ENTITY_OTP,
    ENTITY_PRODUCT,
    ENTITY_PHONE,
    ENTITY_KIND_COUNT
};

struct entity {
    enum entity_kind kind;
    size_t start; /* byte offsets in the folded text */
    size_t end;
    char value[ENTITY_VALUE_MAX]; /* canonical form, or a product's id */
    double amount;                /* quantity, or price in currency units */
    char unit[ENTITY_UNIT_MAX];   /* quantity unit, or ISO 4217 currency (""
                                     unknown) */
};

struct entity_list {
    struct entity items[ENTITIES_MAX];
    size_t count;
};

/* Returns the name of a kind ("order", "tracking", ...), "" if invalid. */
const char *entity_kind_name(enum entity_kind kind);

/* Returns the first entity of kind in list, or NULL when there is none. */
const struct entity *entities_first(const struct entity_list *list,
                                    enum entity_kind kind);

/*
 * Finds the entities of folded text. stems contains the Spanish stem of each
 * word token (empty for other tokens), and cat may be NULL. Entities do not
 * overlap and are listed in text order, at most ENTITIES_MAX.
 */
void entities_extract(const char *folded, const struct token_list *tokens,
                      char (*stems)[STEM_MAX], const struct catalogue *cat,
                      struct entity_list *out);

/*
 * Parses a number written with '.' and ',' as thousands or decimal marks
 * ("1.250,50", "1,250.50", "12,5", "1.250") into *value. Returns 0, or -1
 * when s (len bytes) is not such a number.
 */
int entities_parse_amount(const char *s, size_t len, double *value);

#endif
