"""Creates the IAM user whose secret goes into the TPM, on a fresh moto_server.

moto checks SigV4 once INITIAL_NO_AUTH_ACTION_COUNT unauthenticated calls are
used up; this script makes exactly three (user, access key, policy), so start
moto_server with INITIAL_NO_AUTH_ACTION_COUNT=3. Prints "ACCESS_KEY_ID SECRET".

usage: moto_setup.py https://127.0.0.1:PORT CA.pem
"""
import json
import sys

import boto3

endpoint, ca = sys.argv[1], sys.argv[2]
iam = boto3.client("iam", endpoint_url=endpoint, verify=ca, region_name="us-east-1",
                   aws_access_key_id="AKIAIOSFODNN7SETUP00", aws_secret_access_key="setup")
iam.create_user(UserName="bench")
key = iam.create_access_key(UserName="bench")["AccessKey"]
iam.put_user_policy(UserName="bench", PolicyName="sts", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"])
