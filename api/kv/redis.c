/* redis.c - the Redis kv adapter (hiredis 0.14): one blocking connection per thread, every user
 * byte sent as a length-counted argument, Lua scripts where a check and a write must be atomic. */
#include "mercato/kv.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/log.h"

/* Creates the key at 0 with its TTL only if absent, so the TTL is set once by the call that
 * creates the window. The result is read back with GET because Lua numbers are doubles and
 * would round counters above 2^53. INCRBY's refusal comes back as {0, error text}. */
static const char RDS_INCR_LUA[] =
  "if tonumber(ARGV[2]) > 0 then\n"
  "  redis.call('SET', KEYS[1], '0', 'NX', 'PX', ARGV[2])\n"
  "end\n"
  "local r = redis.pcall('INCRBY', KEYS[1], ARGV[1])\n"
  "if type(r) == 'table' and r.err then return {0, r.err} end\n"
  "return {1, redis.call('GET', KEYS[1])}\n";

/* ARGV: expected, mode ('1' replace, '0' delete), new value, ttl. Lua strings compare byte for
 * byte, NULs included. Answers 0 missing, 1 mismatch, 2 swapped. */
static const char RDS_CAS_LUA[] =
  "local cur = redis.call('GET', KEYS[1])\n"
  "if not cur then return 0 end\n"
  "if cur ~= ARGV[1] then return 1 end\n"
  "if ARGV[2] == '0' then\n"
  "  redis.call('DEL', KEYS[1])\n"
  "elseif tonumber(ARGV[4]) > 0 then\n"
  "  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])\n"
  "else\n"
  "  redis.call('SET', KEYS[1], ARGV[3])\n"
  "end\n"
  "return 2\n";

typedef struct rds_target {
  char *host;     /* TCP host without brackets; NULL for a unix socket */
  int port;
  char *path;     /* unix socket path; NULL for TCP */
  char *user;     /* ACL user, or NULL */
  char *password; /* NULL when no AUTH is sent */
  int db;
} rds_target;

struct rds_impl;

/* One thread's connection, owned by that thread's slot of rds_impl.tls and listed in
 * rds_impl.conns so close() can free the connections of threads that are still alive. */
typedef struct rds_conn {
  struct rds_conn *prev, *next;
  struct rds_impl *owner;
  redisContext *c; /* NULL after an I/O error: the next call reconnects */
} rds_conn;

typedef struct rds_impl {
  mc_kv kv;
  rds_target target;
  char where[320];         /* host:port/db or the socket path, for logs: never the password */
  struct timeval timeout;  /* for connect and for every command */
  pthread_key_t tls;
  int has_tls;
  pthread_mutex_t lock;    /* guards conns */
  int has_lock;
  rds_conn *conns;
} rds_impl;

/* ---- URL parsing ---- */

/* Parses n decimal digits (1..9 of them) not above max into *out. MC_OK or MC_ERR_INVALID. */
static int rds_parse_uint(const char *s, size_t n, long max, int *out) {
  long v = 0;
  if (n == 0 || n > 9) return MC_ERR_INVALID;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return MC_ERR_INVALID;
    v = v * 10 + (s[i] - '0');
  }
  if (v > max) return MC_ERR_INVALID;
  *out = (int)v;
  return MC_OK;
}

/* Percent-decodes s[0..n) into a new string *out the caller frees. A truncated escape or %00
 * (which would cut the credential short) is MC_ERR_INVALID. */
static int rds_decode(const char *s, size_t n, char **out) {
  char *d = malloc(n + 1);
  if (d == NULL) return MC_ERR_INTERNAL;
  if (mc_percent_decode(s, n, d, n + 1, 0) < 0) {
    explicit_bzero(d, n + 1); /* the prefix decoded so far may be part of a password */
    free(d);
    return MC_ERR_INVALID;
  }
  *out = d;
  return MC_OK;
}

/* Reads "[user]:password" from s[0..n). "user@" alone is ambiguous (user or password?) and is
 * refused; ":" with nothing around it means no AUTH. */
static int rds_parse_userinfo(const char *s, size_t n, rds_target *t) {
  const char *colon = memchr(s, ':', n);
  size_t user_n, pass_n;
  int rc;
  if (colon == NULL) return MC_ERR_INVALID;
  user_n = (size_t)(colon - s);
  pass_n = n - user_n - 1;
  if (pass_n == 0) return user_n == 0 ? MC_OK : MC_ERR_INVALID;
  if (user_n > 0 && (rc = rds_decode(s, user_n, &t->user)) != MC_OK) return rc;
  return rds_decode(colon + 1, pass_n, &t->password);
}

