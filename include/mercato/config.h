/* config.h - the server's settings, read from MERCATO_* environment variables and matching
 * command-line flags (flags win). Defaults are the embedded mode. `mercato --help` lists them. */
#ifndef MERCATO_CONFIG_H
#define MERCATO_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct mc_config {
  int port;                 /* MERCATO_PORT, --port */
  char *bind;               /* MERCATO_BIND, --bind: an IPv4 or IPv6 literal */
  char *data_dir;           /* MERCATO_DATA_DIR, --data-dir */
  char *web_dir;            /* MERCATO_WEB_DIR, --web-dir */
  char *redis_url;          /* MERCATO_REDIS_URL, --redis-url: empty means the memory kv */
  int redis_timeout_ms;     /* MERCATO_REDIS_TIMEOUT_MS */
  long memory_kv_max_bytes; /* MERCATO_MEMORY_KV_MAX_BYTES: byte budget of the memory kv */
  char *kv_prefix;          /* MERCATO_KV_PREFIX: put in front of every kv key ("" for none) */
  int log_level;            /* MERCATO_LOG_LEVEL: an mc_log_level */
  int access_log;           /* MERCATO_ACCESS_LOG: 1 or 0 */
  int threads;              /* MERCATO_THREADS: worker threads; 0 means 4 x cores */
  int max_connections;      /* MERCATO_MAX_CONNECTIONS */
  int connection_timeout;   /* MERCATO_CONNECTION_TIMEOUT: seconds idle before a close */
  int max_connections_per_ip; /* MERCATO_MAX_CONNECTIONS_PER_IP: 0 for no limit */
  int header_timeout;       /* MERCATO_HEADER_TIMEOUT: seconds for a request line and headers */
  int request_timeout;      /* MERCATO_REQUEST_TIMEOUT: seconds for a whole request */
  int shutdown_timeout;     /* MERCATO_SHUTDOWN_TIMEOUT: seconds in-flight requests get on stop */
  long max_body;            /* MERCATO_MAX_BODY: largest JSON request body in bytes */
  char *cors_origins;       /* MERCATO_CORS_ORIGINS: comma-separated allow-list of origins */
  char *tls_cert;           /* MERCATO_TLS_CERT: PEM certificate file; with tls_key turns TLS on */
  char *tls_key;            /* MERCATO_TLS_KEY: PEM private key file */
  int db_busy_timeout_ms;   /* MERCATO_DB_BUSY_TIMEOUT_MS: SQLite busy timeout */
  /* Accounts and tokens */
  char *jwt_alg;            /* MERCATO_JWT_ALG: HS256 or ES256 */
  char *jwt_secret_file;    /* MERCATO_JWT_SECRET_FILE: HS256 secret; empty = <data_dir>/jwt-secret */
  char *jwt_key_file;       /* MERCATO_JWT_KEY_FILE: ES256 PEM; empty = <data_dir>/jwt-es256.pem */
  char *jwt_previous_keys;  /* MERCATO_JWT_PREVIOUS_KEYS: comma-separated PEM files still accepted */
  char *jwt_issuer;         /* MERCATO_JWT_ISSUER */
  char *jwt_audience;       /* MERCATO_JWT_AUDIENCE */
  int access_ttl;           /* MERCATO_ACCESS_TTL: access token lifetime, seconds */
  int refresh_idle_ttl;     /* MERCATO_REFRESH_IDLE_TTL: refresh token idle lifetime, seconds */
  int refresh_max_ttl;      /* MERCATO_REFRESH_MAX_TTL: refresh family absolute lifetime, seconds */
  int refresh_families_max; /* MERCATO_REFRESH_FAMILIES_MAX: refresh families a user keeps (newest) */
  int cookie_secure;        /* MERCATO_COOKIE_SECURE: Secure flag on the refresh cookie */
  int argon2_m_kib;         /* MERCATO_ARGON2_M_KIB */
  int argon2_t;             /* MERCATO_ARGON2_T */
  int argon2_p;             /* MERCATO_ARGON2_P */
  int rate_login_ip;        /* MERCATO_RATE_LOGIN_IP: login attempts per IP per minute */
  int rate_login_account;   /* MERCATO_RATE_LOGIN_ACCOUNT: failed sign-ins per account and client
                             * network per 15 min (the hard limit; see README "Sign-in limits") */
  int login_slowdown_after; /* MERCATO_LOGIN_SLOWDOWN_AFTER: failed sign-ins on one account per 15 min
                             * from all networks before networks that failed on it are slowed */
  int login_slowdown_delay; /* MERCATO_LOGIN_SLOWDOWN_DELAY: seconds between such a network's tries */
  int rate_signup_ip;       /* MERCATO_RATE_SIGNUP_IP: signups per IP per hour */
  char *admin_email;        /* MERCATO_ADMIN_EMAIL: first admin created at start when none exists */
  char *admin_password;     /* MERCATO_ADMIN_PASSWORD: that admin's password */
  /* Catalog */
  char *shop_name;          /* MERCATO_SHOP_NAME: the name GET /api/v1/shop gives */
  char *currency;           /* MERCATO_CURRENCY: the shop's ISO 4217 currency */
  long max_image_bytes;     /* MERCATO_MAX_IMAGE_BYTES: largest product image upload */
  int catalog_cache;        /* MERCATO_CATALOG_CACHE: cache product lists and documents in the kv */
  int catalog_cache_ttl;    /* MERCATO_CATALOG_CACHE_TTL: seconds a cached catalog answer lives */
  /* Carts and pricing */
  int cart_max_quantity;    /* MERCATO_CART_MAX_QUANTITY: the most one cart line may hold */
  int cart_max_lines;       /* MERCATO_CART_MAX_LINES: the most distinct products in a cart */
  int guest_cart_ttl;       /* MERCATO_GUEST_CART_TTL: seconds a guest cart lives after its last change */
  int rate_guest_cart_ip;   /* MERCATO_RATE_GUEST_CART_IP: new guest carts per client IP per hour */
  int rate_coupon_ip;       /* MERCATO_RATE_COUPON_IP: coupon attempts per client IP per 10 min */
  int rate_coupon_cart;     /* MERCATO_RATE_COUPON_CART: coupon attempts per cart per 10 min */
  long shipping_flat;       /* MERCATO_SHIPPING_FLAT: shipping charge in minor units */
  long free_shipping_threshold; /* MERCATO_FREE_SHIPPING_THRESHOLD: goods at or above ship free; 0 never */
  int tax_rate_bp;          /* MERCATO_TAX_RATE: a percentage ("8.25"), kept in basis points (825) */
  int tax_inclusive;        /* MERCATO_TAX_INCLUSIVE: 1 when prices include tax */
} mc_config;

/* Fills cfg with the defaults, then the environment, then argv[first..argc). Flags are
 * "--name value" or "--name=value". On a bad value writes a message naming the setting to err
 * and returns MC_ERR_INVALID; "--help" prints the settings to out and returns MC_ERR_NOT_FOUND
 * so the caller can exit 0. Unknown flags are MC_ERR_INVALID. cfg owns its strings. */
int mc_config_load(mc_config *cfg, int argc, char **argv, int first, FILE *out, FILE *err);

/* Prints every setting with its environment variable, flag, default and meaning. */
void mc_config_print_help(FILE *out);

/* Returns the worker thread count to use: cfg->threads, or 4 x online cores when 0. */
int mc_config_threads(const mc_config *cfg);

/* Frees the strings cfg owns; cfg itself is the caller's. */
void mc_config_free(mc_config *cfg);

#endif
