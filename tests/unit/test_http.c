/* test_http.c - unit tests of the HTTP layer's pure parts: the router (404 vs 405, parameters,
 * decoding) and the configuration loader (defaults, environment, flags, errors). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/http/guard.h"
#include "../../api/http/router.h"
#include "mercato/config.h"
#include "mercato/err.h"

static void noop(mc_http_ctx *ctx, const struct _u_request *req, struct _u_response *resp) {
  (void)ctx, (void)req, (void)resp;
}

static const mc_route routes[] = {
  {"GET", "/api/v1/products", noop, 0, 0},
  {"POST", "/api/v1/products", noop, 0, 0},
  {"GET", "/api/v1/products/:id", noop, 0, 0},
  {"DELETE", "/api/v1/products/:id", noop, 0, 0},
  {"POST", "/api/v1/products/:id/images", noop, MC_ROUTE_RAW_BODY, 5 * 1024 * 1024},
  {"GET", "/healthz", noop, 0, 0},
};

static mc_router *router(void) {
  mc_router *r = mc_router_new();
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(mc_router_add(r, routes, (int)(sizeof routes / sizeof routes[0])), MC_OK);
  return r;
}

START_TEST(test_router_matches_static_and_param_paths) {
  mc_router *r = router();
  mc_route_param p[MC_ROUTE_PARAMS_MAX];
  int np;
  char allow[64];
  ck_assert_ptr_eq(mc_router_match(r, "GET", "/api/v1/products", p, &np, allow, sizeof allow), &routes[0]);
  ck_assert_ptr_eq(mc_router_match(r, "POST", "/api/v1/products", p, &np, allow, sizeof allow), &routes[1]);
  ck_assert_ptr_eq(mc_router_match(r, "GET", "/api/v1/products/prod_1", p, &np, allow, sizeof allow), &routes[2]);
  ck_assert_int_eq(np, 1);
  ck_assert_str_eq(p[0].name, "id");
  ck_assert_str_eq(p[0].value, "prod_1");
  ck_assert_ptr_eq(mc_router_match(r, "POST", "/api/v1/products/x/images", p, &np, allow, sizeof allow), &routes[4]);
  ck_assert_str_eq(p[0].name, "id");
  mc_router_free(r);
}
END_TEST

START_TEST(test_router_head_answers_where_get_does) {
  mc_router *r = router();
  mc_route_param p[MC_ROUTE_PARAMS_MAX];
  int np;
  char allow[64];
  ck_assert_ptr_eq(mc_router_match(r, "HEAD", "/healthz", p, &np, allow, sizeof allow), &routes[5]);
  mc_router_free(r);
}
END_TEST

START_TEST(test_router_tells_wrong_method_from_unknown_path) {
  mc_router *r = router();
  mc_route_param p[MC_ROUTE_PARAMS_MAX];
  int np;
  char allow[64];
  ck_assert_ptr_null(mc_router_match(r, "PUT", "/api/v1/products/abc", p, &np, allow, sizeof allow));
  ck_assert_str_eq(allow, "GET, HEAD, DELETE");
  ck_assert_ptr_null(mc_router_match(r, "POST", "/healthz", p, &np, allow, sizeof allow));
  ck_assert_str_eq(allow, "GET, HEAD");
  ck_assert_ptr_null(mc_router_match(r, "GET", "/api/v1/nothing", p, &np, allow, sizeof allow));
  ck_assert_str_eq(allow, "");
  mc_router_free(r);
}
END_TEST

START_TEST(test_router_rejects_odd_paths) {
  mc_router *r = router();
  mc_route_param p[MC_ROUTE_PARAMS_MAX];
  int np;
  char allow[64];
  const char *odd[] = {"/api/v1/products/", "/api//v1/products", "api/v1/products", "",
                       "/api/v1/products/%00", "/api/v1/products/%zz", "/api/v1/products/%4"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
    ck_assert_msg(mc_router_match(r, "GET", odd[i], p, &np, allow, sizeof allow) == NULL, "%s matched", odd[i]);
  mc_router_free(r);
}
END_TEST

START_TEST(test_router_decodes_parameters) {
  mc_router *r = router();
  mc_route_param p[MC_ROUTE_PARAMS_MAX];
  int np;
  char allow[64];
  ck_assert_ptr_nonnull(mc_router_match(r, "GET", "/api/v1/products/blue%20mug%2Fx", p, &np, allow, sizeof allow));
  ck_assert_str_eq(p[0].value, "blue mug/x");
  mc_router_free(r);
}
END_TEST

START_TEST(test_router_refuses_duplicate_and_malformed_routes) {
  mc_router *r = router();
  const mc_route dup[] = {{"GET", "/api/v1/products/:slug", noop, 0, 0}};
  const mc_route bad[] = {{"GET", "no-slash", noop, 0, 0}};
  const mc_route trailing[] = {{"GET", "/a/", noop, 0, 0}};
  ck_assert_int_eq(mc_router_add(r, dup, 1), MC_ERR_INVALID);
  ck_assert_int_eq(mc_router_add(r, bad, 1), MC_ERR_INVALID);
  ck_assert_int_eq(mc_router_add(r, trailing, 1), MC_ERR_INVALID);
  mc_router_free(r);
}
END_TEST

/* Runs mc_config_load with argv and captures what it prints to err. */
static int load(mc_config *cfg, int argc, char **argv, char *errbuf, size_t errlen) {
  FILE *out = fopen("/dev/null", "w"), *err = fmemopen(errbuf, errlen, "w");
  int rc = mc_config_load(cfg, argc, argv, 1, out, err);
  fclose(out);
  fclose(err);
  return rc;
}

