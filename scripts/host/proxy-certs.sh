#!/usr/bin/env bash
# The proxy's certificates, one-shot step of components/proxy.ts (it runs this text through bash
# with one call of `proxy_certs` after it). openssl runs on the machine running Pulumi (no network,
# nothing to pull); the result is streamed into the certs volume with the proxy image's own tar.
#
#   proxy_certs MODE IMAGE VOLUME CERT_DIR HOST...
#
# MODE provided: each HOST gets $TLS_CERTIFICATE / $TLS_PRIVATE_KEY, always rewritten (a rotated
# certificate arrives this way). Any other MODE (selfsigned, letsencrypt): a self-signed
# certificate per HOST, only where the volume has none, so certbot's real one is never overwritten.
set -euo pipefail

# make_cert MODE DIR HOST: DIR/fullchain.pem and DIR/privkey.pem (0600) for HOST.
make_cert() {
    local mode=$1 dir=$2 host=$3
    mkdir -p "$dir"
    if [ "$mode" = provided ]; then
        printf '%s\n' "$TLS_CERTIFICATE" >"$dir/fullchain.pem"
        printf '%s\n' "$TLS_PRIVATE_KEY" >"$dir/privkey.pem"
    else
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
            -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
            -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
    fi
    chmod 600 "$dir/privkey.pem"
}

proxy_certs() {
    local mode=$1 image=$2 volume=$3 certs=$4 host
    shift 4
    certs_tmp=$(mktemp -d)
    trap 'rm -rf "$certs_tmp"' EXIT
    for host in "$@"; do
        if [ "$mode" = provided ] || ! docker run --rm -v "$volume:$certs:ro" --entrypoint test "$image" -s "$certs/$host/fullchain.pem"; then
            make_cert "$mode" "$certs_tmp/$host" "$host"
        fi
    done
    if [ -n "$(ls -A "$certs_tmp")" ]; then
        tar -C "$certs_tmp" -c . | docker run --rm -i -v "$volume:$certs" --entrypoint tar "$image" -x -C "$certs"
    fi
}
