/* app.c - builds the application context: data directory, store, kv, route table, CORS list
 * and web root, from the configuration. */
#include "mercato/app.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/router.h"
#include "mercato/catalog.h"
#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/http.h"
#include "mercato/log.h"

/* Splits "a, b,c" into a NULL-terminated array of trimmed strings. NULL without memory. */
static char **split_list(const char *list) {
  size_t cap = 1;
  for (const char *p = list; *p; p++) cap += *p == ',';
  char **out = calloc(cap + 1, sizeof *out);
  size_t n = 0;
  if (!out) return NULL;
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
    while (p < end && *p == ' ') p++;
    const char *e = end;
    while (e > p && e[-1] == ' ') e--;
    if (e > p && !(out[n++] = strndup(p, (size_t)(e - p)))) goto fail;
    p = comma ? comma + 1 : end;
  }
  return out;
fail:
  for (size_t i = 0; i < n; i++) free(out[i]);
  free(out);
  return NULL;
}

int mc_app_create_admin(mc_app *app, const char *raw_email, const char *password, size_t len) {
  char email[MC_USER_EMAIL_MAX + 1];
  const char *reason;
  json_t *user = NULL;
  if (mc_user_email_normalize(raw_email, email) != MC_OK) {
    mc_error("app", "the admin email is not a valid address");
    return MC_ERR_INVALID;
  }
  if (mc_password_check(password, len, &reason) != MC_OK) {
    mc_error("app", "the admin password is not acceptable (%s: 12 to 1024 bytes of UTF-8)", reason);
    return MC_ERR_INVALID;
  }
  int rc = mc_auth_create_user(&app->auth, email, password, len, "Administrator", "admin", &user, NULL);
  if (rc == MC_ERR_CONFLICT) mc_error("app", "an account with that email already exists");
  json_decref(user);
  return rc;
}

/* MERCATO_ADMIN_EMAIL/PASSWORD create the first admin, once: when an admin exists they are
 * ignored, so the variables can stay set across restarts. */
static int mc_app_bootstrap_admin(mc_app *app) {
  int64_t admins = 0;
  const mc_config *cfg = app->cfg;
  if (!cfg->admin_email[0]) return MC_OK;
  int rc = mc_store_user_count_by_role(app->store, "admin", &admins);
  if (rc != MC_OK || admins > 0) return rc;
  return mc_app_create_admin(app, cfg->admin_email, cfg->admin_password, strlen(cfg->admin_password));
}

mc_store_options mc_app_store_options(const mc_config *cfg) {
  return (mc_store_options){.data_dir = cfg->data_dir, .url = "", .busy_timeout_ms = cfg->db_busy_timeout_ms};
}

int mc_app_open(mc_app *app, const mc_config *cfg) {
  struct stat st;
  char real[PATH_MAX];
  int err;

  memset(app, 0, sizeof *app);
  app->cfg = cfg;
  app->tls = cfg->tls_cert[0] != '\0';
  if ((err = mc_mkdirs(cfg->data_dir, 0700)) != MC_OK) {
    mc_error("app", "cannot create the data directory %s (MERCATO_DATA_DIR)", cfg->data_dir);
    goto fail;
  }
  mc_store_options so = mc_app_store_options(cfg);
  if ((err = mc_store_open(&so, &app->store)) != MC_OK) {
    mc_error("app", "cannot open the store in %s: %s", cfg->data_dir, mc_err_name(err));
    goto fail;
  }
  mc_kv_options ko = {.url = cfg->redis_url, .timeout_ms = cfg->redis_timeout_ms,
                      .memory_max_bytes = (size_t)cfg->memory_kv_max_bytes};
  if ((err = mc_kv_open_options(&ko, &app->kv)) != MC_OK) {
    mc_error("app", "cannot open the kv (%s): %s", cfg->redis_url[0] ? "MERCATO_REDIS_URL" : "memory",
             mc_err_name(err));
    goto fail;
  }
  if (cfg->kv_prefix[0]) {
    mc_kv *wrapped;
    if ((err = mc_kv_prefixed(app->kv, cfg->kv_prefix, &wrapped)) != MC_OK) goto fail;
    app->kv = wrapped;
  }
  if ((err = mc_auth_init(&app->auth, cfg, app->store, app->kv)) != MC_OK) goto fail;
  app->auth_ready = 1;
  if ((err = mc_app_bootstrap_admin(app)) != MC_OK) goto fail;
  mc_catalog_prepare(app->kv);
  app->pricing = (mc_pricing_config){.shipping_flat = cfg->shipping_flat,
                                     .free_shipping_threshold = cfg->free_shipping_threshold,
                                     .tax_rate_bp = cfg->tax_rate_bp,
                                     .tax_inclusive = cfg->tax_inclusive};
  if ((err = mc_pricing_config_check(&app->pricing)) != MC_OK) {
    mc_error("app", "the shipping or tax settings are out of range");
    goto fail;
  }
  err = MC_ERR_INTERNAL;
  if (!(app->router = mc_router_new())) goto fail;
  const struct {
    const mc_route *routes;
    int n;
  } tables[] = {
    {mc_health_routes, mc_health_routes_count},
    {mc_auth_routes, mc_auth_routes_count},
    {mc_account_routes, mc_account_routes_count},
    {mc_catalog_routes, mc_catalog_routes_count},
    {mc_admin_catalog_routes, mc_admin_catalog_routes_count},
    {mc_admin_coupon_routes, mc_admin_coupon_routes_count},
    {mc_cart_routes, mc_cart_routes_count},
    {mc_image_routes, mc_image_routes_count},
  };
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    if ((err = mc_router_add(app->router, tables[i].routes, tables[i].n)) != MC_OK) {
      mc_error("app", "the route table is malformed: %s", mc_err_name(err));
      goto fail;
    }
  }
  err = MC_ERR_INTERNAL;
  if (!(app->cors_origins = split_list(cfg->cors_origins))) goto fail;
  if (cfg->web_dir[0] && stat(cfg->web_dir, &st) == 0 && S_ISDIR(st.st_mode) && realpath(cfg->web_dir, real)) {
    if (!(app->web_root = strdup(real))) goto fail;
  } else {
    mc_info("app", "no web app at %s (MERCATO_WEB_DIR); serving the API only", cfg->web_dir);
  }
  mc_info("app", "store %s in %s, kv %s", app->store->name, cfg->data_dir, app->kv->name);
  return MC_OK;
fail:
  mc_app_close(app);
  return err;
}

void mc_app_close(mc_app *app) {
  mc_router_free(app->router);
  if (app->auth_ready) mc_auth_free(&app->auth);
  mc_kv_close(app->kv);
  mc_store_close(app->store);
  for (char **o = app->cors_origins; o && *o; o++) free(*o);
  free(app->cors_origins);
  free(app->web_root);
  memset(app, 0, sizeof *app);
}