static int rds_host_char(char ch, int bracketed) {
  if (bracketed) return mc_hex_value(ch) >= 0 || ch == ':' || ch == '.';
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '.' || ch == '-' || ch == '_';
}

/* Reads "host[:port]" or "[v6][:port]" from s[0..n). */
static int rds_parse_hostport(const char *s, size_t n, rds_target *t) {
  const char *host = s, *rest;
  size_t host_n;
  int bracketed = n > 0 && s[0] == '[';

  if (bracketed) {
    const char *close = memchr(s, ']', n);
    if (close == NULL) return MC_ERR_INVALID;
    host = s + 1;
    host_n = (size_t)(close - host);
    rest = close + 1;
  } else {
    const char *colon = memchr(s, ':', n);
    host_n = colon != NULL ? (size_t)(colon - s) : n;
    rest = s + host_n;
  }
  if (host_n == 0 || host_n > 253) return MC_ERR_INVALID;
  for (size_t i = 0; i < host_n; i++)
    if (!rds_host_char(host[i], bracketed)) return MC_ERR_INVALID;
  t->port = 6379;
  if (rest < s + n) {
    if (*rest != ':') return MC_ERR_INVALID;
    rest++;
    if (rds_parse_uint(rest, (size_t)(s + n - rest), 65535, &t->port) != MC_OK || t->port == 0)
      return MC_ERR_INVALID;
  }
  t->host = strndup(host, host_n);
  return t->host != NULL ? MC_OK : MC_ERR_INTERNAL;
}

/* redis://[[user]:password@]host[:port][/db]; s points after the scheme. */
static int rds_parse_tcp(const char *s, rds_target *t) {
  size_t auth_n = strcspn(s, "/?#");
  const char *at = NULL;
  const char *hostport = s;
  int rc;

  if (s[auth_n] == '?' || s[auth_n] == '#') return MC_ERR_INVALID;
  /* The last '@' ends the credentials, so an unescaped '@' in a password still parses. */
  for (size_t i = 0; i < auth_n; i++)
    if (s[i] == '@') at = s + i;
  if (at != NULL) {
    rc = rds_parse_userinfo(s, (size_t)(at - s), t);
    if (rc != MC_OK) return rc;
    hostport = at + 1;
  }
  rc = rds_parse_hostport(hostport, (size_t)(s + auth_n - hostport), t);
  if (rc != MC_OK) return rc;
  if (s[auth_n] == '/' && s[auth_n + 1] != '\0')
    return rds_parse_uint(s + auth_n + 1, strlen(s + auth_n + 1), 999999999, &t->db);
  return MC_OK;
}

/* unix:///path.sock[?db=N][&user=U][&password=P]; s points after the scheme. */
static int rds_parse_unix(const char *s, rds_target *t) {
  size_t path_n = strcspn(s, "?");
  const char *q = s + path_n;
  int seen_db = 0;
  int rc;

  if (s[0] != '/' || path_n < 2 || path_n >= sizeof(((struct sockaddr_un *)0)->sun_path))
    return MC_ERR_INVALID;
  t->path = strndup(s, path_n);
  if (t->path == NULL) return MC_ERR_INTERNAL;
  if (*q == '\0') return MC_OK;
  q++;
  if (*q == '\0') return MC_ERR_INVALID;
  while (*q != '\0') {
    size_t n = strcspn(q, "&");
    const char *eq = memchr(q, '=', n);
    size_t name_n = eq != NULL ? (size_t)(eq - q) : n;
    const char *v = eq != NULL ? eq + 1 : q + n;
    size_t v_n = (size_t)(q + n - v);
    if (eq == NULL || v_n == 0) return MC_ERR_INVALID;
    if (name_n == 2 && memcmp(q, "db", 2) == 0 && !seen_db) {
      seen_db = 1;
      rc = rds_parse_uint(v, v_n, 999999999, &t->db);
    } else if (name_n == 4 && memcmp(q, "user", 4) == 0 && t->user == NULL) {
      rc = rds_decode(v, v_n, &t->user);
    } else if (name_n == 8 && memcmp(q, "password", 8) == 0 && t->password == NULL) {
      rc = rds_decode(v, v_n, &t->password);
    } else {
      rc = MC_ERR_INVALID; /* unknown or repeated parameter */
    }
    if (rc != MC_OK) return rc;
    q += n;
    if (*q == '&') {
      q++;
      if (*q == '\0') return MC_ERR_INVALID;
    }
  }
  return t->user != NULL && t->password == NULL ? MC_ERR_INVALID : MC_OK;
}

