/* auth.c - the accounts context: signing keys loaded or created under the data directory,
 * and the password policy. (Emails and names are normalised by the user rules, rules/users.c.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mercato/auth.h"
#include "mercato/codec.h"
#include "mercato/digest.h"
#include "mercato/err.h"
#include "mercato/fsutil.h"
#include "mercato/log.h"
#include "mercato/rand.h"

/* Writes len bytes to a new file at path with mode 0600; MC_ERR_CONFLICT when it exists (another
 * process created it first: the caller reads that one instead). */
static int write_new_secret(const char *path, const void *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EEXIST ? MC_ERR_CONFLICT : MC_ERR_INTERNAL;
  ssize_t w = write(fd, data, len);
  int rc = (w == (ssize_t)len && fsync(fd) == 0) ? MC_OK : MC_ERR_INTERNAL;
  close(fd);
  if (rc != MC_OK) unlink(path);
  return rc;
}

/* Reads the secret file at path, creating it with fresh content from make() when it is missing
 * and create is set. *out is a new NUL-terminated buffer the caller wipes and frees. */
static int load_or_create(const char *path, int create, int (*make)(char **), char **out, size_t *out_len) {
  struct stat st;
  int rc = mc_read_file(path, 64 * 1024, out, out_len);
  if (rc != MC_ERR_NOT_FOUND || !create) goto done;
  char *fresh = NULL;
  if ((rc = make(&fresh)) != MC_OK) goto done;
  rc = write_new_secret(path, fresh, strlen(fresh));
  explicit_bzero(fresh, strlen(fresh));
  free(fresh);
  if (rc == MC_OK) mc_info("auth", "created a new signing key at %s", path);
  if (rc != MC_OK && rc != MC_ERR_CONFLICT) goto done;
  rc = mc_read_file(path, 64 * 1024, out, out_len);
done:
  if (rc == MC_OK && stat(path, &st) == 0 && (st.st_mode & 077))
    mc_warn("auth", "%s is readable by other users; chmod 600 it", path);
  return rc;
}

static int make_hs256(char **out) {
  if (!(*out = malloc(2 * 32 + 2))) return MC_ERR_INTERNAL;
  if (mc_rand_hex(*out, 32) != MC_OK) return MC_ERR_INTERNAL;
  strcat(*out, "\n");
  return MC_OK;
}

static int make_es256(char **out) {
  return mc_jwt_generate_es256_pem(out);
}

/* The kid of a key: "k" + 16 hex digits of SHA-256 over its PEM text, stable across restarts. */
static void kid_of(const char *pem, char kid[18]) {
  kid[0] = 'k';
  mc_sha256_hex(pem, strlen(pem), kid + 1, 16);
}

static int load_keys(mc_auth *auth, const mc_config *cfg) {
  char path[4200], kids[9][18];
  char *material[9] = {0};
  size_t len = 0;
  mc_jwt_key_spec specs[9];
  size_t n = 0;
  int es = strcmp(cfg->jwt_alg, "ES256") == 0, rc;
  const char *configured = es ? cfg->jwt_key_file : cfg->jwt_secret_file;

  if (configured[0]) snprintf(path, sizeof path, "%s", configured);
  else snprintf(path, sizeof path, "%s/%s", cfg->data_dir, es ? "jwt-es256.pem" : "jwt-secret");
  rc = load_or_create(path, configured[0] == '\0', es ? make_es256 : make_hs256, &material[0], &len);
  if (rc != MC_OK) {
    mc_error("auth", "cannot read the signing key %s (%s)", path, mc_err_name(rc));
    goto done;
  }
  if (es) {
    kid_of(material[0], kids[0]);
    specs[n++] = (mc_jwt_key_spec){.alg = MC_JWT_ES256, .kid = kids[0], .pem = material[0]};
    for (const char *p = cfg->jwt_previous_keys; *p && n < 9;) {
      const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
      snprintf(path, sizeof path, "%.*s", (int)(end - p), p);
      if ((rc = mc_read_file(path, 64 * 1024, &material[n], NULL)) != MC_OK) {
        mc_error("auth", "cannot read MERCATO_JWT_PREVIOUS_KEYS file %s", path);
        goto done;
      }
      kid_of(material[n], kids[n]);
      specs[n] = (mc_jwt_key_spec){.alg = MC_JWT_ES256, .kid = kids[n], .pem = material[n]};
      n++;
      p = comma ? comma + 1 : end;
    }
  } else {
    while (len > 0 && (material[0][len - 1] == '\n' || material[0][len - 1] == '\r')) len--;
    specs[n++] = (mc_jwt_key_spec){.alg = MC_JWT_HS256, .secret = (unsigned char *)material[0], .secret_len = len};
  }
  if ((rc = mc_jwt_keys_new(specs, n, &auth->keys)) != MC_OK)
    mc_error("auth", "the signing key in %s is not usable for %s (HS256 needs >= 32 bytes)", path, cfg->jwt_alg);
done:
  for (size_t i = 0; i < 9; i++) {
    if (material[i]) explicit_bzero(material[i], strlen(material[i]));
    free(material[i]);
  }
  return rc;
}

int mc_auth_init(mc_auth *auth, const mc_config *cfg, mc_store *store, mc_kv *kv) {
  int rc;
  memset(auth, 0, sizeof *auth);
  auth->store = store;
  auth->kv = kv;
  auth->access_ttl_s = cfg->access_ttl;
  auth->refresh_idle_s = cfg->refresh_idle_ttl;
  auth->refresh_max_s = cfg->refresh_max_ttl;
  if (!(auth->issuer = strdup(cfg->jwt_issuer)) || !(auth->audience = strdup(cfg->jwt_audience))) {
    rc = MC_ERR_INTERNAL;
    goto fail;
  }
  if ((rc = mc_password_policy_init(&auth->policy, (uint32_t)cfg->argon2_m_kib, (uint32_t)cfg->argon2_t,
                                    (uint32_t)cfg->argon2_p)) != MC_OK)
    goto fail;
  if ((rc = mc_password_dummy_init(&auth->dummy, &auth->policy)) != MC_OK) goto fail;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (sem_init(&auth->argon_slots, 0, (unsigned)(cores < 1 ? 1 : cores)) != 0) {
    rc = MC_ERR_INTERNAL;
    goto fail;
  }
  auth->argon_slots_ready = 1;
  if ((rc = load_keys(auth, cfg)) != MC_OK) goto fail;
  return MC_OK;
fail:
  mc_auth_free(auth);
  return rc;
}

void mc_auth_free(mc_auth *auth) {
  if (auth->argon_slots_ready) sem_destroy(&auth->argon_slots);
  mc_jwt_keys_free(auth->keys);
  free(auth->issuer);
  free(auth->audience);
  memset(auth, 0, sizeof *auth);
}

void mc_token_pair_clear(mc_token_pair *pair) {
  free(pair->access_token);
  explicit_bzero(pair, sizeof *pair);
}

json_t *mc_auth_public_user(const json_t *user) {
  json_t *pub = json_object();
  static const char *keys[] = {"id", "email", "name", "role", "status", "created_at", "updated_at"};
  for (size_t i = 0; pub && i < sizeof keys / sizeof keys[0]; i++) {
    json_t *v = json_object_get(user, keys[i]);
    if (v) json_object_set(pub, keys[i], v);
  }
  return pub;
}
