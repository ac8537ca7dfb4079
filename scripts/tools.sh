#!/usr/bin/env bash
# Builds the Nomad and Consul binaries that the demo and the integration tests run,
# from the Go module proxy, into a cache outside the repository, and installs the
# Debian packages the cluster needs. Does nothing for a binary that is already
# there and reports the right version.
#
# Why from source: Nomad v1.6.2 and Consul v1.14.11 are the newest MPL-2.0
# releases; later ones are not open source, and no prebuilt binary can be fetched
# here. Their go.mod files replace sibling modules with ./api etc., which module
# zips lack, so we build with -modfile pointing at a copy without those lines.
set -euo pipefail

NOMAD_VERSION=1.6.2
CONSUL_VERSION=1.14.11
# The api module matching Nomad v1.6.2 (its go.mod replaces it with ./api).
NOMAD_API_VERSION=v0.0.0-20230913164725-73e372ad9403

BIN_DIR="${NETVIZ_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/netviz/bin}"
mkdir -p "$BIN_DIR"

say() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

install_debs() {
  local missing=()
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then die "need root to apt-get install ${missing[*]}"; fi
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
}

# has_version BIN WANT: true when BIN exists and its `version` names WANT.
# The output is taken whole first: `head -1` closing the pipe early can
# kill the binary with SIGPIPE, which pipefail would count as "not built".
has_version() {
  local out
  [ -x "$1" ] && out=$("$1" version 2>/dev/null) && printf '%s\n' "$out" | head -1 | grep -q "v$2"
}

# build NAME MODULE VERSION SED_EXPR CGO
build() {
  local name=$1 module=$2 version=$3 sed_expr=$4 cgo=$5
  local out="$BIN_DIR/$name"
  if has_version "$out" "$version"; then
    say "$name v$version already built at $out"
    return
  fi
  say "building $name v$version from the Go module proxy (about 4 minutes on a cold cache)"
  local dir
  dir=$(GOFLAGS=-mod=mod go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $module@v$version failed"
  local work
  work=$(mktemp -d)
  sed "$sed_expr" "$dir/go.mod" >"$work/go.mod"
  cp "$dir/go.sum" "$work/go.sum"
  # -modfile keeps the read-only module cache untouched; go.sum beside it is updated.
  (cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=$cgo go build -modfile="$work/go.mod" -trimpath \
      -o "$out.tmp" .) || { rm -rf "$work"; die "go build of $name failed"; }
  rm -rf "$work"
  mv "$out.tmp" "$out"
  has_version "$out" "$version" || die "$out does not report version v$version"
  say "built $out"
}

install_debs
command -v go >/dev/null 2>&1 || die "go is not installed"

nomad_sed="s#^replace github.com/hashicorp/nomad/api => ./api#replace github.com/hashicorp/nomad/api => github.com/hashicorp/nomad/api $NOMAD_API_VERSION#"
consul_sed='/^replace github.com\/hashicorp\/consul\/\(api\|sdk\|proto-public\) => /d'

# Nomad needs cgo: runc's nsenter (exec driver) is C.
build nomad github.com/hashicorp/nomad "$NOMAD_VERSION" "$nomad_sed" 1 &
p1=$!
build consul github.com/hashicorp/consul "$CONSUL_VERSION" "$consul_sed" 0 &
p2=$!
rc=0
wait $p1 || rc=1
wait $p2 || rc=1
[ $rc = 0 ] || die "building the tools failed"
echo "$BIN_DIR"