START_TEST(test_config_defaults_are_the_embedded_mode) {
  char *argv[] = {"mercato"};
  char err[256] = "";
  mc_config cfg;
  unsetenv("MERCATO_PORT");
  ck_assert_int_eq(load(&cfg, 1, argv, err, sizeof err), MC_OK);
  ck_assert_int_eq(cfg.port, 8080);
  ck_assert_str_eq(cfg.bind, "127.0.0.1");
  ck_assert_str_eq(cfg.data_dir, "./var");
  ck_assert_str_eq(cfg.web_dir, "web/dist");
  ck_assert_str_eq(cfg.redis_url, "");
  ck_assert_int_eq(cfg.max_body, 65536);
  ck_assert_int_eq(cfg.memory_kv_max_bytes, 64L * 1024 * 1024);
  ck_assert_int_ge(mc_config_threads(&cfg), 4);
  mc_config_free(&cfg);
}
END_TEST

START_TEST(test_config_flags_override_environment) {
  char *argv[] = {"mercato", "--port", "9090", "--data-dir=/tmp/x", "--cors-origins", "https://a.example, http://localhost:5173"};
  char err[256] = "";
  mc_config cfg;
  setenv("MERCATO_PORT", "7070", 1);
  setenv("MERCATO_LOG_LEVEL", "warn", 1);
  ck_assert_int_eq(load(&cfg, 6, argv, err, sizeof err), MC_OK);
  ck_assert_int_eq(cfg.port, 9090);
  ck_assert_int_eq(cfg.log_level, 2);
  ck_assert_str_eq(cfg.data_dir, "/tmp/x");
  unsetenv("MERCATO_PORT");
  unsetenv("MERCATO_LOG_LEVEL");
  mc_config_free(&cfg);
}
END_TEST

START_TEST(test_config_bad_values_name_the_setting) {
  struct {
    const char *env, *value, *flag, *fvalue;
  } cases[] = {
    {"MERCATO_PORT", "abc", "--port", "70000"},
    {"MERCATO_BIND", "localhost", "--bind", "1.2.3"},
    {"MERCATO_LOG_LEVEL", "loud", "--log-level", "trace"},
    {"MERCATO_MAX_BODY", "10", "--max-body", "-1"},
    {"MERCATO_CORS_ORIGINS", "*", "--cors-origins", "https://a.example/path"},
    {"MERCATO_REDIS_URL", "http://x", "--redis-url", "localhost:6379"},
    {"MERCATO_ACCESS_LOG", "maybe", "--access-log", "2"},
    {"MERCATO_MEMORY_KV_MAX_BYTES", "65536", "--memory-kv-max-bytes", "64MiB"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[512] = "";
    char *argv1[] = {"mercato"};
    mc_config cfg;
    setenv(cases[i].env, cases[i].value, 1);
    ck_assert_int_eq(load(&cfg, 1, argv1, err, sizeof err), MC_ERR_INVALID);
    ck_assert_msg(strstr(err, cases[i].env) != NULL, "%s not named in: %s", cases[i].env, err);
    mc_config_free(&cfg);
    unsetenv(cases[i].env);

    char err2[512] = "";
    char *argv2[] = {"mercato", (char *)cases[i].flag, (char *)cases[i].fvalue};
    ck_assert_int_eq(load(&cfg, 3, argv2, err2, sizeof err2), MC_ERR_INVALID);
    ck_assert_msg(strstr(err2, cases[i].flag) != NULL, "%s not named in: %s", cases[i].flag, err2);
    mc_config_free(&cfg);
  }
}
END_TEST

START_TEST(test_config_unknown_flag_and_half_tls_are_refused) {
  char err[256] = "";
  mc_config cfg;
  char *argv[] = {"mercato", "--prot", "1"};
  ck_assert_int_eq(load(&cfg, 3, argv, err, sizeof err), MC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "--prot"));
  mc_config_free(&cfg);
  char err2[256] = "";
  char *argv2[] = {"mercato", "--tls-cert", "/tmp/cert.pem"};
  ck_assert_int_eq(load(&cfg, 3, argv2, err2, sizeof err2), MC_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(err2, "MERCATO_TLS_KEY"));
  mc_config_free(&cfg);
}
END_TEST


