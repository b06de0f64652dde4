/* access.c - the server's libmicrohttpd access handler, in place of Ulfius' dispatcher (which
 * buffers every body up to the largest route's limit before any of our code runs). */
#include "access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "guard.h"
#include "mercato/log.h"
#include "middleware.h"
#include "router.h"

/* Exported by libulfius 2.7 (its dispatcher's Set-Cookie writer) though declared only in its
 * private header; the cookies handlers add with ulfius_add_*_cookie_to_response go out as
 * Ulfius would write them. */
int ulfius_set_response_cookie(struct MHD_Response *mhd_response, const struct _u_response *response);

#define COOKIE_NAME_MAX 128
#define COOKIE_VALUE_MAX 4096
#define MC_ACCESS_DISCARD_MAX (1024 * 1024)

/* One request on a connection: MHD's per-request context, from its request line to its end. */
typedef struct mc_exchange {
  struct _u_request req;
  mc_server *srv;
  mc_conn *conn;
  long limit;      /* the most body bytes this request may send */
  size_t cap;      /* bytes allocated for req.binary_body */
  int head_done;   /* the head was checked; body data or the final call come next */
  size_t over;     /* body bytes read past the limit and dropped */
} mc_exchange;

static mc_conn *conn_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? (mc_conn *)ci->socket_context : NULL;
}

void mc_access_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code) {
  mc_server *srv = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    *socket_context = ci ? mc_conns_opened(&srv->conns, ci->connect_fd) : NULL;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    mc_conns_closed(&srv->conns, *socket_context);
    *socket_context = NULL;
  }
}

/* MHD hands over the request line's target before parsing its query into a table of its
 * own. We keep the raw target and end MHD's copy at the '?': handlers read the query from
 * http_url, and libmicrohttpd 0.9.75 answers a query whose table overflows its memory pool
 * with a broken response and never finishes the request (issue 12, finding 9). The text is
 * MHD's writable read buffer, which it cuts at the '?' itself right after this call. */
void *mc_access_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  mc_server *srv = cls;
  mc_exchange *x = calloc(1, sizeof *x);
  char *q = strchr(uri, '?');
  if (x && ulfius_init_request(&x->req) == U_OK) {
    x->srv = srv;
    x->conn = conn_of(c);
    x->req.http_url = strdup(uri);
    x->req.url_path = q ? strndup(uri, (size_t)(q - uri)) : strdup(uri);
    mc_conns_request_started(&srv->conns, x->conn);
  } else {
    free(x);
    x = NULL;
  }
  if (q && q[1]) q[1] = '\0';
  return x;
}

void mc_access_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  mc_server *srv = cls;
  mc_exchange *x = *con_cls;
  (void)c, (void)toe;
  if (!x) return;
  mc_conns_request_done(&srv->conns, x->conn);
  ulfius_clean_request(&x->req);
  free(x);
  *con_cls = NULL;
}

/* Queues resp; close asks the client to open a new connection for its next request. */
static enum MHD_Result queue(struct MHD_Connection *c, struct _u_response *resp, int close) {
  struct MHD_Response *r;
  enum MHD_Result ret;
  if (resp->stream_callback) {
    r = MHD_create_response_from_callback(resp->stream_size, resp->stream_block_size, resp->stream_callback,
                                          resp->stream_user_data, resp->stream_callback_free);
    if (!r && resp->stream_callback_free) resp->stream_callback_free(resp->stream_user_data);
  } else {
    r = MHD_create_response_from_buffer(resp->binary_body_length, resp->binary_body, MHD_RESPMEM_MUST_COPY);
  }
  if (!r) return MHD_NO;
  for (int i = 0; i < resp->map_header->nb_values; i++)
    MHD_add_response_header(r, resp->map_header->keys[i], resp->map_header->values[i]);
  if (ulfius_set_response_cookie(r, resp) == -1) mc_error("http", "cannot add the response's cookies");
  if (close && !u_map_has_key_case(resp->map_header, "Connection"))
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  ret = MHD_queue_response(c, (unsigned)resp->status, r);
  MHD_destroy_response(r);
  return ret;
}

static void response_free(struct _u_response *resp) {
  if (resp->free_shared_data && resp->shared_data) resp->free_shared_data(resp->shared_data);
  resp->shared_data = NULL;
  ulfius_clean_response(resp);
}

