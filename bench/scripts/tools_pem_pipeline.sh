#!/bin/sh
# The original tool's README flow for a key file, done with tpm2-tools: the
# H-2 primary, load the key, HMAC the date, with the flushes swtpm needs (no
# resource manager: every tool leaves its objects loaded).
# usage: tools_pem_pipeline.sh <swtpm port> <key dir> <scratch dir>
set -e
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$1"
tpm2_createprimary -C o -g sha256 -G ecc \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt' -c "$3/p.ctx" -Q
tpm2_flushcontext -t
tpm2_load -C "$3/p.ctx" -u "$2/hmac.pub" -r "$2/hmac.priv" -c "$3/k.ctx" -Q
tpm2_flushcontext -t
tpm2_hmac -c "$3/k.ctx" -g sha256 --hex "$2/date"
tpm2_flushcontext -t
