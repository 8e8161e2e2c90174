#!/usr/bin/env bash
# Builds the real Kubernetes control plane that `ks-restore sandbox --control-plane real` and the real test tier run:
# etcd, kube-apiserver and kube-controller-manager, from Kubernetes' own Go modules pinned in k8s/go.mod (one module,
# so that shared packages compile once and etcd is the version Kubernetes itself requires).
#
# Built once per pinned version into a cache outside the repository, keyed by a hash of go.mod, go.sum, the Go
# version and the build flags; prints that directory on stdout. `latest` next to it points at the last build, which
# is where ks-restore looks unless KS_RESTORE_CONTROL_PLANE names another directory.
#
# Needs Go >= 1.26 and the Go module proxy. Nothing built here is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mod="$here/k8s"

if ! command -v go >/dev/null 2>&1; then
  echo "build-control-plane: Go is not installed; the real control plane needs Go >= 1.26 and the Go module proxy." >&2
  exit 2
fi
goversion="$(go env GOVERSION)"
case "$goversion" in
  go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
  *)
    echo "build-control-plane: $goversion is too old; Kubernetes 1.36 needs Go >= 1.26." >&2
    exit 2
    ;;
esac

k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$mod/go.mod")"
minor="$(echo "$k8s_version" | cut -d. -f2)"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
key="$(cat "$mod/go.mod" "$mod/go.sum" <(echo "$goversion $ldflags") | sha256sum | cut -c1-16)"
root="${KS_RESTORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ks-restore}/control-plane"
out="$root/$k8s_version-$key"

if [ ! -x "$out/kube-apiserver" ] || [ ! -x "$out/kube-controller-manager" ] || [ ! -x "$out/etcd" ]; then
  echo "build-control-plane: building Kubernetes $k8s_version (etcd, kube-apiserver, kube-controller-manager) into $out" >&2
  echo "build-control-plane: a cold build takes about 10-25 minutes on 2 cores; later runs reuse it" >&2
  start=$(date +%s)
  tmp="$out.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (
    cd "$mod"
    go mod download
    CGO_ENABLED=0 go build -trimpath -tags=notest -ldflags "$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager \
      go.etcd.io/etcd/server/v3
  )
  # A main package at a /v3 module path is named after the element before /v3.
  mv "$tmp/server" "$tmp/etcd"
  printf '%s\n' "$k8s_version" >"$tmp/VERSION"
  rm -rf "$out"
  mv "$tmp" "$out"
  echo "build-control-plane: built in $(($(date +%s) - start)) s, $(du -sh "$out" | cut -f1) of binaries" >&2
fi
ln -sfn "$(basename "$out")" "$root/latest"
echo "$out"
