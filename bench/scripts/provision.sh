#!/bin/bash
# Provisions a fresh swtpm the way a user of the original tool would, with
# tpm2-tools only:
#   0x81010001  RSA EK (TCG template L-1), its name in ek.name.hex
#   0x81010003  HMAC key, no password              (handle mode)
#   0x81010002  HMAC key, password "pass123", DA    (password mode)
#   0x81010004  HMAC key, PolicyPCR(sha256:23)      (PCR mode)
#   key.pem     the no-password key as a TSS2 PRIVATE KEY under the H-2 primary
#   hmac.pub / hmac.priv  the same key, for the per-command Load benchmark
#
# usage: provision.sh <swtpm data port> <secret file: "AWS4"+secret> <out dir>
set -euo pipefail
port=$1 secret=$(realpath "$2") out=$(realpath "$3")
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
cd "$out"
# swtpm has no resource manager: flush whatever each tool leaves loaded.
fl() { tpm2_flushcontext -t; tpm2_flushcontext -l; tpm2_flushcontext -s; }

tpm2_createek -c 0x81010001 -G rsa -u ek.pub >/dev/null; fl
tpm2_readpublic -c 0x81010001 -n ek.name >/dev/null
od -An -v -tx1 ek.name | tr -d ' \n' >ek.name.hex

# The original tool's README: the H-2 primary (tpm2-tools' defaults plus noDA).
tpm2_createprimary -C o -g sha256 -G ecc \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt' -c primary.ctx -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac.pub -r hmac.priv -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-pw.pub -r hmac-pw.priv -p pass123 -Q; fl
tpm2_createpolicy --policy-pcr -l sha256:23 -L pcr23.policy -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-pcr.pub -r hmac-pcr.priv -L pcr23.policy -Q; fl
tpm2_encodeobject -C primary.ctx -u hmac.pub -r hmac.priv -o key.pem; fl

persist() {  # <pub> <priv> <handle>
    tpm2_load -C primary.ctx -u "$1" -r "$2" -c obj.ctx -Q; fl
    tpm2_evictcontrol -C o -c obj.ctx "$3" >/dev/null; fl
}
persist hmac.pub hmac.priv 0x81010003
persist hmac-pw.pub hmac-pw.priv 0x81010002
persist hmac-pcr.pub hmac-pcr.priv 0x81010004
rm -f obj.ctx
tpm2_getcap handles-persistent | tr -d '\n'; echo
