/* config.c - settings from defaults, MERCATO_* environment variables and --flags, in that order.
 * One table describes every setting: its flag, type, bounds, default and help line. */
#include "mercato/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mercato/err.h"
#include "mercato/log.h"
#include "mercato/money.h"
#include "mercato/shop.h"

typedef enum { T_INT, T_LONG, T_STR, T_BOOL, T_LEVEL, T_ADDR, T_ORIGINS, T_REDIS, T_JWT_ALG, T_CURRENCY, T_PERCENT } setting_type;

typedef struct setting {
  const char *name; /* flag without the dashes; the env var is MERCATO_ + NAME_IN_CAPS */
  setting_type type;
  size_t offset;
  const char *def;
  long min, max;    /* numeric bounds, or the maximum length for strings */
  const char *help;
} setting;

#define OFF(f) offsetof(mc_config, f)

static const setting settings[] = {
  {"port", T_INT, OFF(port), "8080", 1, 65535, "TCP port to listen on"},
  {"bind", T_ADDR, OFF(bind), "127.0.0.1", 0, 64,
   "IPv4 or IPv6 address to listen on (0.0.0.0 or :: for every interface)"},
  {"data-dir", T_STR, OFF(data_dir), "./var", 1, 1024,
   "directory for the SQLite database, secrets and uploads (created if missing)"},
  {"web-dir", T_STR, OFF(web_dir), "web/dist", 0, 1024,
   "built web app served at / (skipped when the directory is missing)"},
  {"redis-url", T_REDIS, OFF(redis_url), "", 0, 1024,
   "redis://[:password@]host[:port][/db] or unix:///path; empty uses the in-process memory kv"},
  {"kv-prefix", T_STR, OFF(kv_prefix), "", 0, 64,
   "prefix for every kv key, so several shops can share one Redis database (\"shop1:\")"},
  {"redis-timeout-ms", T_INT, OFF(redis_timeout_ms), "500", 10, 60000,
   "timeout for connecting to Redis and for each command, in milliseconds"},
  {"memory-kv-max-bytes", T_LONG, OFF(memory_kv_max_bytes), "67108864", 1024L * 1024,
   1024L * 1024 * 1024 * 1024,
   "byte budget of the in-process memory kv (used without Redis); cached catalog answers are evicted to stay under it"},
  {"log-level", T_LEVEL, OFF(log_level), "info", 0, 0, "debug, info, warn or error"},
  {"access-log", T_BOOL, OFF(access_log), "1", 0, 0, "one log line per request: 1 or 0"},
  {"threads", T_INT, OFF(threads), "0", 0, 1024, "HTTP worker threads; 0 means 4 x CPU cores"},
  {"max-connections", T_INT, OFF(max_connections), "1024", 1, 1000000,
   "most concurrent client connections"},
  {"connection-timeout", T_INT, OFF(connection_timeout), "30", 1, 3600,
   "seconds an idle connection is kept open"},
  {"max-connections-per-ip", T_INT, OFF(max_connections_per_ip), "64", 0, 1000000,
   "most concurrent connections from one client address; 0: no limit (behind a proxy)"},
  {"header-timeout", T_INT, OFF(header_timeout), "10", 1, 3600,
   "seconds a client has to send a request line and headers (after connecting, or after connection-timeout idle between keep-alive requests)"},
  {"request-timeout", T_INT, OFF(request_timeout), "60", 1, 86400,
   "seconds a client has to send a whole request, body included, however steadily it sends"},
  {"shutdown-timeout", T_INT, OFF(shutdown_timeout), "10", 0, 600,
   "seconds in-flight requests get to finish on SIGTERM/SIGINT"},
  {"max-body", T_LONG, OFF(max_body), "65536", 1024, 64L * 1024 * 1024,
   "largest JSON request body in bytes; larger ones get 413"},
  {"cors-origins", T_ORIGINS, OFF(cors_origins), "", 0, 4096,
   "comma-separated origins allowed to call the API from a browser (https://shop.example)"},
  {"tls-cert", T_STR, OFF(tls_cert), "", 0, 1024, "PEM certificate file; with tls-key serves HTTPS"},
  {"tls-key", T_STR, OFF(tls_key), "", 0, 1024, "PEM private key file for tls-cert"},
  {"db-busy-timeout-ms", T_INT, OFF(db_busy_timeout_ms), "5000", 0, 600000,
   "how long a database write waits for a lock, in milliseconds"},
  {"jwt-alg", T_JWT_ALG, OFF(jwt_alg), "HS256", 0, 8, "access token signature: HS256 or ES256"},
  {"jwt-secret-file", T_STR, OFF(jwt_secret_file), "", 0, 1024,
   "HS256 secret file (>= 32 bytes); empty: <data-dir>/jwt-secret, generated on first start"},
  {"jwt-key-file", T_STR, OFF(jwt_key_file), "", 0, 1024,
   "ES256 private key (PEM); empty: <data-dir>/jwt-es256.pem, generated on first start"},
  {"jwt-previous-keys", T_STR, OFF(jwt_previous_keys), "", 0, 4096,
   "comma-separated ES256 PEM files of retired keys, still accepted and published in the JWKS"},
  {"jwt-issuer", T_STR, OFF(jwt_issuer), "mercato", 1, 200, "iss claim of access tokens"},
  {"jwt-audience", T_STR, OFF(jwt_audience), "mercato-api", 1, 200, "aud claim of access tokens"},
  {"access-ttl", T_INT, OFF(access_ttl), "900", 60, 86400, "access token lifetime in seconds"},
  {"refresh-idle-ttl", T_INT, OFF(refresh_idle_ttl), "604800", 60, 31536000,
   "seconds a refresh token stays valid unused"},
  {"refresh-max-ttl", T_INT, OFF(refresh_max_ttl), "2592000", 60, 31536000,
   "seconds a refresh token family lives at most, however often it is used"},
  {"refresh-families-max", T_INT, OFF(refresh_families_max), "10", 1, 1000,
   "refresh token families (signed-in devices) a user keeps; a new sign-in past it revokes the oldest"},
  {"cookie-secure", T_BOOL, OFF(cookie_secure), "1", 0, 0,
   "mark the refresh cookie Secure (browsers accept Secure cookies on http://localhost)"},
  {"argon2-m-kib", T_INT, OFF(argon2_m_kib), "19456", 19456, 1048576, "Argon2id memory per hash, KiB"},
  {"argon2-t", T_INT, OFF(argon2_t), "2", 2, 64, "Argon2id passes"},
  {"argon2-p", T_INT, OFF(argon2_p), "1", 1, 16, "Argon2id lanes"},
  {"rate-login-ip", T_INT, OFF(rate_login_ip), "30", 1, 1000000, "login attempts per client IP per minute"},
  {"rate-login-account", T_INT, OFF(rate_login_account), "10", 1, 1000000,
   "failed sign-ins per account from one client network per 15 minutes (then 429 for that network)"},
  {"login-slowdown-after", T_INT, OFF(login_slowdown_after), "10", 1, 1000000,
   "failed sign-ins on one account per 15 minutes, from anywhere, before networks that failed on it are slowed"},
  {"login-slowdown-delay", T_INT, OFF(login_slowdown_delay), "30", 1, 3600,
   "seconds a network that failed on an account under attack waits between tries"},
  {"rate-signup-ip", T_INT, OFF(rate_signup_ip), "20", 1, 1000000, "signups per client IP per hour"},
  {"admin-email", T_STR, OFF(admin_email), "", 0, 254,
   "with MERCATO_ADMIN_PASSWORD: create this admin at start-up when there is no admin yet"},
  {"admin-password", T_STR, OFF(admin_password), "", 0, 1024,
   "the first admin's password (prefer the environment variable to the flag)"},
  {"shop-name", T_STR, OFF(shop_name), "Mercato", 1, MC_SHOP_NAME_MAX,
   "the shop's name, shown by the web app (UTF-8 without control characters)"},
  {"currency", T_CURRENCY, OFF(currency), "EUR", 3, 3, "the shop's ISO 4217 currency (prices are in its minor unit)"},
  {"max-image-bytes", T_LONG, OFF(max_image_bytes), "5242880", 1024, 64L * 1024 * 1024,
   "largest product image upload in bytes (JPEG, PNG or WebP)"},
  {"catalog-cache", T_BOOL, OFF(catalog_cache), "1", 0, 0,
   "cache product lists and documents in the kv (invalidated by every catalog write)"},
  {"catalog-cache-ttl", T_INT, OFF(catalog_cache_ttl), "300", 1, 86400,
   "seconds a cached catalog answer lives at most"},
  {"cart-max-quantity", T_INT, OFF(cart_max_quantity), "99", 1, 10000,
   "the most of one product a cart line may hold"},
  {"cart-max-lines", T_INT, OFF(cart_max_lines), "100", 1, 1000, "the most distinct products in one cart"},
  {"guest-cart-ttl", T_INT, OFF(guest_cart_ttl), "2592000", 60, 31536000,
   "seconds a guest's cart (and its cookie) lives after its last change (a new cart: a day until its second change)"},
  {"rate-guest-cart-ip", T_INT, OFF(rate_guest_cart_ip), "60", 1, 1000000, "new guest carts per client IP per hour"},
  {"rate-coupon-ip", T_INT, OFF(rate_coupon_ip), "30", 1, 1000000,
   "coupon codes tried per client IP per 10 minutes"},
  {"rate-coupon-cart", T_INT, OFF(rate_coupon_cart), "10", 1, 1000000, "coupon codes tried per cart per 10 minutes"},
  {"shipping-flat", T_LONG, OFF(shipping_flat), "499", 0, 1000000000000000L,
   "shipping charged per order, in minor units of the currency"},
  {"free-shipping-threshold", T_LONG, OFF(free_shipping_threshold), "5000", 0, 1000000000000000L,
   "orders whose goods (after discount) reach this many minor units ship free; 0: never"},
  {"tax-rate", T_PERCENT, OFF(tax_rate_bp), "0", 0, 10000,
   "tax rate in percent with up to two decimals (\"8.25\"); 0 for none"},
  {"tax-inclusive", T_BOOL, OFF(tax_inclusive), "0", 0, 0,
   "1: prices include tax (the total shows the tax inside); 0: tax is added on top"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static void env_name(const setting *s, char *out, size_t len) {
  size_t n = (size_t)snprintf(out, len, "MERCATO_");
  for (const char *p = s->name; *p && n + 1 < len; p++)
    out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
  out[n] = '\0';
}

static int parse_long(const char *text, long *out) {
  char *end;
  if (*text == '\0' || isspace((unsigned char)*text)) return -1;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0') return -1;
  *out = v;
  return 0;
}

/* A percentage with up to two decimals ("8", "8.5", "8.25") as basis points; -1 otherwise. */
static long parse_percent(const char *text) {
  long whole = 0, frac = 0;
  int digits = 0, decimals = 0;
  const char *p = text;
  for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++) whole = whole * 10 + (*p - '0');
  if (digits == 0) return -1;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9' && decimals < 2; p++, decimals++) frac = frac * 10 + (*p - '0');
    if (decimals == 0) return -1;
    if (decimals == 1) frac *= 10;
  }
  return *p == '\0' ? whole * 100 + frac : -1;
}

