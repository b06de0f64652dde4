/* middleware.h - the named priority layers every request passes through, in order, run by the
 * access handler (access.c) through mc_http_pipeline. */
#ifndef MERCATO_HTTP_MIDDLEWARE_H
#define MERCATO_HTTP_MIDDLEWARE_H

#include <ulfius.h>

#include "mercato/http.h"

enum mc_layer {
  MC_LAYER_REQUEST = 0, /* context, request id, route match */
  MC_LAYER_CORS = 1,    /* origin allow-list, preflight */
  MC_LAYER_BODY = 2,    /* 413 size limit, 415 content type, 400 malformed JSON */
  MC_LAYER_AUTH = 3,    /* bearer token -> user (accounts issue) */
  MC_LAYER_RATE = 4,    /* general request rate limits (login and signup limit in their handlers) */
  MC_LAYER_APP = 5,     /* the matched route, 404/405, or a static file */
  MC_LAYER_FINISH = 9   /* security headers, access log, file streaming */
};

/* Each has an Ulfius callback's shape; user_data is the mc_app. All return U_CALLBACK_CONTINUE except
 * when the context cannot be allocated. */
int mc_mw_request(const struct _u_request *req, struct _u_response *resp, void *user_data);
int mc_mw_cors(const struct _u_request *req, struct _u_response *resp, void *user_data);
int mc_mw_body(const struct _u_request *req, struct _u_response *resp, void *user_data);
int mc_mw_auth(const struct _u_request *req, struct _u_response *resp, void *user_data);
int mc_mw_app(const struct _u_request *req, struct _u_response *resp, void *user_data);
int mc_mw_finish(const struct _u_request *req, struct _u_response *resp, void *user_data);

/* The largest body route (NULL: no route matched) takes: an image upload's comes from the
 * configuration (with room for multipart framing when content_type says multipart), others
 * from the route table or MERCATO_MAX_BODY. content_type may be NULL. */
long mc_http_body_limit(const mc_route *route, const char *content_type, const mc_config *cfg);

/* Runs every layer above in priority order; returns U_CALLBACK_COMPLETE, or the failing
 * layer's code (logged). */
int mc_http_pipeline(const struct _u_request *req, struct _u_response *resp, void *user_data);

/* Serves a file of the web app for ctx's path, or the SPA's index.html for client routes
 * (static.c). Sets ctx->file_fd for the FINISH layer to stream, or writes a problem. */
void mc_static_serve(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp);

#endif
