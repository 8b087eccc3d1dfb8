/**
 * The yardstick for the bot's HTTP endpoint: a bare `node:http` server in its own process that
 * reads each request and answers a fixed JSON body of the given size, the least any server must do
 * for the same exchange. `tsx bench/bare-server.ts <body bytes>` prints its port on one line and
 * exits when its standard input closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const bytes = Number(process.argv[2] ?? "1000");
// An ephemeral slash-command answer, padded to exactly `bytes` bytes.
const frame = JSON.stringify({ response_type: "ephemeral", text: "" });
const body = Buffer.from(JSON.stringify({ response_type: "ephemeral", text: "x".repeat(Math.max(0, bytes - frame.length)) }));
const headers = { "Content-Type": "application/json", "Content-Length": String(body.length) };

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, headers);
    response.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
