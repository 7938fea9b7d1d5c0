#!/bin/sh
# Installs the Debian 12 packages hydrate builds and tests with, and only those
# that are missing. Needs root (or sudo) the first time; a no-op afterwards.
set -eu

PACKAGES="gcc make cmake pkg-config git
libgit2-dev libyaml-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev
libssl-dev libcmocka-dev valgrind openssl openssh-client openssh-server"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
