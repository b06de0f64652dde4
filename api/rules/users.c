/* users.c - the user aggregate's field rules (rules/users.h): one spec table, the members' own
 * rules, the normalisation of emails and names, and the reading of a user document. */
#include "mercato/rules/users.h"

#include <ctype.h>
#include <string.h>

#include "mercato/codec.h"
#include "mercato/err.h"
#include "mercato/id.h"

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

int mc_user_id_valid(const char *s, size_t len) {
  return len < MC_ID_MAX && strlen(s) == len && mc_id_valid(s, "usr");
}

/* A byte an address may not hold: space and controls, and the specials of RFC 5322 that only
 * quoted forms allow (we accept no quoted forms). */
static int email_byte_refused(unsigned char c) {
  return c <= 0x20 || c == 0x7f || strchr("\"<>(),;:\\[]", c) != NULL || isupper(c);
}

int mc_user_email_valid(const char *s, size_t len) {
  size_t at = 0, ats = 0;
  if (len < 3 || len > MC_USER_EMAIL_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    if (email_byte_refused((unsigned char)s[i])) return 0; /* NUL included */
    if (s[i] == '@') at = i, ats++;
  }
  if (ats != 1 || at == 0 || at > MC_USER_EMAIL_LOCAL_MAX || at + 1 >= len) return 0;
  const char *domain = s + at + 1, *end = s + len, *dot = NULL;
  for (const char *p = domain; p < end; p++) {
    if (*p == '.') dot = p;
    if (*p == '.' && p + 1 < end && p[1] == '.') return 0;
  }
  return dot != NULL && domain[0] != '.' && dot + 1 < end && s[0] != '.' && s[at - 1] != '.';
}

int mc_user_name_valid(const char *s, size_t len) {
  size_t chars = 0;
  if (len == 0 || len > MC_USER_NAME_MAX || is_blank(s[0]) || is_blank(s[len - 1])) return 0;
  for (size_t i = 0; i < len; chars++) {
    const unsigned char *c = (const unsigned char *)s + i;
    size_t n = mc_utf8_decode(c, len - i, NULL);
    if (n == 0 || (n == 1 && (c[0] < 0x20 || c[0] == 0x7f))) return 0; /* NUL included */
    if (n == 2 && c[0] == 0xc2 && c[1] < 0xa0) return 0;              /* C1 controls */
    i += n;
  }
  return chars <= MC_USER_NAME_MAX_CHARS;
}

static int is_one_of(const char *s, size_t len, const char *a, const char *b) {
  return (len == strlen(a) && memcmp(s, a, len) == 0) || (len == strlen(b) && memcmp(s, b, len) == 0);
}

int mc_user_role_valid(const char *s, size_t len) {
  return is_one_of(s, len, "customer", "admin");
}

int mc_user_status_valid(const char *s, size_t len) {
  return is_one_of(s, len, "active", "disabled");
}

int mc_user_password_hash_valid(const char *s, size_t len) {
  if (len == 0 || len > MC_USER_PASSWORD_HASH_MAX) return 0;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) return 0;
  return 1;
}

const mc_user_field_spec mc_user_fields[MC_USER_F_COUNT] = {
  [MC_USER_F_ID] = {"id", MC_ID_MAX - 1, 0, mc_user_id_valid, "invalid_id", "Give a user id (usr_...)."},
  [MC_USER_F_EMAIL] = {"email", MC_USER_EMAIL_MAX, 0, mc_user_email_valid, "invalid_email",
                       "This is not a valid email address."},
  [MC_USER_F_NAME] = {"name", MC_USER_NAME_MAX, 1, mc_user_name_valid, "invalid_name",
                      "Give a name of 1 to 200 characters without control characters."},
  [MC_USER_F_ROLE] = {"role", sizeof "customer" - 1, 1, mc_user_role_valid, "invalid_role",
                      "The role is customer or admin."},
  [MC_USER_F_STATUS] = {"status", sizeof "disabled" - 1, 1, mc_user_status_valid, "invalid_status",
                        "The status is active or disabled."},
  [MC_USER_F_PASSWORD_HASH] = {"password_hash", MC_USER_PASSWORD_HASH_MAX, 1, mc_user_password_hash_valid,
                               "invalid_password_hash", "A password hash is 1 to 512 printable ASCII bytes."},
};

/* Copies raw without its leading and trailing blanks into out (max bytes at most, then NUL);
 * returns the length, or max + 1 when it does not fit. */
static size_t trim_into(const char *raw, char *out, size_t max) {
  const char *start = raw, *end;
  size_t len;
  while (is_blank(*start)) start++;
  end = start + strlen(start);
  while (end > start && is_blank(end[-1])) end--;
  len = (size_t)(end - start);
  if (len > max) return max + 1;
  memcpy(out, start, len);
  out[len] = '\0';
  return len;
}

int mc_user_email_normalize(const char *raw, char out[MC_USER_EMAIL_MAX + 1]) {
  size_t len;
  if (raw == NULL || (len = trim_into(raw, out, MC_USER_EMAIL_MAX)) > MC_USER_EMAIL_MAX) return MC_ERR_INVALID;
  for (size_t i = 0; i < len; i++) out[i] = (char)tolower((unsigned char)out[i]);
  return mc_user_email_valid(out, len) ? MC_OK : MC_ERR_INVALID;
}

int mc_user_name_normalize(const char *raw, char out[MC_USER_NAME_MAX + 1]) {
  size_t len;
  if (raw == NULL || (len = trim_into(raw, out, MC_USER_NAME_MAX)) > MC_USER_NAME_MAX) return MC_ERR_INVALID;
  return mc_user_name_valid(out, len) ? MC_OK : MC_ERR_INVALID;
}

static int field_index(const char *name) {
  for (int i = 0; i < MC_USER_F_COUNT; i++)
    if (strcmp(mc_user_fields[i].name, name) == 0) return i;
  return -1;
}

/* Refuses the document as a whole (not one member's value). */
static int refuse_doc(mc_refusal *why, const char *message) {
  mc_refusal_add_error(why, "user", "invalid", message);
  return MC_ERR_INVALID;
}

int mc_user_doc_read(const json_t *doc, mc_user_doc_kind kind, mc_user_values *v, mc_refusal *why) {
  const char *key;
  json_t *value;

  memset(v, 0, sizeof *v);
  if (!json_is_object(doc)) return refuse_doc(why, "A user is an object.");
  /* jansson's iteration reads only; the cast is for its non-const API. */
  json_object_foreach((json_t *)doc, key, value) {
    int i = field_index(key);
    const mc_user_field_spec *f = i >= 0 ? &mc_user_fields[i] : NULL;
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);

    if (f == NULL) return refuse_doc(why, "A member a user does not have.");
    if (kind == MC_USER_DOC_UPDATE && !f->updatable) {
      mc_refusal_add_error(why, f->name, "not_updatable", "This member cannot change.");
      return MC_ERR_INVALID;
    }
    if (s == NULL || len == 0 || len > f->max_len || strlen(s) != len || !f->valid(s, len)) {
      mc_refusal_add_error(why, f->name, f->code, f->message);
      return MC_ERR_INVALID;
    }
    v->s[i] = s;
    v->len[i] = len;
    v->count++;
  }
  if (kind == MC_USER_DOC_CREATE && v->count != MC_USER_F_COUNT) return refuse_doc(why, "A member is missing.");
  if (kind == MC_USER_DOC_UPDATE && v->count == 0) return refuse_doc(why, "There is nothing to change.");
  return MC_OK;
}