/* Runs the request through the layers (status 0) or answers the problem given, through the
 * request and finishing layers so it carries the request id and security headers. */
static enum MHD_Result answer(mc_exchange *x, struct MHD_Connection *c, int status, const char *code,
                              const char *detail) {
  struct _u_response resp;
  mc_app *app = x->srv->app;
  enum MHD_Result ret = MHD_NO;
  if (ulfius_init_response(&resp) != U_OK) return MHD_NO;
  if (status == 0) {
    if (mc_http_pipeline(&x->req, &resp, app) == U_CALLBACK_COMPLETE) ret = queue(c, &resp, 0);
  } else if (mc_mw_request(&x->req, &resp, app) == U_CALLBACK_CONTINUE) {
    mc_http_problem(resp.shared_data, &resp, status, code, detail, NULL);
    mc_mw_finish(&x->req, &resp, app);
    ret = queue(c, &resp, 1);
  }
  response_free(&resp);
  return ret;
}

/* Answers 413 for a body over x's limit, and closes the connection. */
static enum MHD_Result too_large(mc_exchange *x, struct MHD_Connection *c) {
  char msg[160];
  snprintf(msg, sizeof msg, "The request body is larger than the %ld bytes allowed here.", x->limit);
  return answer(x, c, 413, "payload_too_large", msg);
}

/* For an upload: checks the token before any of the body is read, so a client without an
 * admin's token gets its 401/403 (and no 100 Continue) instead of megabytes buffered. Returns
 * 1 when it answered. */
static int refused_before_body(mc_exchange *x, struct MHD_Connection *c, enum MHD_Result *ret) {
  struct _u_response resp;
  mc_app *app = x->srv->app;
  int answered = 0;
  if (ulfius_init_response(&resp) != U_OK) return 0;
  if (mc_mw_request(&x->req, &resp, app) == U_CALLBACK_CONTINUE &&
      mc_mw_cors(&x->req, &resp, app) == U_CALLBACK_CONTINUE &&
      mc_mw_auth(&x->req, &resp, app) == U_CALLBACK_CONTINUE) {
    mc_http_ctx *ctx = resp.shared_data;
    if (ctx->done) {
      mc_mw_finish(&x->req, &resp, app);
      *ret = queue(c, &resp, 1);
      answered = 1;
    }
  }
  response_free(&resp);
  return answered;
}

typedef struct head_fill {
  mc_exchange *x;
  mc_head head;
} head_fill;

static void put_cookie(void *cls, const char *name, size_t nlen, const char *value, size_t vlen) {
  struct _u_map *map = cls;
  char n[COOKIE_NAME_MAX + 1], v[COOKIE_VALUE_MAX + 1];
  if (nlen > COOKIE_NAME_MAX || vlen > COOKIE_VALUE_MAX) return;
  memcpy(n, name, nlen);
  n[nlen] = '\0';
  memcpy(v, value, vlen);
  v[vlen] = '\0';
  if (!u_map_has_key(map, n)) u_map_put(map, n, v); /* the first (most specific) one wins */
}

/* Copies one header into the request (a repeated name, same spelling, joined with ", " as
 * Ulfius did), feeds the framing checks, and parses cookies ourselves: MHD's own cookie table
 * is switched off (mhd_shim.c). */
static enum MHD_Result fill_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  head_fill *f = cls;
  struct _u_map *map = f->x->req.map_header;
  const char *had;
  (void)kind;
  if (!key) return MHD_YES;
  value = value ? value : "";
  mc_head_add(&f->head, key, value);
  if (strcasecmp(key, "Cookie") == 0) mc_guard_cookies(value, put_cookie, f->x->req.map_cookie);
  if ((had = u_map_get(map, key)) != NULL) {
    size_t n = strlen(had) + strlen(value) + 3;
    char *joined = malloc(n);
    if (!joined) return MHD_NO;
    snprintf(joined, n, "%s, %s", had, value);
    u_map_put(map, key, joined);
    free(joined);
    return MHD_YES;
  }
  return u_map_put(map, key, value) == U_OK ? MHD_YES : MHD_NO;
}

