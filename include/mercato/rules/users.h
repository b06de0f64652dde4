/* rules/users.h - the user aggregate's field rules, stated once: what an email, a name, a role,
 * a status, a password and a stored password hash may be, and the reading of a user document
 * against them. Pure code: the accounts service, the store's wrappers (store_users.c) and every
 * store adapter call these, so none keeps a copy. openapi.yaml states the same numbers. */
#ifndef MERCATO_RULES_USERS_H
#define MERCATO_RULES_USERS_H

#include <jansson.h>
#include <stddef.h>

#include "mercato/refusal.h"

/* Longest values, in bytes unless said. 254 is the longest address SMTP can deliver to. */
#define MC_USER_EMAIL_MAX 254
#define MC_USER_EMAIL_LOCAL_MAX 64 /* the part before the '@' (RFC 5321) */
#define MC_USER_NAME_MAX_CHARS 200
#define MC_USER_NAME_MAX (4 * MC_USER_NAME_MAX_CHARS) /* bytes: 200 characters of up to 4 */
#define MC_USER_PASSWORD_MIN 12                       /* bytes of UTF-8 */
#define MC_USER_PASSWORD_MAX 1024                     /* bytes of UTF-8, never truncated */
#define MC_USER_PASSWORD_HASH_MAX 512                 /* an encoded hash (PHC string) */

/* The members of a user document, in the order adapters bind them. */
typedef enum mc_user_field {
  MC_USER_F_ID,
  MC_USER_F_EMAIL,
  MC_USER_F_NAME,
  MC_USER_F_ROLE,
  MC_USER_F_STATUS,
  MC_USER_F_PASSWORD_HASH,
  MC_USER_F_COUNT
} mc_user_field;

/* One member's rule. Values are strings of 1..max_len bytes with no NUL that valid accepts. */
typedef struct mc_user_field_spec {
  const char *name;                          /* the member ("email") */
  size_t max_len;                            /* bytes */
  int updatable;                             /* 1: user_update may change it */
  int (*valid)(const char *s, size_t len);   /* the member's own rule */
  const char *code;                          /* validation code when refused ("invalid_email") */
  const char *message;                       /* ... and its sentence */
} mc_user_field_spec;

/* The spec of every member, indexed by mc_user_field. */
extern const mc_user_field_spec mc_user_fields[MC_USER_F_COUNT];

/* Each returns 1 when s (len bytes, borrowed) is a valid stored value of its member. */
int mc_user_id_valid(const char *s, size_t len);     /* "usr_" and the id codec's form */
/* A normalised address: 3..MC_USER_EMAIL_MAX bytes, lower-case, one '@' after a local part of
 * 1..MC_USER_EMAIL_LOCAL_MAX bytes that neither starts nor ends with '.', a domain with a dot
 * that is neither first nor last and no "..", and no space, control character or any of
 * "<>()[],;:\ (what mc_user_email_normalize makes of an acceptable address). */
int mc_user_email_valid(const char *s, size_t len);
/* A normalised name: UTF-8 of 1..MC_USER_NAME_MAX_CHARS characters (at most MC_USER_NAME_MAX
 * bytes), no control character (C0, DEL, C1), no space or tab at either end. */
int mc_user_name_valid(const char *s, size_t len);
int mc_user_role_valid(const char *s, size_t len);   /* "customer" or "admin" */
int mc_user_status_valid(const char *s, size_t len); /* "active" or "disabled" */
/* 1..MC_USER_PASSWORD_HASH_MAX bytes of printable ASCII (encoded hashes are). */
int mc_user_password_hash_valid(const char *s, size_t len);

/* Trims spaces and tabs from raw (NUL-terminated, borrowed), lower-cases it into out, and
 * checks the result with mc_user_email_valid. MC_ERR_INVALID otherwise (out then undefined). */
int mc_user_email_normalize(const char *raw, char out[MC_USER_EMAIL_MAX + 1]);
/* Trims spaces and tabs from raw into out and checks the result with mc_user_name_valid.
 * MC_ERR_INVALID otherwise. */
int mc_user_name_normalize(const char *raw, char out[MC_USER_NAME_MAX + 1]);

/* A user document's members as read by mc_user_doc_read: s[i] (borrowed from the document)
 * and len[i] for each member present, NULL where absent; count of those present. */
typedef struct mc_user_values {
  const char *s[MC_USER_F_COUNT];
  size_t len[MC_USER_F_COUNT];
  int count;
} mc_user_values;

typedef enum mc_user_doc_kind {
  MC_USER_DOC_CREATE, /* every member required, nothing else */
  MC_USER_DOC_UPDATE  /* a non-empty subset of the updatable members */
} mc_user_doc_kind;

/* Reads doc (borrowed: a create document or an update's changes) into *v, or returns
 * MC_ERR_INVALID with a validation error in why (may be NULL) naming the first member at
 * fault, or "user" for a document that is not an object, has a member a user does not have
 * (never echoed: it comes from outside), or lacks one. */
int mc_user_doc_read(const json_t *doc, mc_user_doc_kind kind, mc_user_values *v, mc_refusal *why);

#endif
