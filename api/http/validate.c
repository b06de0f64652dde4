/* validate.c - request body checks shared by handlers: objects with an allow-list of members,
 * bounded strings, every problem collected before answering; and the client address. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mercato/http.h"
#include "mercato/query.h"

void mc_http_invalid(mc_http_ctx *ctx, struct _u_response *resp, json_t *errors) {
  mc_http_problem(ctx, resp, 422, "validation_failed", "The request has invalid fields; see errors.", errors);
}

json_t *mc_body_object(mc_http_ctx *ctx, const char *const *allowed, json_t **errors) {
  const char *key;
  json_t *value;
  if (!json_is_object(ctx->body)) {
    mc_http_add_error(errors, "body", ctx->body ? "not_an_object" : "required",
                      ctx->body ? "The body must be a JSON object." : "A JSON body is required.");
    return NULL;
  }
  json_object_foreach(ctx->body, key, value) {
    int known = 0;
    for (const char *const *a = allowed; *a && !known; a++) known = strcmp(*a, key) == 0;
    if (!known) {
      char field[80];
      snprintf(field, sizeof field, "%.64s", key);
      mc_http_add_error(errors, field, "unknown_field", "This field is not accepted here.");
    }
  }
  return ctx->body;
}

const char *mc_body_string(const json_t *obj, const char *field, int required, size_t max, json_t **errors) {
  return mc_field_string_member(obj, field, required, max, errors);
}

void mc_http_client_ip(const struct _u_request *req, char *out, size_t len) {
  const struct sockaddr *sa = req->client_address;
  snprintf(out, len, "unknown");
  if (!sa) return;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
  } else if (sa->sa_family == AF_INET6) {
    /* The first 8 bytes of the IPv6 address (sa_data + 6 is sin6_addr): its /64 network, the
     * unit to rate-limit by. */
    const unsigned char *b = (const unsigned char *)sa->sa_data + 6;
    snprintf(out, len, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
  }
}

void mc_http_password_error(json_t **errors, const char *field, const char *reason) {
  mc_http_add_error(errors, field, reason,
                    strcmp(reason, "too_short") == 0  ? "Use at least 12 characters."
                    : strcmp(reason, "too_long") == 0 ? "Use at most 1024 bytes."
                                                      : "The password contains characters that are not allowed.");
}
