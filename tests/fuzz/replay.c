/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs without libFuzzer, so
 * every build (gcc, ASan+UBSan) replays the committed corpus as a regression test.
 *
 * Usage: fuzz_<name>_replay FILE_OR_DIR...  Each file is one input; directories are read one
 * level deep. A crash or sanitizer report fails the test; the last line is a Check-style
 * summary ("100%: Checks: N, Failures: 0, Errors: 0") that scripts/test counts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_INPUT_MAX (1u << 20)

/* Feeds one file to the target. Returns 1 when it ran, 0 when the file could not be read. */
static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  size_t n;

  if (!f) return 0;
  buf = malloc(REPLAY_INPUT_MAX);
  if (!buf) {
    fclose(f);
    return 0;
  }
  n = fread(buf, 1, REPLAY_INPUT_MAX, f);
  fclose(f);
  /* An exact-size copy, so ASan sees a read past the input as one. */
  unsigned char *exact = malloc(n ? n : 1);
  if (exact) {
    memcpy(exact, buf, n);
    LLVMFuzzerTestOneInput(exact, n);
  }
  free(exact);
  free(buf);
  return exact != NULL;
}

int main(int argc, char **argv) {
  int ran = 0, unreadable = 0;

  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: cannot read %s\n", argv[i]);
      unreadable++;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (replay_file(argv[i])) ran++;
      else unreadable++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    if (!d) {
      unreadable++;
      continue;
    }
    while ((e = readdir(d))) {
      char path[4096];
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      if (replay_file(path)) ran++;
      else unreadable++;
    }
    closedir(d);
  }
  printf("replayed %d inputs\n", ran);
  printf("%d%%: Checks: %d, Failures: 0, Errors: %d\n", ran + unreadable ? 100 * ran / (ran + unreadable) : 100,
         ran + unreadable, unreadable);
  return unreadable || ran == 0 ? 1 : 0;
}
