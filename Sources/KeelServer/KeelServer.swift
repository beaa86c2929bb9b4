// The HTTP API, server-sent events, /metrics and /healthz; built by `buildApplication`.
