#!/usr/bin/env bash
# Builds a release archive for people without Rust: dist/cocoon-<version>-<arch>-linux.tar.gz
# with the binary (fonts and web page are compiled in), the shipped scenarios, the docs and a
# README on how to start. Needs only cargo and crates.io (or a warm cargo cache); no other
# network. The binary links the system C library dynamically (glibc), so it runs on Linux
# distributions whose glibc is at least the one it was built against (the script prints it);
# build on the oldest system you need to support.
#
# Usage: scripts/package.sh            (from anywhere in the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release --locked
bin="target/release/cocoon"
version="$("$bin" --version | awk '{print $2}')"
arch="$(uname -m)"
name="cocoon-${version}-${arch}-linux"
stage="dist/${name}"
rm -rf "$stage" "dist/${name}.tar.gz"
mkdir -p "$stage/bin"
cp "$bin" "$stage/bin/cocoon"
strip "$stage/bin/cocoon" 2>/dev/null || true
cp -r scenarios docs README.md "$stage/"
glibc="$(objdump -T "$bin" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1 || true)"
cat > "$stage/START.txt" <<TXT
cocoon ${version} for ${arch} Linux (built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)).
Needs glibc ${glibc#GLIBC_} or newer; nothing else to install.

  bin/cocoon run scenarios/baseline.toml --set population.n=20000   # a quick look, about 2 min
  bin/cocoon serve --open                                             # the workshop page
  bin/cocoon --help

Results go to output/<scenario name>/. README.md explains everything else.
TXT
# The archive must work where it lands: check a shipped scenario with the packaged binary.
(cd "$stage" && bin/cocoon check scenarios/reference/sisa_ws.toml >/dev/null)
tar -C dist -czf "dist/${name}.tar.gz" "$name"
echo "dist/${name}.tar.gz ($(du -h "dist/${name}.tar.gz" | cut -f1); needs ${glibc:-an unknown glibc})"
