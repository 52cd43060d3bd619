// The AWS SDK for JavaScript v3 as a client of `serve`: takes credentials
// from one of its providers (the environment names the server, as the
// program printed it) and signs STS GetCallerIdentity with them, against the
// STS in AWS_ENDPOINT_URL_STS (its CA: NODE_EXTRA_CA_CERTS).
//
//   node clients.mjs container|http|imds      prints the caller's ARN
//
// container: fromContainerMetadata, which reads the token from
//            AWS_CONTAINER_AUTHORIZATION_TOKEN only;
// http:      fromHttp (what the default chain uses for containers), which
//            also reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
// imds:      fromInstanceMetadata (IMDSv2, AWS_EC2_METADATA_SERVICE_ENDPOINT).
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromContainerMetadata, fromHttp, fromInstanceMetadata } from "@aws-sdk/credential-providers";

const providers = {
  container: () => fromContainerMetadata({ timeout: 2000, maxRetries: 0 }),
  http: () => fromHttp({ timeout: 2000, maxRetries: 0 }),
  imds: () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0 }),
};
const make = providers[process.argv[2]];
const provider = make ? make() : null;
if (!provider) {
  console.error("usage: node clients.mjs container|http|imds");
  process.exit(2);
}
const sts = new STSClient({ region: "us-east-1", endpoint: process.env.AWS_ENDPOINT_URL_STS, credentials: provider });
const id = await sts.send(new GetCallerIdentityCommand({}));
console.log(id.Arn);
