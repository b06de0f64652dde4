# shellcheck shell=bash
# scripts/lib/deps.sh: system and npm prerequisites for scripts/run, scripts/test and scripts/bench.
# Sourced, not run. Fast when everything is present: one dpkg-query call and one hash per npm folder.

# Debian packages every entry point needs (build, tests, bench). Callers may pass extras.
MC_DEBIAN_PACKAGES=(
  meson ninja-build pkg-config gcc
  libulfius-dev liborcania-dev libyder-dev libjansson-dev libjwt-dev libargon2-dev
  libhiredis-dev libmongoc-dev libbson-dev libsqlite3-dev libcurl4-gnutls-dev
  libmicrohttpd-dev libgnutls28-dev
  check redis-server wrk nodejs npm gnutls-bin curl
)

# The browser the web app's tests drive (tests/e2e: playwright-core launches /usr/bin/chromium;
# it downloads no browser of its own). scripts/test passes these as extras; scripts/run and
# scripts/bench do not need them.
MC_DEBIAN_BROWSER_PACKAGES=(chromium)

# mc_deps_log MESSAGE...: one line on stderr, prefixed so it is clear which step speaks.
mc_deps_log() { printf 'deps: %s\n' "$*" >&2; }

# mc_deps_missing PACKAGE...: prints the packages that dpkg does not report as installed,
# space-separated, on one line (empty when nothing is missing).
#
# npm is special: NodeSource's nodejs package ships npm itself and conflicts with Debian's npm
# package, so an npm on the PATH counts as present (installing Debian's npm would try to
# replace nodejs). nodejs likewise counts when a node binary is on the PATH.
mc_deps_missing() {
  local -A installed=()
  local name status
  while IFS=$'\t' read -r name status; do
    [[ $status == "install ok installed" ]] && installed[$name]=1
  done < <(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null || true)
  local missing=() p
  for p in "$@"; do
    [[ -n ${installed[$p]:-} ]] && continue
    case $p in
      npm) command -v npm >/dev/null 2>&1 && continue ;;
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  done
  printf '%s\n' "${missing[*]}"
}

# mc_deps_system [EXTRA_PACKAGE...]: makes sure MC_DEBIAN_PACKAGES (plus the extras) are
# installed. As root, runs `apt-get update` once and installs only the missing ones; otherwise
# prints the exact command to run and exits 1 (this is sourced, so it ends the calling script).
mc_deps_system() {
  local missing
  missing=$(mc_deps_missing "${MC_DEBIAN_PACKAGES[@]}" "$@")
  [[ -z $missing ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    {
      echo "Mercato needs these Debian packages, which are not installed:"
      echo "  $missing"
      echo "Install them with:"
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
      echo "then run this command again."
    } >&2
    exit 1
  fi
  mc_deps_log "installing missing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } </dev/null; then
    mc_deps_log "apt-get failed to install: $missing"
    exit 1
  fi
  missing=$(mc_deps_missing "${MC_DEBIAN_PACKAGES[@]}" "$@")
  if [[ -n $missing ]]; then
    mc_deps_log "still missing after apt-get: $missing"
    exit 1
  fi
  mc_deps_node_version_check
}

# mc_deps_node_version_check: warns (does not fail) when node is older than the test tooling
# expects; Debian 12's own nodejs is 18, the project's machines carry 20.
mc_deps_node_version_check() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if (( major < 20 )); then
    mc_deps_log "warning: node $(node --version 2>/dev/null || echo '(none)') found; the tests expect Node.js >= 20.19"
  fi
}

# mc_deps_npm DIR: runs `npm ci` in DIR when DIR/node_modules is missing or DIR/package-lock.json
# (or the node version) changed since the last successful install. The stamp lives inside
# node_modules, so deleting node_modules always forces a clean install.
mc_deps_npm() {
  local dir=$1
  local lock="$dir/package-lock.json" stamp="$dir/node_modules/.mercato-install-stamp"
  if [[ ! -f $lock ]]; then
    mc_deps_log "$lock is missing: run 'npm install' in $dir and commit the lock file"
    return 1
  fi
  local want have=""
  want="$(sha256sum <"$lock" | cut -d' ' -f1) node-$(node --version 2>/dev/null)"
  [[ -f $stamp ]] && have=$(<"$stamp")
  if [[ -d $dir/node_modules && $have == "$want" ]]; then
    return 0
  fi
  mc_deps_log "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null) || {
    mc_deps_log "npm ci failed in $dir"
    return 1
  }
  printf '%s\n' "$want" >"$stamp"
}
