// Container health check (Dockerfile HEALTHCHECK): exits 0 when the bot's `GET /healthz` on
// 127.0.0.1:HTTP_PORT (default 8080, as in src/config.ts) answers 200, else 1 with the reason.
// Plain JavaScript on purpose: it runs every 30 s and must start fast, without tsx.
const port = process.env.HTTP_PORT || "8080";
const url = `http://127.0.0.1:${port}/healthz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  const body = await response.text();
  if (response.status !== 200) {
    process.stderr.write(`${url} answered ${response.status}: ${body.slice(0, 500)}\n`);
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  process.stderr.write(`${url} did not answer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
