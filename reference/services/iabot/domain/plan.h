/*
 * plan.h - the reply plan: what the orchestrator should do next for an
 * intent and its entities. Plans are JSON objects with an "action" and the
 * arguments it needs:
 *   greeting          {"action":"greet"}
 *   product_search {"action":"search_products","query":...,"product_ids":[...]}
 *   price_question    {"action":"quote_price","query":...,"product_ids":[...]}
 *   add_to_cart
 * {"action":"add_to_cart","items":[{"product_id","quantity","unit"}]} or
 * {"action":"ask_product"} when no product is named checkout
 * {"action":"start_checkout"} payment_status
 * {"action":"check_payment","order_id":... or null} order_status
 * {"action":"get_order_status","order_id":... or null} delivery_tracking
 * {"action":"track_delivery","tracking_code":...,"order_id":...} cancel_order
 * {"action":"confirm_cancel","order_id":... or null} otp_code
 * {"action":"verify_otp","code":...} or {"action":"ask_otp"} talk_to_human
 * {"action":"handover","reason":"customer_request"} handover
 * {"action":"handover","reason":"low_confidence"} goodbye
 * {"action":"close_conversation"} out_of_scope      {"action":"explain_scope"}
 */
#ifndef IABOT_PLAN_H
#define IABOT_PLAN_H

#include <jansson.h>

#include "analysis.h"
#include "intent.h"

/*
 * Builds the plan for intent from the analysis of the message. Returns a new
 * reference the caller owns, or NULL when out of memory.
 */
json_t *plan_build(enum intent intent, const struct analysis *a);

/* Builds the JSON array of a's entities (kind, text, value, ...); NULL on no
 * memory. */
json_t *plan_entities_json(const struct analysis *a);

#endif
