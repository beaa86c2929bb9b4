/// The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`.
///
/// A test checks that every route the router has is in `paths` and every path here is a route.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Keel API",
    "version": "1",
    "description": "Trigger, list, follow and control durable runs of a Keel server. Every route but /healthz needs 'Authorization: Bearer <key>'."
  },
  "security": [{ "bearer": [] }],
  "paths": {
    "/healthz": {
      "get": {
        "summary": "Liveness check", "operationId": "health", "security": [],
        "responses": { "200": { "description": "The server is up", "content": { "application/json": { "schema": { "type": "object", "properties": { "status": { "const": "ok" } } } } } } }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics: runs started, completed and failed, step durations, queue depth", "operationId": "metrics",
        "responses": { "200": { "description": "Prometheus text format", "content": { "text/plain": { "schema": { "type": "string" } } } }, "401": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "summary": "This document", "operationId": "openAPIDocument",
        "responses": { "200": { "description": "The OpenAPI document", "content": { "application/json": { "schema": { "type": "object" } } } }, "401": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/tasks": {
      "get": {
        "summary": "Registered tasks with their versions and queues", "operationId": "listTasks",
        "responses": {
          "200": { "description": "The tasks", "content": { "application/json": { "schema": { "type": "object", "required": ["tasks"], "properties": { "tasks": { "type": "array", "items": { "$ref": "#/components/schemas/Task" } } } } } } },
          "401": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/tasks/{task}/trigger": {
      "post": {
        "summary": "Trigger a run", "operationId": "triggerTask",
        "parameters": [{ "$ref": "#/components/parameters/task" }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TriggerRequest" } } } },
        "responses": {
          "200": { "description": "The run (an existing one for a repeated idempotency key)", "content": { "application/json": { "schema": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string" } } } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "413": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/tasks/{task}/batch": {
      "post": {
        "summary": "Trigger one run per item; every item is checked before any run is created", "operationId": "batchTriggerTask",
        "parameters": [{ "$ref": "#/components/parameters/task" }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/TriggerRequest" } } } } } } },
        "responses": {
          "200": { "description": "The runs, in item order", "content": { "application/json": { "schema": { "type": "object", "required": ["ids"], "properties": { "ids": { "type": "array", "items": { "type": "string" } } } } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "413": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/runs": {
      "get": {
        "summary": "Runs, newest first, filtered, a page at a time", "operationId": "listRuns",
        "parameters": [
          { "name": "task", "in": "query", "schema": { "type": "string" } },
          { "name": "status", "in": "query", "description": "Comma-separated statuses", "schema": { "type": "string" } },
          { "name": "tag", "in": "query", "schema": { "type": "string" } },
          { "name": "from", "in": "query", "description": "Created at or after (ISO 8601)", "schema": { "type": "string", "format": "date-time" } },
          { "name": "to", "in": "query", "description": "Created before (ISO 8601)", "schema": { "type": "string", "format": "date-time" } },
          { "name": "cursor", "in": "query", "description": "nextCursor of the previous page", "schema": { "type": "string" } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 50 } }
        ],
        "responses": {
          "200": { "description": "A page of runs", "content": { "application/json": { "schema": { "type": "object", "required": ["runs", "nextCursor"], "properties": { "runs": { "type": "array", "items": { "$ref": "#/components/schemas/RunSummary" } }, "nextCursor": { "type": ["string", "null"] } } } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/runs/{id}": {
      "get": {
        "summary": "A run with its input, output and journal", "operationId": "getRun",
        "parameters": [{ "$ref": "#/components/parameters/runID" }],
        "responses": { "200": { "$ref": "#/components/responses/Run" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/runs/{id}/cancel": {
      "post": {
        "summary": "Cancel a run and its unfinished descendants", "operationId": "cancelRun",
        "parameters": [{ "$ref": "#/components/parameters/runID" }],
        "responses": { "200": { "$ref": "#/components/responses/Run" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/runs/{id}/resume": {
      "post": {
        "summary": "Resume a parked run with the code now deployed", "operationId": "resumeRun",
        "parameters": [{ "$ref": "#/components/parameters/runID" }],
        "responses": { "200": { "$ref": "#/components/responses/Run" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" }, "409": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/runs/{id}/events": {
      "get": {
        "summary": "Follow a run: server-sent events 'run' (status), 'journal' (entries in order) and a last 'end'", "operationId": "followRun",
        "parameters": [{ "$ref": "#/components/parameters/runID" }],
        "responses": { "200": { "description": "An event stream", "content": { "text/event-stream": { "schema": { "type": "string" } } } }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/runs/{id}/logs": {
      "get": {
        "summary": "The lines the run wrote through its context's logger, oldest first", "operationId": "getRunLogs",
        "parameters": [
          { "$ref": "#/components/parameters/runID" },
          { "name": "after", "in": "query", "description": "Only lines after this sequence number", "schema": { "type": "integer", "minimum": 0 } },
          { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 1000 } }
        ],
        "responses": {
          "200": { "description": "The log lines", "content": { "application/json": { "schema": { "type": "object", "required": ["logs"], "properties": { "logs": { "type": "array", "items": { "$ref": "#/components/schemas/LogLine" } } } } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/tokens/{token}/complete": {
      "post": {
        "summary": "Complete a waitpoint token (its callback URL)", "operationId": "completeToken",
        "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PayloadRequest" } } } },
        "responses": {
          "200": { "description": "The completed token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Token" } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" },
          "409": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/events/{name}": {
      "post": {
        "summary": "Send an event to the runs waiting for it now", "operationId": "sendEvent",
        "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PayloadRequest" } } } },
        "responses": {
          "200": { "description": "The runs it reached", "content": { "application/json": { "schema": { "type": "object", "required": ["runs"], "properties": { "runs": { "type": "array", "items": { "type": "string" } } } } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "413": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/schedules": {
      "get": {
        "summary": "Cron schedules", "operationId": "listSchedules",
        "responses": { "200": { "description": "The schedules", "content": { "application/json": { "schema": { "type": "object", "required": ["schedules"], "properties": { "schedules": { "type": "array", "items": { "$ref": "#/components/schemas/Schedule" } } } } } } }, "401": { "$ref": "#/components/responses/Error" } }
      },
      "post": {
        "summary": "Create or replace a cron schedule", "operationId": "createSchedule",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["id", "task", "cron"], "properties": { "id": { "type": "string" }, "task": { "type": "string" }, "cron": { "type": "string", "examples": ["0 9 * * MON-FRI"] }, "timeZone": { "type": "string", "default": "UTC" }, "input": {} } } } } },
        "responses": {
          "201": { "description": "The schedule", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Schedule" } } } },
          "400": { "$ref": "#/components/responses/Error" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/api/v1/schedules/{id}": {
      "delete": {
        "summary": "Delete a schedule (its runs are kept)", "operationId": "deleteSchedule",
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "204": { "description": "Deleted" }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/schedules/{id}/enable": {
      "post": {
        "summary": "Enable a schedule: it fires from the next tick on (missed ticks are not made up)", "operationId": "enableSchedule",
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "200": { "description": "The schedule", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Schedule" } } } }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    },
    "/api/v1/schedules/{id}/disable": {
      "post": {
        "summary": "Disable a schedule: its ticks create no runs until it is enabled", "operationId": "disableSchedule",
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "200": { "description": "The schedule", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Schedule" } } } }, "401": { "$ref": "#/components/responses/Error" }, "404": { "$ref": "#/components/responses/Error" } }
      }
    }
  },
  "components": {
    "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API key" } },
    "parameters": {
      "task": { "name": "task", "in": "path", "required": true, "schema": { "type": "string" } },
      "runID": { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
    },
    "responses": {
      "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
      "Run": { "description": "A run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Run" } } } }
    },
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } }
      },
      "Duration": { "description": "Seconds, or a number with a unit: 500ms, 10s, 5m, 2h, 1d", "oneOf": [{ "type": "number", "minimum": 0 }, { "type": "string", "pattern": "^[0-9.]+(ms|s|m|h|d|w)?$" }] },
      "TriggerRequest": {
        "type": "object",
        "properties": { "input": { "description": "The task's input (any JSON; {} when absent)" }, "options": { "$ref": "#/components/schemas/TriggerOptions" } }
      },
      "TriggerOptions": {
        "type": "object",
        "properties": {
          "idempotencyKey": { "type": "string" }, "idempotencyKeyTTL": { "$ref": "#/components/schemas/Duration" },
          "delay": { "$ref": "#/components/schemas/Duration" }, "startAt": { "type": "string", "format": "date-time" },
          "queue": { "type": "string" }, "concurrencyKey": { "type": "string" }, "priority": { "$ref": "#/components/schemas/Duration" },
          "tags": { "type": "array", "items": { "type": "string" } }, "ttl": { "$ref": "#/components/schemas/Duration" },
          "debounce": { "type": "object", "required": ["key", "delay"], "properties": { "key": { "type": "string" }, "delay": { "$ref": "#/components/schemas/Duration" } } }
        }
      },
      "PayloadRequest": { "type": "object", "properties": { "payload": { "description": "Any JSON ({} when absent)" } } },
      "Task": {
        "type": "object", "required": ["name", "version", "queue"],
        "properties": { "name": { "type": "string" }, "version": { "type": "string" }, "queue": { "type": "string" }, "concurrencyLimit": { "type": "integer" }, "concurrencyLimitPerKey": { "type": "integer" } }
      },
      "LogLine": {
        "type": "object", "required": ["sequence", "level", "message", "metadata", "loggedAt"],
        "properties": {
          "sequence": { "type": "integer" }, "level": { "type": "string", "enum": ["trace", "debug", "info", "notice", "warning", "error", "critical"] },
          "message": { "type": "string" }, "metadata": { "type": "object", "additionalProperties": { "type": "string" } }, "loggedAt": { "type": "string", "format": "date-time" }
        }
      },
      "Status": { "type": "string", "enum": ["queued", "running", "waiting", "completed", "failed", "cancelled", "expired", "parked"] },
      "RecordedError": { "type": "object", "required": ["type", "message", "retryable"], "properties": { "type": { "type": "string" }, "message": { "type": "string" }, "retryable": { "type": "boolean" } } },
      "RunSummary": {
        "type": "object", "required": ["id", "task", "version", "queue", "status", "attempt", "createdAt", "updatedAt", "tags"],
        "properties": {
          "id": { "type": "string" }, "task": { "type": "string" }, "version": { "type": "string" }, "queue": { "type": "string" },
          "status": { "$ref": "#/components/schemas/Status" }, "attempt": { "type": "integer" },
          "createdAt": { "type": "string", "format": "date-time" }, "startedAt": { "type": "string", "format": "date-time" },
          "finishedAt": { "type": "string", "format": "date-time" }, "updatedAt": { "type": "string", "format": "date-time" },
          "tags": { "type": "array", "items": { "type": "string" } }, "parentId": { "type": "string" }, "idempotencyKey": { "type": "string" },
          "concurrencyKey": { "type": "string" }, "scheduleId": { "type": "string" }, "error": { "$ref": "#/components/schemas/RecordedError" }
        }
      },
      "Run": {
        "allOf": [
          { "$ref": "#/components/schemas/RunSummary" },
          { "type": "object", "required": ["input", "journal"], "properties": { "input": {}, "output": {}, "journal": { "type": "array", "items": { "$ref": "#/components/schemas/JournalEntry" } } } }
        ]
      },
      "JournalEntry": {
        "type": "object", "required": ["sequence", "kind", "name", "attempt", "recordedAt"],
        "properties": {
          "sequence": { "type": "integer" }, "position": { "type": "integer" },
          "kind": { "type": "string", "enum": ["step.completed", "step.attempt_failed", "step.failed", "sleep", "now", "uuid", "random", "run.retried", "run.cancelled", "run.expired", "token.created", "children.triggered", "wait.completed", "wait.timed_out"] },
          "name": { "type": "string" }, "attempt": { "type": "integer" }, "payload": {}, "error": { "$ref": "#/components/schemas/RecordedError" },
          "startedAt": { "type": "string", "format": "date-time" }, "wakeAt": { "type": "string", "format": "date-time" }, "recordedAt": { "type": "string", "format": "date-time" }
        }
      },
      "Token": {
        "type": "object", "required": ["id", "runId", "status"],
        "properties": { "id": { "type": "string" }, "runId": { "type": "string" }, "status": { "type": "string", "enum": ["pending", "completed", "timed_out"] }, "timeoutAt": { "type": "string", "format": "date-time" } }
      },
      "Schedule": {
        "type": "object", "required": ["id", "task", "cron", "timeZone", "declared", "enabled"],
        "properties": {
          "id": { "type": "string" }, "task": { "type": "string" }, "cron": { "type": "string" }, "timeZone": { "type": "string" }, "input": {},
          "declared": { "type": "boolean" }, "enabled": { "type": "boolean" }, "nextRunAt": { "type": "string", "format": "date-time" }, "lastRunAt": { "type": "string", "format": "date-time" },
          "lastRunId": { "type": "string" }
        }
      }
    }
  }
}
"""#
}