static void rds_target_free(rds_target *t) {
  free(t->host);
  free(t->path);
  free(t->user);
  if (t->password != NULL) {
    /* Not to leave the secret in freed heap memory. */
    explicit_bzero(t->password, strlen(t->password));
    free(t->password);
  }
  memset(t, 0, sizeof *t);
}

/* Fills *t from url; on failure *t is left empty. MC_OK, MC_ERR_INVALID or MC_ERR_INTERNAL. */
static int rds_parse_url(const char *url, rds_target *t) {
  int rc;
  memset(t, 0, sizeof *t);
  if (strncasecmp(url, "redis://", 8) == 0)
    rc = rds_parse_tcp(url + 8, t);
  else if (strncasecmp(url, "unix://", 7) == 0)
    rc = rds_parse_unix(url + 7, t);
  else
    rc = MC_ERR_INVALID;
  if (rc != MC_OK) rds_target_free(t);
  return rc;
}

/* ---- connections ---- */

/* The status of an error reply. Only the error code (its first word) is logged: some Redis
 * messages quote the command's arguments, which hold keys and values. */
static int rds_error_status(const char *error, const char *what) {
  static const char *const unavailable[] = {"LOADING", "BUSY", "MASTERDOWN", "READONLY",
                                            "TRYAGAIN", "CLUSTERDOWN", "OOM", "NOAUTH",
                                            "NOPERM", "WRONGPASS", "MISCONF", NULL};
  size_t n = error != NULL ? strcspn(error, " \r\n") : 0;
  int rc = MC_ERR_INTERNAL;
  if (n == 9 && strncmp(error, "WRONGTYPE", 9) == 0) rc = MC_ERR_INVALID;
  for (int i = 0; unavailable[i] != NULL; i++)
    if (strlen(unavailable[i]) == n && strncmp(error, unavailable[i], n) == 0)
      rc = MC_ERR_UNAVAILABLE;
  mc_warn("kv.redis", "%s refused by Redis: %.*s", what, (int)(n > 32 ? 32 : n),
          error != NULL ? error : "");
  return rc;
}

static int rds_unexpected(const redisReply *reply, const char *what) {
  mc_warn("kv.redis", "%s: unexpected reply type %d", what, reply->type);
  return MC_ERR_INTERNAL;
}

/* Runs a set-up command that must answer the status want. MC_OK or MC_ERR_UNAVAILABLE. */
static int rds_setup_cmd(redisContext *c, const char *where, const char *what, int argc,
                         const char **argv, const size_t *lens, const char *want) {
  redisReply *reply = redisCommandArgv(c, argc, argv, lens);
  int rc = MC_ERR_UNAVAILABLE;
  if (reply == NULL) {
    mc_warn("kv.redis", "%s on %s failed: %s", what, where, c->errstr);
    return rc;
  }
  if (reply->type == REDIS_REPLY_STATUS && reply->str != NULL && strcmp(reply->str, want) == 0)
    rc = MC_OK;
  else if (reply->type == REDIS_REPLY_ERROR)
    rds_error_status(reply->str, what);
  else
    rds_unexpected(reply, what);
  freeReplyObject(reply);
  return rc == MC_OK ? MC_OK : MC_ERR_UNAVAILABLE;
}

/* Opens, authenticates and selects the database for a new connection; *out is a new context
 * the caller frees with redisFree. MC_OK or MC_ERR_UNAVAILABLE. */