static int parse_bool(const char *text) {
  static const char *yes[] = {"1", "true", "on", "yes"}, *no[] = {"0", "false", "off", "no"};
  for (int i = 0; i < 4; i++) {
    if (strcasecmp(text, yes[i]) == 0) return 1;
    if (strcasecmp(text, no[i]) == 0) return 0;
  }
  return -1;
}

/* An origin is scheme://host[:port] with no path, query, credentials or wildcard. */
static int valid_origin(const char *o, size_t len) {
  const char *p;
  size_t rest;
  if (len > 7 && strncmp(o, "http://", 7) == 0) p = o + 7;
  else if (len > 8 && strncmp(o, "https://", 8) == 0) p = o + 8;
  else return 0;
  rest = len - (size_t)(p - o);
  if (rest == 0) return 0;
  for (size_t i = 0; i < rest; i++) {
    char c = p[i];
    if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return 0;
  }
  return 1;
}

static int valid_origins(const char *list) {
  const char *p = list;
  if (*p == '\0') return 1;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len > 0 && *p == ' ') p++, len--;
    while (len > 0 && p[len - 1] == ' ') len--;
    if (!valid_origin(p, len)) return 0;
    if (!comma) return 1;
    p = comma + 1;
  }
}

/* Checks and stores one value. Returns 0, or -1 with a message naming the setting on err. */
static int apply(mc_config *cfg, const setting *s, const char *value, const char *source, FILE *err) {
  char *field = (char *)cfg + s->offset;
  long v;
  const char *why = NULL;
  unsigned char addr[16];

  switch (s->type) {
  case T_INT:
  case T_LONG:
    if (parse_long(value, &v) != 0) why = "is not a whole number";
    else if (v < s->min || v > s->max) why = "is out of range";
    else if (s->type == T_INT) *(int *)field = (int)v;
    else *(long *)field = v;
    if (why) {
      fprintf(err, "mercato: %s=\"%s\" %s (expected %ld..%ld)\n", source, value, why, s->min, s->max);
      return -1;
    }
    return 0;
  case T_BOOL:
    if ((v = parse_bool(value)) < 0) why = "is not a boolean (1/0, true/false, on/off)";
    else *(int *)field = (int)v;
    break;
  case T_LEVEL:
    if ((v = mc_log_parse_level(value)) < 0) why = "is not one of debug, info, warn, error";
    else *(int *)field = (int)v;
    break;
  case T_ADDR:
    if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
      why = "is not an IPv4 or IPv6 address";
    break;
  case T_ORIGINS:
    if (!valid_origins(value)) why = "must be comma-separated origins like https://shop.example";
    break;
  case T_REDIS:
    if (*value && strncmp(value, "redis://", 8) != 0 && strncmp(value, "unix://", 7) != 0)
      why = "must start with redis:// or unix://";
    break;
  case T_JWT_ALG:
    if (strcmp(value, "HS256") != 0 && strcmp(value, "ES256") != 0) why = "must be HS256 or ES256";
    break;
  case T_CURRENCY:
    if (mc_money_exponent(value) < 0) why = "is not an ISO 4217 currency code (like EUR or USD)";
    break;
  case T_PERCENT:
    if ((v = parse_percent(value)) < 0 || v < s->min || v > s->max)
      why = "is not a percentage from 0 to 100 with at most two decimals (like 8.25)";
    else *(int *)field = (int)v;
    break;
  case T_STR:
    break;
  }
  if (!why && (s->type == T_ADDR || s->type == T_ORIGINS || s->type == T_REDIS || s->type == T_STR ||
               s->type == T_JWT_ALG || s->type == T_CURRENCY)) {
    size_t len = strlen(value);
    if ((long)len < s->min) why = "must not be empty";
    else if ((long)len > s->max) why = "is too long";
    else {
      char *copy = strdup(value);
      if (!copy) why = "could not be stored (out of memory)";
      else {
        free(*(char **)field);
        *(char **)field = copy;
      }
    }
  }
  if (why) {
    fprintf(err, "mercato: %s=\"%s\" %s\n", source, value, why);
    return -1;
  }
  return 0;
}

