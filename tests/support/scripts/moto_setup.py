"""Prepares a fresh moto_server for the tests (called by tests/support/moto.cpp).

Creates an IAM user allowed to call STS, an access key for it, and a role whose
trust policy lets that user assume it, then prints them as ONE flat JSON object
of strings on stdout.

moto_server runs with INITIAL_NO_AUTH_ACTION_COUNT=SETUP_CALLS: exactly these
calls are accepted unsigned, every later request has its SigV4 signature
checked. The script proves the count is exact by ending with a request signed
with a wrong secret, which must be refused with SignatureDoesNotMatch.

Usage: moto_setup.py <endpoint-file> <ca-file> <INITIAL_NO_AUTH_ACTION_COUNT given to moto>
The endpoint file appears (atomically) once moto_server listens; waiting for it
here lets Python import boto3 while moto_server is still starting.
Exit codes: 0 ok, 2 usage, 3 no endpoint in time, 4 setup or check failed.
"""

import json
import os
import sys
import time

SETUP_CALLS = 4  # keep equal to the calls in main() before the check
USER = "atpc-test-user"
ROLE = "atpc-test-role"


def fail(message):
    print("moto_setup: " + message, file=sys.stderr)
    sys.exit(4)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    endpoint_file, ca_file, count = sys.argv[1], sys.argv[2], sys.argv[3]
    if count != str(SETUP_CALLS):
        print("moto_setup: moto was started with INITIAL_NO_AUTH_ACTION_COUNT=" + count
              + " but this script makes " + str(SETUP_CALLS) + " setup calls", file=sys.stderr)
        sys.exit(2)

    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    deadline = time.monotonic() + 60
    while not os.path.exists(endpoint_file):
        if time.monotonic() > deadline:
            print("moto_setup: no endpoint file after 60 s: " + endpoint_file, file=sys.stderr)
            sys.exit(3)
        time.sleep(0.005)
    with open(endpoint_file) as f:
        endpoint = f.read().strip()

    # No retries: a retried free call would use up the unsigned budget.
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30)

    def client(service, key_id, secret):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", verify=ca_file,
                            aws_access_key_id=key_id, aws_secret_access_key=secret, config=config)

    # Free calls: moto does not check these signatures, any key will do.
    iam = client("iam", "AKIDMOTOSETUP0000000", "unchecked")
    try:
        user = iam.create_user(UserName=USER)["User"]                               # 1
        iam.put_user_policy(UserName=USER, PolicyName="sts", PolicyDocument=json.dumps({  # 2
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName=USER)["AccessKey"]                     # 3
        role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({  # 4
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]},
                           "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))["Role"]
    except ClientError as e:
        fail("IAM setup call refused: " + str(e))

    # The budget is spent: a wrong secret must now be refused.
    try:
        client("sts", key["AccessKeyId"], key["SecretAccessKey"] + "x").get_caller_identity()
        fail("moto accepted a request signed with a wrong secret: INITIAL_NO_AUTH_ACTION_COUNT is not "
             + str(SETUP_CALLS) + " or signature checking is off")
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code")
        if code != "SignatureDoesNotMatch":
            fail("wrong-secret check: expected SignatureDoesNotMatch, got " + str(code))

    print(json.dumps({
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
        "user_name": USER,
        "user_arn": user["Arn"],
        "role_name": ROLE,
        "role_arn": role["Arn"],
        "account_id": user["Arn"].split(":")[4],
    }))


if __name__ == "__main__":
    main()
