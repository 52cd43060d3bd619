#!/usr/bin/env python3
"""Prints golden SigV4 values for STS form POSTs, computed by botocore.

Run once; the output is stored beside this script as golden.txt so the C++
tests need no Python:

    python3 make_golden.py > golden.txt

Each record is one line of TAB-separated fields; values are escaped with
\\\\, \\n and \\t. The form body is built twice, with Go's url.Values.Encode
rules (re-implemented below from Go's documented behaviour) and with
urllib.parse.urlencode(sorted(...)) (what moto re-encodes with); the script
stops if they differ by one byte.
"""
import datetime
import hashlib
import hmac
import sys
from unittest import mock
from urllib.parse import quote_plus, urlencode

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"  # the public SigV4 test-suite example
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"

POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
          '"Action": ["sts:GetCallerIdentity", "s3:GetObject"], '
          '"Resource": "arn:aws:s3:::my-bucket/a key+with \'odd\' chars/*", '
          '"Condition": {"StringLike": {"aws:UserAgent": "tpm*100%"}}}]}')

CASES = [
    {
        "name": "get-session-token",
        "method": "POST",
        "service": "sts",
        "region": "us-east-1",
        "host": "sts.us-east-1.amazonaws.com",
        "path": "/",
        "query": "",
        "amz_date": "20150830T123600Z",
        "fields": [("Action", "GetSessionToken"), ("DurationSeconds", "3600"), ("Version", "2011-06-15")],
    },
    {
        # Leap day a second before midnight, another region, fields out of order.
        "name": "assume-role",
        "method": "POST",
        "service": "sts",
        "region": "eu-west-1",
        "host": "sts.eu-west-1.amazonaws.com",
        "path": "/",
        "query": "",
        "amz_date": "20240229T235959Z",
        "fields": [
            ("Version", "2011-06-15"),
            ("RoleArn", "arn:aws:iam::123456789012:role/team/tpm-role"),
            ("Action", "AssumeRole"),
            ("RoleSessionName", "alice@example.com=ops,dev+1"),
            ("Policy", POLICY),
            ("DurationSeconds", "900"),
        ],
    },
    {
        # No body; an already percent-encoded path (AWS encodes it once more
        # for non-S3 services) with dot segments and doubled slashes, and a
        # query with repeated keys, '+' and UTF-8, in RFC 3986 form.
        "name": "get-encoded-path-and-query",
        "method": "GET",
        "service": "execute-api",
        "region": "ap-southeast-2",
        "host": "example.execute-api.ap-southeast-2.amazonaws.com",
        "path": "/prod/a%20b/./c//d/../%E1%88%B4~x/",
        "query": "b=%E1%88%B4&a=x%2By&a=x%20y&empty=&A=1",
        "amz_date": "20000101T000000Z",
        "fields": None,
    },
]


def go_query_escape(s):
    """Go's url.QueryEscape over the bytes of s (str: its UTF-8 bytes)."""
    out = []
    for b in s.encode("utf-8") if isinstance(s, str) else s:
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_.~"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def go_values_encode(fields):
    """Go's url.Values.Encode: keys sorted, values of a key in given order."""
    keys = sorted({k for k, _ in fields}, key=lambda k: k.encode("utf-8"))
    parts = []
    for k in keys:
        for key, value in fields:
            if key == k:
                parts.append(go_query_escape(key) + "=" + go_query_escape(value))
    return "&".join(parts)


def escape(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def emit(*fields):
    print("\t".join(escape(f) for f in fields))


def sign(case, body):
    captured = {}
    auth = botocore.auth.SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET), case["service"], case["region"])
    real_creq, real_sts = auth.canonical_request, auth.string_to_sign

    def creq(request):
        captured["creq"] = real_creq(request)
        return captured["creq"]

    def sts(request, canonical_request):
        captured["sts"] = real_sts(request, canonical_request)
        return captured["sts"]

    auth.canonical_request, auth.string_to_sign = creq, sts
    url = "https://%s%s" % (case["host"], case["path"]) + ("?" + case["query"] if case["query"] else "")
    headers = {}
    if case["fields"] is not None:
        headers = {"Content-Type": CONTENT_TYPE, "Content-Length": str(len(body.encode("utf-8")))}
    request = AWSRequest(method=case["method"], url=url, data=body.encode("utf-8"), headers=headers)
    now = datetime.datetime.strptime(case["amz_date"], "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        auth.add_auth(request)
    if request.headers["X-Amz-Date"] != case["amz_date"]:
        sys.exit("botocore did not use the mocked time")
    return captured["creq"], captured["sts"], request.headers["Authorization"]


def main():
    print("# Generated by make_golden.py with botocore %s; do not edit, rerun the script." % botocore.__version__)
    emit("access-key-id", ACCESS_KEY_ID)
    emit("secret-access-key", SECRET)
    emit("content-type", CONTENT_TYPE)
    # Every single byte as a form value: Go's rule and urllib must agree.
    for b in range(256):
        go = go_query_escape(bytes([b]))
        python = quote_plus(bytes([b]))
        if go != python:
            sys.exit("byte %02x: Go-style %s, urllib %s" % (b, go, python))
        emit("form-byte", "%02x" % b, python)
    for case in CASES:
        fields = case["fields"] or []
        body = go_values_encode(fields) if case["fields"] is not None else ""
        python_body = urlencode(sorted(fields))
        if body != python_body:
            sys.exit("Go-style and urllib encodings differ for %s:\n%s\n%s" % (case["name"], body, python_body))
        creq, sts, authz = sign(case, body)
        date = case["amz_date"][:8]
        kdate = hmac.new(("AWS4" + SECRET).encode(), date.encode(), hashlib.sha256).hexdigest()
        emit("case", case["name"])
        emit("method", case["method"])
        emit("service", case["service"])
        emit("region", case["region"])
        emit("host", case["host"])
        emit("path", case["path"])
        emit("query", case["query"])
        emit("amz-date", case["amz_date"])
        emit("kdate", kdate)
        for key, value in fields:
            emit("field", key, value)
        emit("body", body)
        emit("creq", creq)
        emit("sts", sts)
        emit("authorization", authz)
        emit("end")


if __name__ == "__main__":
    main()
