/* access.h - the callbacks the server gives libmicrohttpd: connection and request bookkeeping
 * and the access handler that checks a request's head before reading its body (access.c). */
#ifndef MERCATO_HTTP_ACCESS_H
#define MERCATO_HTTP_ACCESS_H

#include <microhttpd.h>

#include "server.h"

/* Each takes the mc_server as cls. */

/* MHD_OPTION_NOTIFY_CONNECTION: records a connection for the request deadlines (conns.h). */
void mc_access_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* MHD_OPTION_URI_LOG_CALLBACK: starts a request (counted in flight) with its raw target.
 * Returns the request's context (owned by MHD until mc_access_completed), or NULL. */
void *mc_access_uri(void *cls, const char *uri, struct MHD_Connection *c);

/* MHD_OPTION_NOTIFY_COMPLETED: ends the request and frees its context. */
void mc_access_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe);

/* The access handler: refuses a bad head (framing 400/501, query 414, declared body 413, an
 * upload's token 401/403) before any body is read, buffers a body within its route's limit,
 * then runs the middleware layers (middleware.h) and queues their response. */
enum MHD_Result mc_access_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size,
                                 void **con_cls);

#endif