static int rds_connect(rds_impl *r, redisContext **out) {
  const rds_target *t = &r->target;
  redisContext *c;
  int rc = MC_ERR_UNAVAILABLE;
  char db[16], name[32];

  *out = NULL;
  c = t->path != NULL ? redisConnectUnixWithTimeout(t->path, r->timeout)
                      : redisConnectWithTimeout(t->host, t->port, r->timeout);
  if (c == NULL) {
    mc_warn("kv.redis", "connect to %s: out of memory", r->where);
    goto done;
  }
  if (c->err) {
    mc_warn("kv.redis", "connect to %s failed: %s", r->where, c->errstr);
    goto done;
  }
  if (redisSetTimeout(c, r->timeout) != REDIS_OK) {
    mc_warn("kv.redis", "cannot set the command timeout on %s", r->where);
    goto done;
  }
  /* Keepalive notices a peer that vanished without a FIN on an otherwise idle connection. */
  if (t->path == NULL) redisEnableKeepAlive(c);
  if (t->password != NULL) {
    const char *argv[3] = {"AUTH", t->user, t->password};
    size_t lens[3] = {4, t->user != NULL ? strlen(t->user) : 0, strlen(t->password)};
    if (t->user == NULL) {
      argv[1] = t->password;
      lens[1] = lens[2];
    }
    rc = rds_setup_cmd(c, r->where, "AUTH", t->user != NULL ? 3 : 2, argv, lens, "OK");
    if (rc != MC_OK) goto done;
  }
  if (t->db != 0) {
    const char *argv[2] = {"SELECT", db};
    size_t lens[2] = {6, (size_t)snprintf(db, sizeof db, "%d", t->db)};
    rc = rds_setup_cmd(c, r->where, "SELECT", 2, argv, lens, "OK");
    if (rc != MC_OK) goto done;
  }
  {
    /* Names the connection so CLIENT LIST tells which process holds it. Optional: some
     * managed Redis services disable CLIENT, so only an I/O error fails the connect. */
    const char *argv[3] = {"CLIENT", "SETNAME", name};
    size_t lens[3] = {6, 7, (size_t)snprintf(name, sizeof name, "mercato-%ld", (long)getpid())};
    redisReply *reply = redisCommandArgv(c, 3, argv, lens);
    if (reply == NULL) {
      mc_warn("kv.redis", "CLIENT SETNAME on %s failed: %s", r->where, c->errstr);
      rc = MC_ERR_UNAVAILABLE;
      goto done;
    }
    freeReplyObject(reply);
  }
  *out = c;
  c = NULL;
  rc = MC_OK;
done:
  if (c != NULL) redisFree(c);
  return rc;
}

/* pthread key destructor: a worker thread is exiting, so its connection goes with it. */
static void rds_conn_destroy(void *arg) {
  rds_conn *conn = arg;
  rds_impl *r = conn->owner;
  pthread_mutex_lock(&r->lock);
  if (conn->prev != NULL) conn->prev->next = conn->next;
  else r->conns = conn->next;
  if (conn->next != NULL) conn->next->prev = conn->prev;
  pthread_mutex_unlock(&r->lock);
  if (conn->c != NULL) redisFree(conn->c);
  free(conn);
}

/* Sets *out to the calling thread's connection (borrowed: it belongs to the thread), creating
 * or reconnecting it. MC_OK, MC_ERR_UNAVAILABLE or MC_ERR_INTERNAL. */
static int rds_thread_conn(rds_impl *r, rds_conn **out) {
  rds_conn *conn = pthread_getspecific(r->tls);
  if (conn == NULL) {
    conn = calloc(1, sizeof *conn);
    if (conn == NULL) return MC_ERR_INTERNAL;
    conn->owner = r;
    if (pthread_setspecific(r->tls, conn) != 0) {
      free(conn);
      return MC_ERR_INTERNAL;
    }
    pthread_mutex_lock(&r->lock);
    conn->next = r->conns;
    if (r->conns != NULL) r->conns->prev = conn;
    r->conns = conn;
    pthread_mutex_unlock(&r->lock);
  }
  if (conn->c == NULL) {
    int rc = rds_connect(r, &conn->c);
    if (rc != MC_OK) return rc;
  }
  *out = conn;
  return MC_OK;
}

/* Sends one command on this thread's connection. *out is a new non-error reply the caller
 * frees with freeReplyObject; an error reply becomes a status. After an I/O error the
 * connection is dropped (a late reply would otherwise answer the next command); the command is
 * sent again on a fresh connection only when retry_safe, i.e. repeating it cannot change data. */
