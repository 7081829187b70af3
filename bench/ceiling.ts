/**
 * The ceiling: a bare node:http server that reads each request body and answers a fixed JSON body
 * of the size of a DescribeOrganization answer. No routing, no parsing, no state: what one Node
 * process on one core can answer at most. Run as its own process: `node dist/bench/ceiling.js PORT`.
 */
import { createServer } from "node:http";

const BODY = JSON.stringify({
  Organization: {
    Id: "o-abcdefghij",
    Arn: "arn:aws:organizations::111111111111:organization/o-abcdefghij",
    FeatureSet: "ALL",
    MasterAccountArn: "arn:aws:organizations::111111111111:account/o-abcdefghij/111111111111",
    MasterAccountId: "111111111111",
    MasterAccountEmail: "account-111111111111@example.com",
    AvailablePolicyTypes: [],
  },
});
const LENGTH = String(Buffer.byteLength(BODY));

const port = Number(process.argv[2] ?? "0");
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, {
      "Content-Type": "application/x-amz-json-1.1",
      "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
      "Content-Length": LENGTH,
    });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`ceiling listening on http://127.0.0.1:${address.port}`);
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
