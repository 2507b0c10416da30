#include "orch_reply.h"

#include <stdio.h>
#include <string.h>

struct reply_text {
    const char *name;
    enum orch_message_kind kind;
    const char *text; /* at most one %s: the detail */
};

static const struct reply_text replies[ORCH_REPLY_COUNT] = {
    [ORCH_REPLY_GREETING] = { "greeting", ORCH_MESSAGE_TEXT,
                              "¡Hola! Soy el asistente de la tienda. Puedo "
                              "mostrarte productos, "
                              "armar tu carrito y seguir tus pedidos." },
    [ORCH_REPLY_PRODUCTS] = { "products", ORCH_MESSAGE_LIST,
                              "Estos productos coinciden con tu búsqueda:" },
    [ORCH_REPLY_PRICES] = { "prices", ORCH_MESSAGE_LIST,
                            "Elige un producto para ver su precio:" },
    [ORCH_REPLY_ASK_PRODUCT] = { "ask_product", ORCH_MESSAGE_TEXT,
                                 "¿Qué producto buscas?" },
    [ORCH_REPLY_ADDED] = { "added", ORCH_MESSAGE_BUTTONS,
                           "Lo agregué a tu carrito. ¿Quieres pagar ahora?" },
    [ORCH_REPLY_CART_EMPTY] = { "cart_empty", ORCH_MESSAGE_TEXT,
                                "Tu carrito está vacío. ¿Qué producto quieres "
                                "agregar?" },
    [ORCH_REPLY_OTP_SENT_CHECKOUT] = { "otp_sent_checkout", ORCH_MESSAGE_TEXT,
                                       "Te enviamos un código para confirmar "
                                       "la compra. Escríbelo aquí." },
    [ORCH_REPLY_OTP_SENT_STATUS] = { "otp_sent_status", ORCH_MESSAGE_TEXT,
                                     "Para ver %s te enviamos un código de "
                                     "verificación. Escríbelo aquí." },
    [ORCH_REPLY_OTP_FAILED] = { "otp_failed", ORCH_MESSAGE_TEXT,
                                "No pudimos enviarte el código. Inténtalo de "
                                "nuevo en unos minutos." },
    [ORCH_REPLY_ASK_CODE] = { "ask_code", ORCH_MESSAGE_TEXT,
                              "Escribe el código que te enviamos." },
    [ORCH_REPLY_NO_CODE_PENDING] = { "no_code_pending", ORCH_MESSAGE_TEXT,
                                     "No hay ningún código pendiente de "
                                     "verificación." },
    [ORCH_REPLY_CODE_REJECTED] = { "code_rejected", ORCH_MESSAGE_TEXT,
                                   "El código no es válido. Revisa el último "
                                   "código que te enviamos." },
    [ORCH_REPLY_CHECKOUT_CONFIRMED] = { "checkout_confirmed", ORCH_MESSAGE_TEXT,
                                        "Código correcto. Tu compra está "
                                        "confirmada; te enviaremos el "
                                        "enlace de pago." },
    [ORCH_REPLY_ORDER_VERIFIED] = { "order_verified", ORCH_MESSAGE_TEXT,
                                    "Código correcto. Te mostraremos el estado "
                                    "de %s." },
    [ORCH_REPLY_TRACKING] = { "tracking", ORCH_MESSAGE_TEXT,
                              "Anoté %s. Te avisaremos de cada cambio en la "
                              "entrega." },
    [ORCH_REPLY_CONFIRM_CANCEL] = { "confirm_cancel", ORCH_MESSAGE_BUTTONS,
                                    "¿Confirmas que quieres cancelar %s?" },
    [ORCH_REPLY_HANDOVER] = { "handover", ORCH_MESSAGE_TEXT,
                              "Te comunico con una persona del equipo. Te "
                              "responderá en breve." },
    [ORCH_REPLY_GOODBYE] = { "goodbye", ORCH_MESSAGE_TEXT,
                             "¡Gracias por escribirnos! Hasta pronto." },
    [ORCH_REPLY_SCOPE] = { "scope", ORCH_MESSAGE_TEXT,
                           "Puedo ayudarte con productos, tu carrito, pagos y "
                           "pedidos." },
};

/* Copies text into out, cut at a character boundary to fit size bytes, so
 * a cut title stays valid UTF-8. */
static void copy_utf8(char *out, size_t size, const char *text)
{
    size_t len = strlen(text);

    if (len >= size) {
        len = size - 1;
        /* Drop continuation bytes (10xxxxxx) and the lead byte they follow. */
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, text, len);
    out[len] = '\0';
}

static void add_option(struct orch_message *out, const char *id,
                       const char *title)
{
    struct orch_option *option = &out->options[out->option_count++];

    copy_utf8(option->id, sizeof(option->id), id);
    copy_utf8(option->title, sizeof(option->title), title);
}

static void add_options(enum orch_reply reply,
                        const struct orch_analysis *analysis,
                        struct orch_message *out)
{
    size_t count;

    switch (reply) {
    case ORCH_REPLY_ADDED:
        add_option(out, ORCH_BUTTON_CHECKOUT, "Pagar");
        add_option(out, ORCH_BUTTON_BROWSE, "Seguir comprando");
        break;
    case ORCH_REPLY_CONFIRM_CANCEL:
        add_option(out, ORCH_BUTTON_CANCEL_YES, "Sí, cancelar");
        add_option(out, ORCH_BUTTON_CANCEL_NO, "No");
        break;
    case ORCH_REPLY_PRODUCTS:
    case ORCH_REPLY_PRICES:
        /* NOTE: rows show the product id until a catalogue service
         * provides names. Titles longer than 24 characters are cut. */
        count = analysis != NULL ? analysis->product_count : 0;
        for (size_t i = 0; i < count && i < ORCH_OPTIONS_MAX; i++)
            add_option(out, analysis->product_ids[i], analysis->product_ids[i]);
        break;
    default:
        break;
    }
}

/* Copies text with its "%s" replaced by detail, cut to size bytes. */
static void fill_text(const char *text, const char *detail, char *out,
                      size_t size)
{
    const char *mark = strstr(text, "%s");

    if (mark == NULL)
        snprintf(out, size, "%s", text);
    else
        snprintf(out, size, "%.*s%s%s", (int)(mark - text), text, detail,
                 mark + 2);
}

int orch_reply_build(enum orch_reply reply, const char *detail,
                     const struct orch_analysis *analysis,
                     struct orch_message *out)
{
    const struct reply_text *r;

    if ((unsigned)reply >= ORCH_REPLY_COUNT)
        return HITO_ERR_INVALID;
    r = &replies[reply];
    memset(out, 0, sizeof(*out));
    out->kind = r->kind;
    if (detail == NULL || detail[0] == '\0')
        detail = "tu pedido";
    fill_text(r->text, detail, out->text, sizeof(out->text));
    add_options(reply, analysis, out);
    return HITO_OK;
}

const char *orch_reply_name(enum orch_reply reply)
{
    if ((unsigned)reply >= ORCH_REPLY_COUNT)
        return "unknown";
    return replies[reply].name;
}
