#!/usr/bin/env bash
# Fetches the real-model corpus (corpus.json) into a cache outside the
# repository, verifies every package's sha256, extracts the model files and
# installs the oracle's Node packages there. Nothing is written into the
# repository; nothing fetched is ever committed or shipped. See docs/corpus.md.
#
#   scripts/corpus/fetch.sh            # cache: ${XDG_CACHE_HOME:-$HOME/.cache}/convscope-corpus
#   CONVSCOPE_CORPUS_CACHE=DIR scripts/corpus/fetch.sh
#
# Needs node and npm (npm registry) and apt-get (Debian packages; run
# `apt-get update` once first). Packages already in the cache with the right
# sha256 are not downloaded again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${CONVSCOPE_CORPUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/convscope-corpus}"
corpus="$here/corpus.json"
for tool in node npm apt-get sha256sum tar dpkg-deb; do
	command -v "$tool" >/dev/null || { echo "fetch.sh: $tool is needed" >&2; exit 1; }
done
mkdir -p "$cache/packages" "$cache/extract" "$cache/node"
echo "corpus cache: $cache"

# One line per package: key client name version file sha256.
node -e '
const c = require(process.argv[1]);
for (const [k, p] of Object.entries(c.packages)) console.log([k, p.client, p.name, p.version, p.file, p.sha256].join(" "));
' "$corpus" | while read -r key client name version file sum; do
	dst="$cache/packages/$file"
	if [ -f "$dst" ] && echo "$sum  $dst" | sha256sum --quiet -c - 2>/dev/null; then
		echo "have   $name@$version"
	else
		echo "fetch  $name@$version ($client)"
		tmp="$(mktemp -d "$cache/packages/.tmp.XXXXXX")"
		chmod 0777 "$tmp" # apt-get download writes as the _apt user
		case "$client" in
		npm) (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null) ;;
		apt) (cd "$tmp" && apt-get download -q "$name=$version" >/dev/null 2>&1) || {
			echo "fetch.sh: apt-get download $name=$version failed (run apt-get update first?)" >&2; rm -rf "$tmp"; exit 1; } ;;
		*) echo "fetch.sh: unknown client $client" >&2; rm -rf "$tmp"; exit 1 ;;
		esac
		if [ ! -f "$tmp/$file" ]; then
			echo "fetch.sh: $name@$version did not give $file (got: $(ls "$tmp"))" >&2; rm -rf "$tmp"; exit 1
		fi
		mv "$tmp/$file" "$dst"
		rm -rf "$tmp"
		if ! echo "$sum  $dst" | sha256sum --quiet -c - >/dev/null 2>&1; then
			echo "fetch.sh: sha256 of $file is $(sha256sum "$dst" | cut -d' ' -f1), corpus.json pins $sum" >&2
			mv "$dst" "$dst.bad"
			exit 1
		fi
	fi
	out="$cache/extract/$key"
	if [ ! -f "$out/.sha256" ] || [ "$(cat "$out/.sha256")" != "$sum" ]; then
		rm -rf "$out" && mkdir -p "$out"
		case "$file" in
		*.tgz) tar -xzf "$dst" -C "$out" ;;
		*.deb) # only the corpus's files: the documentation package is mostly HTML
			mapfile -t paths < <(node -e '
const c = require(process.argv[1]);
for (const m of c.models) if (m.package === process.argv[2]) console.log("./" + m.path);
' "$corpus" "$key")
			dpkg-deb --fsys-tarfile "$dst" | tar -x -C "$out" "${paths[@]}" ;;
		esac
		echo "$sum" >"$out/.sha256"
	fi
done

# Lay out each model under models/<id>/ (UMD-wrapped TF.js models decoded
# into model.json + shards).
node "$here/layout.mjs" "$corpus" "$cache"

# The oracle's frameworks, pinned by package.json + package-lock.json;
# --ignore-scripts: nothing runs at install time (onnxruntime-node ships its
# CPU binaries in the package).
cp "$here/package.json" "$here/package-lock.json" "$cache/node/"
if ! (cd "$cache/node" && npm ls --silent >/dev/null 2>&1); then
	(cd "$cache/node" && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi
echo "corpus fetched: $(ls "$cache/models" | wc -l) models in $cache/models"
