/* store/users.h - the users aggregate of the storage port: its ops table, which each adapter
 * fills, and the wrappers callers use (store_users.c), which check the user rules
 * (mercato/rules/users.h) before dispatching, so an adapter stores and guards uniqueness only.
 * Included by mercato/store.h; include that. */
#ifndef MERCATO_STORE_USERS_H
#define MERCATO_STORE_USERS_H

#include <jansson.h>
#include <stdint.h>

#include "mercato/refusal.h"
#include "mercato/rules/users.h"

typedef struct mc_store mc_store;

/* A user document: {"id": "usr_...", "email", "name", "role": "customer"|"admin",
 * "status": "active"|"disabled", "password_hash", "created_at", "updated_at"}; times are
 * RFC 3339 UTC strings with milliseconds ("2026-11-21T15:30:46.233Z") set by the store. Every
 * member follows mc_user_fields: emails and names arrive normalised (mc_user_email_normalize,
 * mc_user_name_normalize) and emails are compared exactly.
 *
 * What an adapter implements. The wrappers below have already checked every argument (a
 * document read by mc_user_doc_read, keys of a length something stored could have, a valid
 * role, non-NULL outputs), so an adapter only stores, reads and keeps emails unique under any
 * concurrency; it may call mc_user_doc_read itself to get the values it binds. Same contracts
 * as the wrappers. */
typedef struct mc_store_user_ops {
  int (*create)(mc_store *st, const json_t *user, json_t **out, mc_refusal *why);
  int (*get)(mc_store *st, const char *id, json_t **out);
  int (*get_by_email)(mc_store *st, const char *email, json_t **out);
  int (*get_account)(mc_store *st, const char *id, json_t **out);
  int (*update)(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);
  int (*count_by_role)(mc_store *st, const char *role, int64_t *out);
} mc_store_user_ops;

/* Inserts user (borrowed; a create document: every member of mc_user_fields, nothing else) and
 * writes the stored document to *out (new reference; out may be NULL). MC_ERR_INVALID when a
 * rule is broken, MC_ERR_CONFLICT when the email ("email_taken" on email) or the id ("conflict"
 * on id) is taken, both said in why (may be NULL). */
int mc_store_user_create(mc_store *st, const json_t *user, json_t **out, mc_refusal *why);

/* Writes the user with this id / email to *out (new reference). MC_ERR_NOT_FOUND if none (a
 * key no stored value could equal included), MC_ERR_INVALID for a NULL key or out. */
int mc_store_user_get(mc_store *st, const char *id, json_t **out);
int mc_store_user_get_by_email(mc_store *st, const char *email, json_t **out);

/* The user with this id without "password_hash": what a request acts as, read on every
 * authenticated request, so the hash never travels with it. MC_ERR_NOT_FOUND if none. */
int mc_store_user_get_account(mc_store *st, const char *id, json_t **out);

/* Applies changes (borrowed: a non-empty subset of the updatable members, name, password_hash,
 * role, status) in one write, sets updated_at (never earlier than it was), and writes the new
 * document to *out (new reference, may be NULL). MC_ERR_INVALID (why names the member) and
 * nothing changes when a rule is broken; MC_ERR_NOT_FOUND if there is no such user. */
int mc_store_user_update(mc_store *st, const char *id, const json_t *changes, json_t **out, mc_refusal *why);

/* Writes the number of users with this role to *out. MC_ERR_INVALID for a role that is not
 * one, or a NULL out. */
int mc_store_user_count_by_role(mc_store *st, const char *role, int64_t *out);

#endif
