/* app.c - builds the application context: data directory, store, kv, route table, CORS list
 * and web root, from the configuration. */
#include "mercato/app.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/router.h"
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
  if (asprintf(&app->db_path, "%s/mercato.db", cfg->data_dir) < 0) {
    app->db_path = NULL;
    err = MC_ERR_INTERNAL;
    goto fail;
  }
  mc_store_options so = {.path = app->db_path, .busy_timeout_ms = cfg->db_busy_timeout_ms};
  if ((err = mc_store_sqlite_open(&so, &app->store)) != MC_OK) {
    mc_error("app", "cannot open the database %s: %s", app->db_path, mc_err_name(err));
    goto fail;
  }
  if ((err = mc_kv_open(cfg->redis_url, cfg->redis_timeout_ms, &app->kv)) != MC_OK) {
    mc_error("app", "cannot open the kv (%s): %s", cfg->redis_url[0] ? "MERCATO_REDIS_URL" : "memory",
             mc_err_name(err));
    goto fail;
  }
  err = MC_ERR_INTERNAL;
  if (!(app->router = mc_router_new())) goto fail;
  if ((err = mc_router_add(app->router, mc_health_routes, mc_health_routes_count)) != MC_OK) {
    mc_error("app", "the route table is malformed: %s", mc_err_name(err));
    goto fail;
  }
  err = MC_ERR_INTERNAL;
  if (!(app->cors_origins = split_list(cfg->cors_origins))) goto fail;
  if (cfg->web_dir[0] && stat(cfg->web_dir, &st) == 0 && S_ISDIR(st.st_mode) && realpath(cfg->web_dir, real)) {
    if (!(app->web_root = strdup(real))) goto fail;
  } else {
    mc_info("app", "no web app at %s (MERCATO_WEB_DIR); serving the API only", cfg->web_dir);
  }
  mc_info("app", "store %s at %s, kv %s", app->store->name, app->db_path, app->kv->name);
  return MC_OK;
fail:
  mc_app_close(app);
  return err;
}

void mc_app_close(mc_app *app) {
  mc_router_free(app->router);
  mc_kv_close(app->kv);
  mc_store_close(app->store);
  for (char **o = app->cors_origins; o && *o; o++) free(*o);
  free(app->cors_origins);
  free(app->web_root);
  free(app->db_path);
  memset(app, 0, sizeof *app);
}