void mc_config_print_help(FILE *out) {
  char env[64];
  fprintf(out,
          "Usage: mercato [COMMAND] [--setting value ...]\n\n"
          "Commands:\n"
          "  serve                    run the HTTP server (the default)\n"
          "  migrate                  bring the database schema up to date and exit\n"
          "  admin create --email E   create an admin; the password is read from stdin\n"
          "  seed --demo [--if-empty] create the demo shop (8 categories, 60 products with images);\n"
          "                           refuses when the catalog has products, --if-empty then exits 0\n"
          "  seed --bench N           add N (1..1000000) synthetic products for benchmarks\n\n"
          "Settings (flag, environment variable, default); flags override the environment:\n");
  for (size_t i = 0; i < NSETTINGS; i++) {
    env_name(&settings[i], env, sizeof env);
    fprintf(out, "  --%-20s %-28s default \"%s\"\n      %s\n", settings[i].name, env, settings[i].def,
            settings[i].help);
  }
}

int mc_config_load(mc_config *cfg, int argc, char **argv, int first, FILE *out, FILE *err) {
  char env[64], source[96];
  memset(cfg, 0, sizeof *cfg);
  for (size_t i = 0; i < NSETTINGS; i++)
    if (apply(cfg, &settings[i], settings[i].def, settings[i].name, err) != 0) return MC_ERR_INTERNAL;
  for (size_t i = 0; i < NSETTINGS; i++) {
    env_name(&settings[i], env, sizeof env);
    const char *v = getenv(env);
    if (v && apply(cfg, &settings[i], v, env, err) != 0) return MC_ERR_INVALID;
  }
  for (int a = first; a < argc; a++) {
    const char *arg = argv[a], *value = NULL;
    size_t name_len;
    const setting *s = NULL;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      mc_config_print_help(out);
      return MC_ERR_NOT_FOUND;
    }
    if (strncmp(arg, "--", 2) != 0) {
      fprintf(err, "mercato: unexpected argument \"%s\" (see mercato --help)\n", arg);
      return MC_ERR_INVALID;
    }
    arg += 2;
    const char *eq = strchr(arg, '=');
    name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t i = 0; i < NSETTINGS; i++)
      if (strlen(settings[i].name) == name_len && strncmp(settings[i].name, arg, name_len) == 0)
        s = &settings[i];
    if (!s) {
      fprintf(err, "mercato: unknown flag --%.*s (see mercato --help)\n", (int)name_len, arg);
      return MC_ERR_INVALID;
    }
    if (eq) value = eq + 1;
    else if (a + 1 < argc) value = argv[++a];
    else {
      fprintf(err, "mercato: --%s needs a value\n", s->name);
      return MC_ERR_INVALID;
    }
    env_name(s, env, sizeof env);
    snprintf(source, sizeof source, "--%s (%s)", s->name, env);
    if (apply(cfg, s, value, source, err) != 0) return MC_ERR_INVALID;
  }
  if (cfg->refresh_idle_ttl > cfg->refresh_max_ttl) {
    fprintf(err, "mercato: MERCATO_REFRESH_IDLE_TTL must not exceed MERCATO_REFRESH_MAX_TTL\n");
    return MC_ERR_INVALID;
  }
  if ((*cfg->admin_email == '\0') != (*cfg->admin_password == '\0')) {
    fprintf(err, "mercato: MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD must be set together\n");
    return MC_ERR_INVALID;
  }
  if ((*cfg->tls_cert == '\0') != (*cfg->tls_key == '\0')) {
    fprintf(err, "mercato: MERCATO_TLS_CERT and MERCATO_TLS_KEY must be set together\n");
    return MC_ERR_INVALID;
  }
  return MC_OK;
}

int mc_config_threads(const mc_config *cfg) {
  if (cfg->threads > 0) return cfg->threads;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1) cores = 1;
  return (int)(cores * 4 > 1024 ? 1024 : cores * 4);
}

void mc_config_free(mc_config *cfg) {
  for (size_t i = 0; i < NSETTINGS; i++) {
    setting_type t = settings[i].type;
    if (t == T_STR || t == T_ADDR || t == T_ORIGINS || t == T_REDIS || t == T_JWT_ALG || t == T_CURRENCY) {
      char **field = (char **)((char *)cfg + settings[i].offset);
      free(*field);
      *field = NULL;
    }
  }
}
