#!/bin/bash
# Provisions a fresh swtpm the way a user of the original tool would, with
# tpm2-tools only:
#   0x81010001  RSA EK (TCG template L-1), its name in ek.name.hex
#   0x81010002  ECC EK (TCG template L-2): the salt key of password and policy modes
#   0x81008003  HMAC key, no password, DA           (handle mode, tpm2_import's default)
#   0x81008005  HMAC key, no password, noDA         (handle mode, as `import` makes it)
#   0x81008002  HMAC key, password "pass123", DA    (password mode)
#   0x81008004  HMAC key, PolicyPCR(sha256:23)      (PCR mode)
#   0x81008006  HMAC key, PolicyPCR(sha256:23) + PolicyAuthValue, password "pass123"
#   key.pem     the no-password key as a TSS2 PRIVATE KEY under the H-2 primary
#   key-pw.pem  the password key as one
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
tpm2_createek -c 0x81010002 -G ecc -u ek-ecc.pub >/dev/null; fl

# The original tool's README: the H-2 primary (tpm2-tools' defaults plus noDA).
tpm2_createprimary -C o -g sha256 -G ecc \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt' -c primary.ctx -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac.pub -r hmac.priv -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-pw.pub -r hmac-pw.priv -p pass123 -Q; fl
tpm2_createpolicy --policy-pcr -l sha256:23 -L pcr23.policy -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-pcr.pub -r hmac-pcr.priv -L pcr23.policy -Q; fl
tpm2_startauthsession -S trial.ctx; tpm2_policypcr -S trial.ctx -l sha256:23 -Q
tpm2_policyauthvalue -S trial.ctx -L pcr23-pw.policy -Q; tpm2_flushcontext trial.ctx; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-pcrpw.pub -r hmac-pcrpw.priv -L pcr23-pw.policy -p pass123 -Q; fl
tpm2_import -C primary.ctx -G hmac -i "$secret" -u hmac-noda.pub -r hmac-noda.priv -a 'sign|userwithauth|noda' -Q; fl
tpm2_encodeobject -C primary.ctx -u hmac.pub -r hmac.priv -o key.pem; fl
tpm2_encodeobject -C primary.ctx -u hmac-pw.pub -r hmac-pw.priv -o key-pw.pem; fl

persist() {  # <pub> <priv> <handle>
    tpm2_load -C primary.ctx -u "$1" -r "$2" -c obj.ctx -Q; fl
    tpm2_evictcontrol -C o -c obj.ctx "$3" >/dev/null; fl
}
persist hmac.pub hmac.priv 0x81008003
persist hmac-pw.pub hmac-pw.priv 0x81008002
persist hmac-pcr.pub hmac-pcr.priv 0x81008004
persist hmac-pcrpw.pub hmac-pcrpw.priv 0x81008006
persist hmac-noda.pub hmac-noda.priv 0x81008005
rm -f obj.ctx
tpm2_getcap handles-persistent | tr -d '\n'; echo
