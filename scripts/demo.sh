#!/usr/bin/env bash
# The demo command: installs dependencies, builds, and runs the program's
# main job against a throwaway swtpm and a local STS (moto_server over TLS,
# checking signatures) — no AWS account and no TPM needed. Everything it
# starts is stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh >/dev/null
echo "== building (Release)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DATPC_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target aws-tpm-process-credential >/dev/null
bin="$root/build-release/aws-tpm-process-credential"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port_pair() {  # a free port P with P+1 also free
  python3 - <<'PY'
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 1)); t.close(); s.close(); print(p); break
    except OSError:
        s.close(); t.close()
PY
}

echo "== starting a throwaway swtpm"
tpm_port=$(free_port_pair)
mkdir -p "$work/tpm"
swtpm socket --tpm2 --server type=tcp,port=$tpm_port,bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((tpm_port + 1)),bindaddr=127.0.0.1 \
  --flags not-need-init,startup-clear --tpmstate dir="$work/tpm" &
pids+=($!)
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$tpm_port"
for _ in $(seq 50); do tpm2_getrandom 1 >/dev/null 2>&1 && break; sleep 0.1; done

echo "== starting a local STS (moto_server with TLS, signatures checked)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/sts.key" -out "$work/sts.crt" 2>/dev/null
sts_port=$(free_port_pair)
INITIAL_NO_AUTH_ACTION_COUNT=4 moto_server -H 127.0.0.1 -p "$sts_port" -c "$work/sts.crt" -k "$work/sts.key" \
  >"$work/moto.log" 2>&1 &
pids+=($!)
export AWS_CA_BUNDLE="$work/sts.crt" AWS_ENDPOINT_URL_STS="https://127.0.0.1:$sts_port"
# Wait with a bare TCP connect: an HTTP request would use up one of the
# unsigned setup calls moto allows (INITIAL_NO_AUTH_ACTION_COUNT).
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$sts_port),1)" 2>/dev/null && break; sleep 0.1
done
sleep 1

echo "== creating an IAM user, its access key and a role in the local STS (4 unsigned setup calls)"
read -r akid secret role_arn < <(python3 - <<PY
import boto3, json
kw = dict(endpoint_url="$AWS_ENDPOINT_URL_STS", verify="$AWS_CA_BUNDLE", region_name="us-east-1",
          aws_access_key_id="AKIASETUPSETUPSETUP0", aws_secret_access_key="setup")
iam = boto3.client("iam", **kw)
iam.create_user(UserName="demo")
iam.put_user_policy(UserName="demo", PolicyName="sts", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="demo")["AccessKey"]
role = iam.create_role(RoleName="demo-role", AssumeRolePolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"], role["Role"]["Arn"])
PY
)

echo "== putting the secret into the TPM as an HMAC key (the original README's tpm2-tools flow)"
cd "$work"
tpm2_createprimary -Q -C o -g sha256 -G ecc -c primary.ctx \
  -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"
printf 'AWS4%s' "$secret" > hmac.key
tpm2_import -Q -C primary.ctx -G hmac -i hmac.key -u hmac.pub -r hmac.priv
rm -f hmac.key; unset secret
tpm2_flushcontext -t; tpm2_flushcontext -l
tpm2_encodeobject -C primary.ctx -u hmac.pub -r hmac.priv -o private.pem
tpm2_flushcontext -t; tpm2_flushcontext -l
tpm2_load -Q -C primary.ctx -u hmac.pub -r hmac.priv -c hmac.ctx
tpm2_evictcontrol -Q -C o -c hmac.ctx 0x81008003
tpm2_flushcontext -t; tpm2_flushcontext -l
cd "$root"

common=(--tpm-path="127.0.0.1:$tpm_port" --aws-access-key-id="$akid" --aws-region=us-east-1)
echo
echo "== 1. credential_process output, AssumeRole, key at persistent handle 0x81008003"
"$bin" "${common[@]}" --persistentHandle=0x81008003 --assumeRole --aws-arn="$role_arn" --debug
echo
echo "== 2. the same from the key file (salted session: kDate is encrypted on the TPM bus)"
"$bin" "${common[@]}" --credential-file="$work/private.pem" --assumeRole --aws-arn="$role_arn" --debug
echo
echo "== 3. the aws CLI using it as credential_process"
cat > "$work/config" <<CFG
[profile tpm]
region = us-east-1
credential_process = $bin ${common[*]} --persistentHandle=0x81008003 --assumeRole=true --aws-arn=$role_arn
CFG
AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE=/dev/null /usr/bin/aws sts get-caller-identity \
  --profile tpm --endpoint-url "$AWS_ENDPOINT_URL_STS" --output json
echo
echo "== demo done: the AWS secret was only ever inside the TPM"