/* Fills the request from MHD's view of the head. Returns 0 or -1 without memory. */
static int fill_request(mc_exchange *x, struct MHD_Connection *c, const char *method, const char *version,
                        mc_head *head) {
  head_fill f = {.x = x};
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  mc_head_init(&f.head, version);
  x->req.http_verb = strdup(method);
  x->req.http_protocol = strdup(version);
  x->req.client_address = calloc(1, sizeof(struct sockaddr_storage));
  if (!x->req.http_verb || !x->req.http_protocol || !x->req.client_address || !x->req.http_url || !x->req.url_path)
    return -1;
  if (ci && ci->client_addr)
    memcpy(x->req.client_address, ci->client_addr,
           ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
  MHD_get_connection_values(c, MHD_HEADER_KIND, fill_header, &f);
  *head = f.head;
  return 0;
}

/* The first call, with the head complete and no body read: the checks that must come before
 * any body byte is buffered. */
static enum MHD_Result on_head(mc_exchange *x, struct MHD_Connection *c, const char *method,
                               const char *version) {
  mc_app *app = x->srv->app;
  mc_head head;
  const char *code, *detail, *query;
  char msg[160], allow[64];
  mc_route_param params[MC_ROUTE_PARAMS_MAX];
  int nparams, status;
  enum MHD_Result ret = MHD_YES;

  x->head_done = 1;
  mc_conns_headers_done(&x->srv->conns, x->conn);
  if (fill_request(x, c, method, version, &head) != 0) return MHD_NO;
  if ((status = mc_head_check(&head, &code, &detail)) != 0) return answer(x, c, status, code, detail);
  query = strchr(x->req.http_url, '?');
  if (mc_guard_query_params(query ? query + 1 : NULL) > MC_GUARD_QUERY_PARAMS_MAX) {
    snprintf(msg, sizeof msg, "A request may carry at most %d query parameters.", MC_GUARD_QUERY_PARAMS_MAX);
    return answer(x, c, 414, "uri_too_long", msg);
  }
  const mc_route *route = mc_router_match(app->router, method, x->req.url_path, params, &nparams, allow, sizeof allow);
  x->limit = mc_http_body_limit(route, u_map_get_case(x->req.map_header, "Content-Type"), app->cfg);
  if (head.lengths && head.length > (unsigned long long)x->limit) return too_large(x, c);
  if (x->limit > app->cfg->max_body && (head.length > 0 || head.codings) && refused_before_body(x, c, &ret))
    return ret;
  return MHD_YES;
}

/* Appends a piece of the body within the request's limit. A chunked body that grows past it is
 * read on without being kept, so the client gets its 413 (MHD 0.9.75 cannot queue an answer
 * while a body arrives), for at most MC_ACCESS_DISCARD_MAX more bytes before the connection
 * is closed; the request deadline bounds the time either way. */
static enum MHD_Result on_body(mc_exchange *x, const char *data, size_t *size) {
  size_t need = x->req.binary_body_length + *size;
  if (mc_conns_late(&x->srv->conns, x->conn)) return MHD_NO;
  if (x->over || need > (size_t)x->limit) {
    x->over += *size;
    *size = 0;
    return x->over > MC_ACCESS_DISCARD_MAX ? MHD_NO : MHD_YES;
  }
  if (need > x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 16 * 1024;
    if (cap < need) cap = need;
    if (cap > (size_t)x->limit) cap = (size_t)x->limit;
    void *body = realloc(x->req.binary_body, cap);
    if (!body) return MHD_NO;
    x->req.binary_body = body;
    x->cap = cap;
  }
  memcpy((char *)x->req.binary_body + x->req.binary_body_length, data, *size);
  x->req.binary_body_length = need;
  *size = 0;
  return MHD_YES;
}

enum MHD_Result mc_access_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size,
                                 void **con_cls) {
  mc_exchange *x = *con_cls;
  (void)cls, (void)url;
  if (!x) return MHD_NO; /* the request line's context could not be allocated */
  if (!x->head_done) return on_head(x, c, method, version);
  if (*upload_data_size) return on_body(x, upload_data, upload_data_size);
  mc_conns_body_done(&x->srv->conns, x->conn);
  if (x->over) return too_large(x, c);
  return answer(x, c, 0, NULL, NULL);
}
