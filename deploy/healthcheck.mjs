// Docker HEALTHCHECK: exit 0 when HEALTHCHECK_URL (default: this container's API /healthz) answers 2xx within 3 s.
const url = process.env.HEALTHCHECK_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/healthz`;
const headers = process.env.METRICS_TOKEN && url.endsWith('/metrics') ? { authorization: `Bearer ${process.env.METRICS_TOKEN}` } : {};
fetch(url, { headers, signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
