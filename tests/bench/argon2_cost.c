/* argon2_cost.c - bench-only: the wall time of one Argon2id hash under Mercato's password
 * policy (MERCATO_ARGON2_* settings), so scripts/bench can set logins/s against it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mercato/err.h"
#include "mercato/password.h"

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20;
  mc_password_policy policy;
  struct timespec a, b;
  const char *pw = "correct horse battery staple";
  mc_password_policy_default(&policy);
  if (argc > 4 && mc_password_policy_init(&policy, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                                          (uint32_t)atoi(argv[4])) != MC_OK) {
    fprintf(stderr, "argon2-cost: bad policy\n");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < rounds; i++) {
    char *enc = NULL;
    if (mc_password_hash(&policy, pw, 28, &enc) != MC_OK) return 1;
    free(enc);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / rounds;
  printf("%.2f\n", ms);
  return 0;
}