static int rds_run(rds_impl *r, const char *what, int retry_safe, int argc, const char **argv,
                   const size_t *lens, redisReply **out) {
  *out = NULL;
  for (int attempt = 0; attempt < 2; attempt++) {
    rds_conn *conn;
    redisReply *reply;
    int rc = rds_thread_conn(r, &conn);
    if (rc != MC_OK) return rc;
    reply = redisCommandArgv(conn->c, argc, argv, lens);
    if (reply != NULL) {
      if (reply->type == REDIS_REPLY_ERROR) {
        rc = rds_error_status(reply->str, what);
        freeReplyObject(reply);
        return rc;
      }
      *out = reply;
      return MC_OK;
    }
    mc_warn("kv.redis", "%s on %s failed: %s", what, r->where, conn->c->errstr);
    redisFree(conn->c);
    conn->c = NULL;
    if (!retry_safe) break;
  }
  return MC_ERR_UNAVAILABLE;
}

/* ---- operations ---- */

/* hiredis copies argv[i] with memcpy, which must not see NULL even for 0 bytes. */
static const char *rds_bytes(const void *p) {
  return p != NULL ? p : "";
}

static int rds_get(mc_kv *kv, const char *key, char **out, size_t *out_len) {
  redisReply *reply = NULL;
  size_t key_len;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (out_len != NULL) *out_len = 0;
  rc = mc_kv_check(key, &key_len, NULL, 0, 0);
  if (rc != MC_OK) return rc;
  {
    const char *argv[2] = {"GET", key};
    size_t lens[2] = {3, key_len};
    rc = rds_run(kv->impl, "GET", 1, 2, argv, lens, &reply);
  }
  if (rc != MC_OK) goto done;
  if (reply->type == REDIS_REPLY_NIL) {
    rc = MC_ERR_NOT_FOUND;
  } else if (reply->type == REDIS_REPLY_STRING && reply->len <= MC_KV_VALUE_MAX) {
    *out = malloc(reply->len + 1);
    if (*out == NULL) {
      rc = MC_ERR_INTERNAL;
      goto done;
    }
    if (reply->len > 0) memcpy(*out, reply->str, reply->len);
    (*out)[reply->len] = '\0';
    if (out_len != NULL) *out_len = reply->len;
  } else {
    rc = rds_unexpected(reply, "GET");
  }
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

/* SET, with NX for set_nx: a nil reply then means the key was already there. */
static int rds_store(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms,
                     int only_if_absent) {
  redisReply *reply = NULL;
  const char *argv[6] = {"SET", key, rds_bytes(value)};
  size_t lens[6] = {3, 0, len};
  char ttl[24];
  int argc = 3;
  int rc = mc_kv_check(key, &lens[1], value, len, ttl_ms);
  if (rc != MC_OK) return rc;
  if (only_if_absent) {
    argv[argc] = "NX";
    lens[argc++] = 2;
  }
  if (ttl_ms > 0) {
    argv[argc] = "PX";
    lens[argc++] = 2;
    argv[argc] = ttl;
    lens[argc++] = (size_t)snprintf(ttl, sizeof ttl, "%" PRId64, ttl_ms);
  }
  rc = rds_run(kv->impl, "SET", 0, argc, argv, lens, &reply);
  if (rc != MC_OK) goto done;
  if (reply->type == REDIS_REPLY_STATUS && reply->str != NULL && strcmp(reply->str, "OK") == 0)
    rc = MC_OK;
  else if (only_if_absent && reply->type == REDIS_REPLY_NIL)
    rc = MC_ERR_CONFLICT;
  else
    rc = rds_unexpected(reply, "SET");
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

static int rds_set(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return rds_store(kv, key, value, len, ttl_ms, 0);
}

/* A cache entry is a plain SET PX: Redis's own maxmemory policy decides what to evict, and the
 * TTL every cache entry has makes it a candidate for the volatile-* policies. */
static int rds_set_cache(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  if (ttl_ms <= 0) return MC_ERR_INVALID;
  return rds_store(kv, key, value, len, ttl_ms, 0);
}

static int rds_set_nx(mc_kv *kv, const char *key, const void *value, size_t len, int64_t ttl_ms) {
  return rds_store(kv, key, value, len, ttl_ms, 1);
}

static int rds_del(mc_kv *kv, const char *key) {
  redisReply *reply = NULL;
  const char *argv[2] = {"DEL", key};
  size_t lens[2] = {3, 0};
  int rc = mc_kv_check(key, &lens[1], NULL, 0, 0);
  if (rc != MC_OK) return rc;
  /* Retried after an I/O error: a second DEL deletes nothing more, though it may then answer
   * NOT_FOUND for a key the lost first attempt removed. */
  rc = rds_run(kv->impl, "DEL", 1, 2, argv, lens, &reply);
  if (rc != MC_OK) goto done;
  if (reply->type == REDIS_REPLY_INTEGER && (reply->integer == 0 || reply->integer == 1))
    rc = reply->integer == 1 ? MC_OK : MC_ERR_NOT_FOUND;
  else
    rc = rds_unexpected(reply, "DEL");
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

static int rds_incr(mc_kv *kv, const char *key, int64_t delta, int64_t ttl_ms, int64_t *out) {
  redisReply *reply = NULL;
  char delta_s[24], ttl_s[24];
  const char *argv[6] = {"EVAL", RDS_INCR_LUA, "1", key, delta_s, ttl_s};
  size_t lens[6] = {4, sizeof RDS_INCR_LUA - 1, 1, 0, 0, 0};
  int64_t value;
  int rc = mc_kv_check(key, &lens[3], NULL, 0, ttl_ms);
  if (rc != MC_OK) return rc;
  lens[4] = (size_t)snprintf(delta_s, sizeof delta_s, "%" PRId64, delta);
  lens[5] = (size_t)snprintf(ttl_s, sizeof ttl_s, "%" PRId64, ttl_ms);
  rc = rds_run(kv->impl, "INCR", 0, 6, argv, lens, &reply);
  if (rc != MC_OK) goto done;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER) {
    rc = rds_unexpected(reply, "INCR");
  } else if (reply->element[0]->integer == 0) {
    /* INCRBY's own refusals (not an integer, overflow) are plain ERR; anything else (READONLY,
     * OOM, WRONGTYPE...) says something about the server or the key, classified as usual. */
    const redisReply *e = reply->elements == 2 ? reply->element[1] : NULL;
    if (e == NULL || e->type != REDIS_REPLY_STRING || e->str == NULL)
      rc = rds_unexpected(reply, "INCR");
    else
      rc = strncmp(e->str, "ERR ", 4) == 0 ? MC_ERR_INVALID : rds_error_status(e->str, "INCR");
  } else if (reply->elements != 2 || reply->element[1]->type != REDIS_REPLY_STRING ||
             mc_kv_parse_int(reply->element[1]->str, reply->element[1]->len, &value) != MC_OK) {
    rc = rds_unexpected(reply, "INCR");
  } else if (out != NULL) {
    *out = value;
  }
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

static int rds_cas(mc_kv *kv, const char *key, const void *expected, size_t expected_len,
                   const void *new_value, size_t new_len, int64_t ttl_ms) {
  redisReply *reply = NULL;
  char ttl_s[24];
  const char *argv[8] = {"EVAL", RDS_CAS_LUA, "1", key, rds_bytes(expected),
                         new_value != NULL ? "1" : "0", rds_bytes(new_value), ttl_s};
  size_t lens[8] = {4, sizeof RDS_CAS_LUA - 1, 1, 0, expected_len, 1,
                    new_value != NULL ? new_len : 0, 0};
  int rc = mc_kv_check(key, &lens[3], expected, expected_len, 0);
  if (rc != MC_OK) return rc;
  rc = mc_kv_check(key, NULL, new_value, lens[6], ttl_ms);
  if (rc != MC_OK) return rc;
  lens[7] = (size_t)snprintf(ttl_s, sizeof ttl_s, "%" PRId64, ttl_ms);
  rc = rds_run(kv->impl, "CAS", 0, 8, argv, lens, &reply);
  if (rc != MC_OK) goto done;
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0)
    rc = MC_ERR_NOT_FOUND;
  else if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 1)
    rc = MC_ERR_CONFLICT;
  else if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 2)
    rc = MC_OK;
  else
    rc = rds_unexpected(reply, "CAS");
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

static int rds_pttl(mc_kv *kv, const char *key, int64_t *out_ms) {
  redisReply *reply = NULL;
  const char *argv[2] = {"PTTL", key};
  size_t lens[2] = {4, 0};
  int rc;
  if (out_ms == NULL) return MC_ERR_INVALID;
  rc = mc_kv_check(key, &lens[1], NULL, 0, 0);
  if (rc != MC_OK) return rc;
  rc = rds_run(kv->impl, "PTTL", 1, 2, argv, lens, &reply);
  if (rc != MC_OK) goto done;
  if (reply->type != REDIS_REPLY_INTEGER || reply->integer < -2)
    rc = rds_unexpected(reply, "PTTL");
  else if (reply->integer == -2)
    rc = MC_ERR_NOT_FOUND;
  else
    *out_ms = reply->integer;
done:
  if (reply != NULL) freeReplyObject(reply);
  return rc;
}

static int rds_ping(mc_kv *kv) {
  redisReply *reply = NULL;
  const char *argv[1] = {"PING"};
  size_t lens[1] = {4};
  int rc = rds_run(kv->impl, "PING", 1, 1, argv, lens, &reply);
  if (rc != MC_OK) return rc;
  if (reply->type != REDIS_REPLY_STATUS || reply->str == NULL || strcmp(reply->str, "PONG") != 0)
    rc = rds_unexpected(reply, "PING");
  freeReplyObject(reply);
  return rc;
}

/* Frees every thread's connection and the adapter. Deleting the key first means no exiting
 * thread runs rds_conn_destroy afterwards; the caller guarantees none is using kv meanwhile. */
static void rds_close(mc_kv *kv) {
  rds_impl *r;
  if (kv == NULL) return;
  r = kv->impl;
  if (r->has_tls) pthread_key_delete(r->tls);
  while (r->conns != NULL) {
    rds_conn *conn = r->conns;
    r->conns = conn->next;
    if (conn->c != NULL) redisFree(conn->c);
    free(conn);
  }
  if (r->has_lock) pthread_mutex_destroy(&r->lock);
  rds_target_free(&r->target);
  free(r);
}

static const mc_kv_ops rds_ops = {
  .get = rds_get,
  .set = rds_set,
  .set_cache = rds_set_cache,
  .set_nx = rds_set_nx,
  .del = rds_del,
  .incr = rds_incr,
  .cas = rds_cas,
  .pttl = rds_pttl,
  .ping = rds_ping,
  .close = rds_close,
};

/* hiredis writes with write(2), so a connection the server reset would raise SIGPIPE, whose
 * default action kills the whole server; ignored, the write fails with EPIPE and the call
 * becomes MC_ERR_UNAVAILABLE. A handler the program installed itself is left alone. */
static void rds_ignore_sigpipe(void) {
  struct sigaction sa;
  if (sigaction(SIGPIPE, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) &&
      sa.sa_handler == SIG_DFL)
    signal(SIGPIPE, SIG_IGN);
}

int mc_kv_redis_open(const char *url, int timeout_ms, mc_kv **out) {
  rds_impl *r = NULL;
  int rc;

  if (out == NULL) return MC_ERR_INVALID;
  *out = NULL;
  if (url == NULL || timeout_ms <= 0) return MC_ERR_INVALID;
  r = calloc(1, sizeof *r);
  if (r == NULL) return MC_ERR_INTERNAL;
  r->kv.ops = &rds_ops;
  r->kv.name = "redis";
  r->kv.impl = r;
  rc = rds_parse_url(url, &r->target);
  if (rc != MC_OK) {
    /* Not the URL itself: it may carry a password. */
    mc_warn("kv.redis", "malformed Redis URL (expected redis://[[user]:password@]host[:port][/db]"
                        " or unix:///path[?db=N])");
    goto done;
  }
  if (r->target.path != NULL)
    snprintf(r->where, sizeof r->where, "%s db %d", r->target.path, r->target.db);
  else
    snprintf(r->where, sizeof r->where, strchr(r->target.host, ':') != NULL ? "[%s]:%d db %d"
             : "%s:%d db %d", r->target.host, r->target.port, r->target.db);
  r->timeout.tv_sec = timeout_ms / 1000;
  r->timeout.tv_usec = (timeout_ms % 1000) * 1000;
  if (pthread_mutex_init(&r->lock, NULL) != 0) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  r->has_lock = 1;
  if (pthread_key_create(&r->tls, rds_conn_destroy) != 0) {
    rc = MC_ERR_INTERNAL;
    goto done;
  }
  r->has_tls = 1;
  rds_ignore_sigpipe();
  rc = rds_ping(&r->kv);
  if (rc != MC_OK) {
    mc_error("kv.redis", "cannot use Redis at %s (the warning above says why)", r->where);
    rc = MC_ERR_UNAVAILABLE;
    goto done;
  }
  mc_info("kv.redis", "connected to Redis at %s", r->where);
  *out = &r->kv;
  r = NULL;
done:
  if (r != NULL) rds_close(&r->kv);
  return rc;
}