/* The framing verdict for a head given as version and NULL-terminated name, value pairs. */
static int framing(const char *version, const char *const *fields) {
  mc_head h;
  const char *code, *detail;
  mc_head_init(&h, version);
  for (; fields[0]; fields += 2) mc_head_add(&h, fields[0], fields[1]);
  return mc_head_check(&h, &code, &detail);
}

START_TEST(test_guard_framing_follows_rfc_9112) {
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "5", NULL}), 0);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "5", "content-length", "5", NULL}), 0);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "3", "Content-Length", "5", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "5, 5", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "-1", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "chunked", NULL}), 0);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "Chunked ", NULL}), 0);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Content-Length", "5", "Transfer-Encoding", "chunked", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "gzip", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "chunked, chunked", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked", NULL}), 501);
  ck_assert_int_eq(framing("HTTP/1.0", (const char *[]){"Transfer-Encoding", "chunked", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.1", (const char *[]){"Host", "a", "Host", "a", NULL}), 400);
  ck_assert_int_eq(framing("HTTP/1.0", (const char *[]){NULL}), 0);
}
END_TEST

START_TEST(test_guard_counts_query_parameters) {
  ck_assert_int_eq(mc_guard_query_params(NULL), 0);
  ck_assert_int_eq(mc_guard_query_params(""), 0);
  ck_assert_int_eq(mc_guard_query_params("a=1&&b&"), 2);
  ck_assert_int_eq(mc_guard_query_params("&&&"), 0);
}
END_TEST

static void join_cookie(void *cls, const char *name, size_t nlen, const char *value, size_t vlen) {
  char *out = cls;
  size_t used = strlen(out);
  snprintf(out + used, 256 - used, "[%.*s=%.*s]", (int)nlen, name, (int)vlen, value);
}

START_TEST(test_guard_cookies_skip_malformed_pairs) {
  char got[256] = "";
  mc_guard_cookies("a=\"; b=\"x\"; c=\"y; =z; d e=1; f=g h; mercato_cart=tok; last=\"", join_cookie, got);
  ck_assert_str_eq(got, "[b=x][mercato_cart=tok]");
  got[0] = '\0';
  mc_guard_cookies("a=\"", join_cookie, got);
  ck_assert_str_eq(got, "");
  mc_guard_cookies(" x = ; y=1 ", join_cookie, got);
  ck_assert_str_eq(got, "[y=1]");
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("http");
  TCase *tc = tcase_create("router");
  tcase_add_test(tc, test_router_matches_static_and_param_paths);
  tcase_add_test(tc, test_router_head_answers_where_get_does);
  tcase_add_test(tc, test_router_tells_wrong_method_from_unknown_path);
  tcase_add_test(tc, test_router_rejects_odd_paths);
  tcase_add_test(tc, test_router_decodes_parameters);
  tcase_add_test(tc, test_router_refuses_duplicate_and_malformed_routes);
  suite_add_tcase(s, tc);
  TCase *gc = tcase_create("guard");
  tcase_add_test(gc, test_guard_framing_follows_rfc_9112);
  tcase_add_test(gc, test_guard_counts_query_parameters);
  tcase_add_test(gc, test_guard_cookies_skip_malformed_pairs);
  suite_add_tcase(s, gc);
  TCase *cc = tcase_create("config");
  tcase_add_test(cc, test_config_defaults_are_the_embedded_mode);
  tcase_add_test(cc, test_config_flags_override_environment);
  tcase_add_test(cc, test_config_bad_values_name_the_setting);
  tcase_add_test(cc, test_config_unknown_flag_and_half_tls_are_refused);
  suite_add_tcase(s, cc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
