#!/usr/bin/env bash
# Throwaway certificates for a local cluster's mutual TLS (Orleans:Tls): one CA, and one certificate per silo signed by
# it (EC P-256, server + client authentication, 30 days). Idempotent: existing files are kept. NOT for production —
# there, issue silo certificates from your own CA and keep its key off the silo hosts (docs/operations.md, "Security").
#   deploy/local/certs.sh DIR NAME...     e.g. certs.sh /tmp/sg-trial/tls silo-1 silo-2
# Writes DIR/ca.pem (trust: Orleans:Tls:TrustedCertificates), DIR/NAME.crt + DIR/NAME.key (Orleans:Tls:CertificatePath
# + KeyPath). The CA key stays in DIR/ca.key; files are readable by the owner only.
set -euo pipefail
DIR="${1:?usage: certs.sh DIR NAME...}"; shift
command -v openssl >/dev/null || { echo "certs.sh: openssl not found (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$DIR" && chmod 700 "$DIR"
umask 077
# Two silos starting at once must not make two CAs.
exec 9>"$DIR/.lock"
flock 9
if [[ ! -f "$DIR/ca.pem" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DIR/ca.key" -out "$DIR/ca.pem" \
    -days 30 -subj "/CN=SeedGrains local cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
for NAME in "$@"; do
  [[ -f "$DIR/$NAME.crt" && -f "$DIR/$NAME.key" ]] && continue
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DIR/$NAME.key" -out "$DIR/$NAME.csr" \
    -subj "/CN=SeedGrains $NAME" 2>/dev/null
  openssl x509 -req -in "$DIR/$NAME.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial -days 30 \
    -out "$DIR/$NAME.crt" -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost") 2>/dev/null
  rm -f "$DIR/$NAME.csr"
done
