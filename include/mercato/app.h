/* app.h - the application context: configuration and the ports, shared by every request.
 * Built once at start-up and read-only afterwards (the counters are atomics). */
#ifndef MERCATO_APP_H
#define MERCATO_APP_H

#include <stdatomic.h>

#include "mercato/auth.h"
#include "mercato/config.h"
#include "mercato/kv.h"
#include "mercato/pricing.h"
#include "mercato/store.h"

typedef struct mc_router mc_router;

typedef struct mc_app {
  const mc_config *cfg;
  mc_store *store;
  mc_kv *kv;
  mc_router *router;
  mc_auth auth;             /* accounts and tokens over store and kv */
  int auth_ready;
  mc_pricing_config pricing; /* shipping and tax from cfg, checked at start-up */
  char **cors_origins;      /* NULL-terminated allow-list parsed from cfg->cors_origins */
  char *web_root;           /* realpath of cfg->web_dir, or NULL when there is no web app */
  int tls;                  /* 1 when serving HTTPS */
  atomic_int in_flight;     /* requests started and not yet completed */
  atomic_int stopping;      /* set once a shutdown signal arrived */
} mc_app;

/* The store's options from cfg: the data directory and its busy timeout, for mc_store_open
 * (the server and every subcommand open the store alike). */
mc_store_options mc_app_store_options(const mc_config *cfg);

/* Opens the ports from cfg (creating the data directory), builds the route table, and fills app.
 * cfg is borrowed and must outlive app. On failure logs why and returns the mc_err. */
int mc_app_open(mc_app *app, const mc_config *cfg);

/* Creates an admin account (for `mercato admin create` and the first start). Logs why and
 * returns MC_ERR_INVALID for a bad email or password, MC_ERR_CONFLICT when the email is taken. */
int mc_app_create_admin(mc_app *app, const char *email, const char *password, size_t len);

/* Closes the ports and frees what mc_app_open allocated. */
void mc_app_close(mc_app *app);

#endif
