// The OpenAPI 3.1 document served at GET /openapi.json. It is written by hand next to the
// handlers; tests/unit/http/openapi_test.cpp fails when its (method, path) set and the router's
// drift apart. The pieces below are concatenated into one JSON text (keep it valid JSON).
//
// Shorthand: an operation's "x-errors": [400, 401, ...] lists the standard error responses it
// can give; each becomes a "$ref" to components.responses in the served document, and the key
// is removed. Responses an operation spells out itself are kept as written.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/api.hpp"

namespace ats::http {
namespace {
namespace json = boost::json;

constexpr std::string_view kErrorsKey = "x-errors";

// HTTP status → its reusable response in components.responses.
constexpr std::pair<int, const char*> kStandardErrors[] = {
    {400, "BadRequest"},      {401, "Unauthorized"},    {403, "Forbidden"},
    {404, "NotFound"},        {413, "PayloadTooLarge"}, {429, "TooManyRequests"},
    {503, "Unavailable"}};

// Top level, security scheme, index and health.
constexpr const char* kHead = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "agent-trace-service",
    "version": "v1",
    "summary": "Stores Agent Trace records, commit links, ledgers and conversation transcripts; attributes lines of code to AI contributions.",
    "description": "Bodies are JSON (Content-Type: application/json); request bodies may be sent with Content-Encoding: gzip. Every error answer is a JSON object with a human `error` message, a stable machine `code` and, for validation failures, `details` (JSON-pointer paths and reasons). Every response carries an X-Request-Id header. Protected routes need `Authorization: Bearer <token>`; the role names listed in each operation's security requirement are the token scopes it needs (`ingest`, `read`, `admin`; an admin token passes every scope check). Transport-level errors apply to every route: 400 malformed HTTP, 413 body over the configured limit (default 32 MiB), 415 unsupported Content-Encoding, 431 header fields too large, 404 unknown route, 405 wrong method (with an Allow header). A project whose visibility is `private` answers 404 to everyone who is not a member, its owner or an admin, as if it did not exist."
  },
  "servers": [{"url": "/"}],
  "tags": [
    {"name": "index", "description": "Service index, health and this document"},
    {"name": "tokens", "description": "Bearer tokens"},
    {"name": "projects", "description": "Projects, their statistics and members"},
    {"name": "traces", "description": "Agent Trace records"},
    {"name": "commit-links", "description": "Commit links and ledgers written by the post-commit hook"},
    {"name": "blame", "description": "AI attribution of git-blame segments"},
    {"name": "conversations", "description": "Conversation transcripts"}
  ],
  "security": [{"bearerAuth": []}],
  "paths": {
    "/": {
      "get": {
        "tags": ["index"],
        "operationId": "index",
        "summary": "Service name, version and every route",
        "security": [],
        "responses": {
          "200": {
            "description": "The index; `docs` maps each route name to \"METHOD path\".",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Index"}}}
          }
        }
      }
    },
    "/health": {
      "get": {
        "tags": ["index"],
        "operationId": "health",
        "summary": "Liveness and database connectivity",
        "security": [],
        "responses": {
          "200": {
            "description": "The database answers.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthOk"}}}
          },
          "503": {
            "description": "The database is unreachable.",
            "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthError"}}}
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["index"],
        "operationId": "openapi",
        "summary": "This OpenAPI 3.1 document",
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {"application/json": {"schema": {"type": "object"}}}
          }
        }
      }
    },
)json";

// Tokens.
constexpr const char* kTokens = R"json(
    "/api/v1/tokens/generate": {
      "post": {
        "tags": ["tokens"],
        "operationId": "tokens_generate",
        "summary": "Mint a token",
        "description": "In development mode (no AUTH_SECRET configured) anyone on loopback may mint an ingest/read token without an Authorization header; minting the admin scope always needs an admin token. In production mode an admin token is required. Without `scopes` the token gets `ingest` and `read`, which is what the command-line client needs. The token is shown only in this response.",
        "security": [{}, {"bearerAuth": ["admin"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenGenerateRequest"}}}
        },
        "x-errors": [400, 401, 403, 413, 429, 503],
        "responses": {
          "200": {
            "description": "The new token.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenIssued"}}}
          }
        }
      }
    },
    "/api/v1/tokens/verify": {
      "post": {
        "tags": ["tokens"],
        "operationId": "tokens_verify",
        "summary": "Check a token",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenVerifyRequest"}}}
        },
        "x-errors": [400, 413, 503],
        "responses": {
          "200": {
            "description": "The token is live.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenValid"}}}
          },
          "401": {
            "description": "Malformed, unknown, tampered, expired or revoked token.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenInvalid"}}}
          }
        }
      }
    },
    "/api/v1/tokens/{token_id}": {
      "parameters": [
        {"name": "token_id", "in": "path", "required": true, "description": "The token id (`token_id` of generate/verify).", "schema": {"type": "string"}}
      ],
      "delete": {
        "tags": ["tokens"],
        "operationId": "tokens_revoke",
        "summary": "Revoke a token",
        "description": "Any valid token may revoke a token of its own user; an admin may revoke any token. Revocation takes effect on every instance within a second. Someone else's token answers 404 like an unknown one.",
        "security": [{"bearerAuth": []}],
        "x-errors": [401, 404, 429, 503],
        "responses": {
          "200": {
            "description": "Revoked.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenRevoked"}}}
          }
        }
      }
    },
)json";

// Projects and members.
constexpr const char* kProjects = R"json(
    "/api/v1/projects": {
      "post": {
        "tags": ["projects"],
        "operationId": "projects_upsert",
        "summary": "Create or update a project",
        "description": "A missing or null `name` / `description` keeps the stored value. The first creator of a project becomes its owner; only the owner or an admin may change `visibility`.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectUpsertRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "201": {
            "description": "The project as stored.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectEnvelope"}}}
          }
        }
      }
    },
    "/api/v1/projects/{project_id}": {
      "parameters": [{"$ref": "#/components/parameters/ProjectIdPath"}],
      "get": {
        "tags": ["projects"],
        "operationId": "projects_get",
        "summary": "A project and its statistics",
        "security": [{"bearerAuth": ["read"]}],
        "x-errors": [401, 403, 404, 429, 503],
        "responses": {
          "200": {
            "description": "The project and its statistics.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectWithStats"}}}
          }
        }
      }
    },
    "/api/v1/projects/{project_id}/members": {
      "parameters": [{"$ref": "#/components/parameters/ProjectIdPath"}],
      "post": {
        "tags": ["projects"],
        "operationId": "project_members_add",
        "summary": "Add a member",
        "description": "Only the project owner or an admin, with a token that has the ingest scope.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "201": {
            "description": "The user is a member.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}
          }
        }
      },
      "delete": {
        "tags": ["projects"],
        "operationId": "project_members_remove",
        "summary": "Remove a member",
        "description": "Only the project owner or an admin, with a token that has the ingest scope. The body names the user.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "200": {
            "description": "The user is no longer a member.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}
          }
        }
      }
    },
)json";

// Traces.
constexpr const char* kTraces = R"json(
    "/api/v1/traces": {
      "post": {
        "tags": ["traces"],
        "operationId": "traces_ingest",
        "summary": "Ingest one trace record",
        "description": "The record is validated (400 with `details` naming JSON-pointer paths) and stored exactly as received, unknown fields included. Re-sending a stored (project_id, id) keeps the first record and answers 201 with `duplicate: true`. Creates the project if missing.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceIngestRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "201": {
            "description": "Stored, or already stored (`duplicate`).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceIngested"}}}
          }
        }
      },
      "get": {
        "tags": ["traces"],
        "operationId": "traces_list",
        "summary": "List a project's trace records, newest first",
        "description": "All filters combine with AND. The records are returned as ingested. A private project the caller may not read lists as empty.",
        "security": [{"bearerAuth": ["read"]}],
        "parameters": [
          {"$ref": "#/components/parameters/ProjectIdQuery"},
          {"name": "session_id", "in": "query", "description": "`metadata.session_id` equals.", "schema": {"type": "string"}},
          {"name": "conversation_id", "in": "query", "description": "`metadata.conversation_id` equals.", "schema": {"type": "string"}},
          {"name": "hook_event", "in": "query", "description": "The ingest body's `hook_event` (or `metadata.hook_event`) equals.", "schema": {"type": "string"}},
          {"name": "tool_name", "in": "query", "description": "`tool.name` equals.", "schema": {"type": "string"}},
          {"name": "model_id", "in": "query", "description": "Some conversation- or range-level `contributor.model_id` equals.", "schema": {"type": "string"}},
          {"name": "revision", "in": "query", "description": "`vcs.revision` equals.", "schema": {"type": "string"}},
          {"name": "file_path", "in": "query", "description": "Some `files[].path` equals.", "schema": {"type": "string"}},
          {"name": "since", "in": "query", "description": "Record timestamp at or after this instant (RFC 3339; unparseable: 400).", "schema": {"type": "string", "format": "date-time"}},
          {"name": "until", "in": "query", "description": "Record timestamp at or before this instant (RFC 3339; unparseable: 400).", "schema": {"type": "string", "format": "date-time"}},
          {"name": "limit", "in": "query", "description": "Page size; values above 200 are clamped to 200; non-integer or below 1: 400.", "schema": {"type": "integer", "minimum": 1, "default": 50}},
          {"name": "offset", "in": "query", "description": "Records to skip; non-integer or negative: 400.", "schema": {"type": "integer", "minimum": 0, "default": 0}}
        ],
        "x-errors": [400, 401, 403, 429, 503],
        "responses": {
          "200": {
            "description": "One page of records and the total matching count.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceList"}}}
          }
        }
      }
    },
    "/api/v1/traces/batch": {
      "post": {
        "tags": ["traces"],
        "operationId": "traces_batch",
        "summary": "Ingest several trace records at once",
        "description": "Every item is validated before anything is written: one invalid item answers 400 naming its index and nothing of the batch is stored. More items than the configured limit (default 1000) answers 413.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceBatchRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "201": {
            "description": "All items stored (or already stored), ids in item order.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceBatchIngested"}}}
          }
        }
      }
    },
    "/api/v1/traces/{trace_id}": {
      "parameters": [
        {"name": "trace_id", "in": "path", "required": true, "description": "The record's `id`.", "schema": {"type": "string"}}
      ],
      "get": {
        "tags": ["traces"],
        "operationId": "traces_get",
        "summary": "One trace record",
        "security": [{"bearerAuth": ["read"]}],
        "parameters": [{"$ref": "#/components/parameters/ProjectIdQuery"}],
        "x-errors": [400, 401, 403, 404, 429, 503],
        "responses": {
          "200": {
            "description": "The record as ingested and who ingested it.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceEnvelope"}}}
          }
        }
      }
    },
)json";

// Commit links, ledgers, blame and conversations.
constexpr const char* kLinks = R"json(
    "/api/v1/commit-links": {
      "post": {
        "tags": ["commit-links"],
        "operationId": "commit_links_create",
        "summary": "Store the link between a commit and the traces behind it",
        "description": "Posting the same (project_id, commit_sha) again replaces the stored link. Creates the project if missing.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommitLinkRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "201": {
            "description": "Stored.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommitLinkStored"}}}
          }
        }
      }
    },
    "/api/v1/commit-links/{commit_sha}": {
      "parameters": [{"$ref": "#/components/parameters/CommitShaPath"}],
      "get": {
        "tags": ["commit-links"],
        "operationId": "commit_links_get",
        "summary": "A stored commit link with summaries of its traces",
        "security": [{"bearerAuth": ["read"]}],
        "parameters": [{"$ref": "#/components/parameters/ProjectIdQuery"}],
        "x-errors": [400, 401, 403, 404, 429, 503],
        "responses": {
          "200": {
            "description": "The link.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommitLink"}}}
          }
        }
      }
    },
    "/api/v1/ledgers/{commit_sha}": {
      "parameters": [{"$ref": "#/components/parameters/CommitShaPath"}],
      "get": {
        "tags": ["commit-links"],
        "operationId": "ledgers_get",
        "summary": "The ledger posted with a commit link, as received",
        "security": [{"bearerAuth": ["read"]}],
        "parameters": [{"$ref": "#/components/parameters/ProjectIdQuery"}],
        "x-errors": [400, 401, 403, 404, 429, 503],
        "responses": {
          "200": {
            "description": "The ledger object, unchanged.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ledger"}}}
          }
        }
      }
    },
    "/api/v1/blame": {
      "post": {
        "tags": ["blame"],
        "operationId": "blame",
        "summary": "Attribute git-blame segments of a file to AI contributions",
        "description": "One input segment per git-blame run of lines. Segments lacking start_line, end_line or commit_sha are skipped; every other segment produces at least one attribution (unattributed ones have tier null, confidence 0, trace_id null, no signals); adjacent entries with the same trace_id and tier are merged. More segments than the configured limit (default 20000) answers 413.",
        "security": [{"bearerAuth": ["read"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BlameRequest"}}}
        },
        "x-errors": [400, 401, 403, 413, 429, 503],
        "responses": {
          "200": {
            "description": "The attributions, in line order.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BlameResponse"}}}
          }
        }
      }
    },
    "/api/v1/conversations/sync": {
      "post": {
        "tags": ["conversations"],
        "operationId": "conversations_sync",
        "summary": "Upload conversation transcripts",
        "description": "Upserts each item by (project_id, url): a newer upload replaces the older. Creates no trace; creates the project if missing.",
        "security": [{"bearerAuth": ["ingest"]}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationSyncRequest"}}}
        },
        "x-errors": [400, 401, 403, 404, 413, 429, 503],
        "responses": {
          "200": {
            "description": "Stored.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}
          }
        }
      }
    },
    "/api/v1/conversations/content": {
      "get": {
        "tags": ["conversations"],
        "operationId": "conversations_content",
        "summary": "One stored transcript",
        "security": [{"bearerAuth": ["read"]}],
        "parameters": [
          {"$ref": "#/components/parameters/ProjectIdQuery"},
          {"name": "url", "in": "query", "required": true, "description": "The conversation url, as in the trace record (usually file://...).", "schema": {"type": "string", "minLength": 1}}
        ],
        "x-errors": [400, 401, 403, 404, 429, 503],
        "responses": {
          "200": {
            "description": "The transcript text.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationContentResponse"}}}
          }
        }
      }
    }
  },
)json";

// Reusable security scheme, parameters, headers and error responses.
constexpr const char* kComponentsHead = R"json(
  "components": {
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An opaque token from POST /api/v1/tokens/generate or the `token create` command. Missing header or not `Bearer ...`: 401 \"Missing or invalid Authorization header\"; bad, expired or revoked token: 401 \"Invalid or expired token\"; a valid token without the needed scope: 403."
      }
    },
    "parameters": {
      "ProjectIdPath": {"name": "project_id", "in": "path", "required": true, "description": "The client's project id.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
      "ProjectIdQuery": {"name": "project_id", "in": "query", "required": true, "description": "The project; missing: 400 \"project_id query parameter is required\".", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
      "CommitShaPath": {"name": "commit_sha", "in": "path", "required": true, "description": "The commit id as posted (usually 40 hex characters).", "schema": {"type": "string"}}
    },
    "headers": {
      "RetryAfter": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
    },
    "responses": {
      "BadRequest": {
        "description": "Invalid JSON, a body that is not an object, a missing or ill-typed field, or a bad query parameter. `details` lists JSON-pointer paths for validation failures.",
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Invalid trace record: /trace/timestamp must be an RFC 3339 timestamp", "code": "invalid_argument", "details": [{"path": "/trace/timestamp", "message": "must be an RFC 3339 timestamp"}]}
        }}
      },
      "Unauthorized": {
        "description": "Missing, malformed, unknown, expired or revoked bearer token.",
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Missing or invalid Authorization header", "code": "unauthenticated"}
        }}
      },
      "Forbidden": {
        "description": "The token lacks the needed scope, or the caller is not the project's owner or an admin.",
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "This token lacks the 'ingest' scope", "code": "permission_denied"}
        }}
      },
      "NotFound": {
        "description": "Not stored, or in a private project the caller may not see.",
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Trace not found", "code": "not_found"}
        }}
      },
      "PayloadTooLarge": {
        "description": "Body, batch, list or transcript over its configured limit.",
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Request body too large", "code": "too_large"}
        }}
      },
      "TooManyRequests": {
        "description": "The per-token rate limit is exhausted (only when a rate limit is configured).",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Rate limit exceeded; retry later", "code": "rate_limited"}
        }}
      },
      "Unavailable": {
        "description": "The database cannot be reached.",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Error"},
          "example": {"error": "Database unavailable, retry later", "code": "unavailable"}
        }}
      }
    },
)json";

// Schemas: errors, index, tokens, projects.
constexpr const char* kSchemasBasic = R"json(
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {"type": "string", "description": "Human-readable message (what clients read)."},
          "code": {"type": "string", "description": "Stable machine code.", "examples": ["invalid_argument", "unauthenticated", "permission_denied", "not_found", "too_large", "rate_limited", "unavailable", "method_not_allowed", "bad_request", "unsupported_encoding", "header_too_large", "not_implemented", "internal"]},
          "details": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        }
      },
      "FieldError": {
        "type": "object",
        "required": ["path", "message"],
        "properties": {
          "path": {"type": "string", "description": "JSON pointer into the request body (or /query/<name>).", "examples": ["/trace/files/0/path"]},
          "message": {"type": "string"}
        }
      },
      "Ok": {
        "type": "object",
        "required": ["ok"],
        "properties": {"ok": {"const": true}}
      },
      "Timestamp": {"type": "string", "format": "date-time", "description": "RFC 3339 with an explicit offset."},
      "Index": {
        "type": "object",
        "required": ["name", "version", "docs"],
        "properties": {
          "name": {"const": "agent-trace-service"},
          "version": {"type": "string"},
          "docs": {"type": "object", "additionalProperties": {"type": "string"}, "examples": [{"traces_list": "GET /api/v1/traces"}]}
        }
      },
      "HealthOk": {
        "type": "object",
        "required": ["status", "db", "timestamp"],
        "properties": {
          "status": {"const": "ok"},
          "db": {"const": "connected"},
          "timestamp": {"$ref": "#/components/schemas/Timestamp"}
        }
      },
      "HealthError": {
        "type": "object",
        "required": ["status", "db", "error"],
        "properties": {
          "status": {"const": "error"},
          "db": {"const": "disconnected"},
          "error": {"type": "string"}
        }
      },
      "Scope": {"type": "string", "enum": ["ingest", "read", "admin"]},
      "TokenGenerateRequest": {
        "type": "object",
        "required": ["user_id"],
        "properties": {
          "user_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "scopes": {
            "description": "Default: ingest and read.",
            "oneOf": [
              {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}, "minItems": 1},
              {"type": "string", "description": "Comma-separated scopes.", "examples": ["ingest,read"]},
              {"type": "null"}
            ]
          },
          "expires_in": {
            "description": "Lifetime: a duration like \"90d\", \"12h\", \"30m\", \"3600s\", or a number of seconds. Default: no expiry.",
            "oneOf": [{"type": "string"}, {"type": "integer", "minimum": 1}, {"type": "null"}]
          }
        }
      },
      "TokenIssued": {
        "type": "object",
        "required": ["token", "user_id", "token_id", "scopes", "expires_at", "note"],
        "properties": {
          "token": {"type": "string", "description": "Opaque; send as `Authorization: Bearer <token>`. Shown only once."},
          "user_id": {"type": "string"},
          "token_id": {"type": "string"},
          "scopes": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}},
          "expires_at": {"oneOf": [{"$ref": "#/components/schemas/Timestamp"}, {"type": "null"}]},
          "note": {"type": "string"}
        }
      },
      "TokenVerifyRequest": {
        "type": "object",
        "required": ["token"],
        "properties": {"token": {"type": "string", "minLength": 1}}
      },
      "TokenValid": {
        "type": "object",
        "required": ["valid", "user_id", "token_id", "scopes", "expires_at"],
        "properties": {
          "valid": {"const": true},
          "user_id": {"type": "string"},
          "token_id": {"type": "string"},
          "scopes": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}},
          "expires_at": {"oneOf": [{"$ref": "#/components/schemas/Timestamp"}, {"type": "null"}]}
        }
      },
      "TokenInvalid": {
        "type": "object",
        "required": ["valid", "error"],
        "properties": {
          "valid": {"const": false},
          "error": {"const": "Invalid token"}
        }
      },
      "TokenRevoked": {
        "type": "object",
        "required": ["ok", "revoked"],
        "properties": {
          "ok": {"const": true},
          "revoked": {"type": "string", "description": "The revoked token id."}
        }
      },
      "Visibility": {
        "type": "string",
        "enum": ["team", "private"],
        "description": "team: any valid token of this deployment; private: members, the owner and admins only."
      },
      "Project": {
        "type": "object",
        "required": ["id", "project_id", "name", "description", "created_at", "updated_at"],
        "properties": {
          "id": {"type": "string", "format": "uuid"},
          "project_id": {"type": "string"},
          "name": {"type": ["string", "null"]},
          "description": {"type": ["string", "null"]},
          "visibility": {"$ref": "#/components/schemas/Visibility"},
          "created_at": {"$ref": "#/components/schemas/Timestamp"},
          "updated_at": {"$ref": "#/components/schemas/Timestamp"}
        }
      },
      "ProjectStats": {
        "type": "object",
        "required": ["trace_count", "conversation_count", "unique_users", "latest_trace_at"],
        "properties": {
          "trace_count": {"type": "integer", "minimum": 0},
          "conversation_count": {"type": "integer", "minimum": 0},
          "unique_users": {"type": "integer", "minimum": 0},
          "latest_trace_at": {"oneOf": [{"$ref": "#/components/schemas/Timestamp"}, {"type": "null"}]}
        }
      },
      "ProjectUpsertRequest": {
        "type": "object",
        "required": ["project_id"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "name": {"type": ["string", "null"], "maxLength": 1024, "description": "Null or missing keeps the stored value."},
          "description": {"type": ["string", "null"], "maxLength": 65536, "description": "Null or missing keeps the stored value."},
          "visibility": {"$ref": "#/components/schemas/Visibility", "description": "Owner or admin only."}
        }
      },
      "ProjectEnvelope": {
        "type": "object",
        "required": ["project"],
        "properties": {"project": {"$ref": "#/components/schemas/Project"}}
      },
      "ProjectWithStats": {
        "type": "object",
        "required": ["project", "stats"],
        "properties": {
          "project": {"$ref": "#/components/schemas/Project"},
          "stats": {"$ref": "#/components/schemas/ProjectStats"}
        }
      },
      "MemberRequest": {
        "type": "object",
        "required": ["user_id"],
        "properties": {"user_id": {"type": "string", "minLength": 1, "maxLength": 256}}
      },
)json";

// Schemas: trace records and their envelopes.
constexpr const char* kSchemasTraces = R"json(
      "TraceRecord": {
        "type": "object",
        "description": "An Agent Trace record, stored and returned exactly as received; unknown and vendor fields are kept.",
        "required": ["id", "timestamp"],
        "additionalProperties": true,
        "properties": {
          "version": {"type": "string", "description": "\"1.0\" or a semver such as \"0.1.0\"."},
          "id": {"type": "string", "minLength": 1, "maxLength": 256},
          "timestamp": {"$ref": "#/components/schemas/Timestamp"},
          "vcs": {
            "type": "object",
            "additionalProperties": true,
            "properties": {
              "type": {"type": "string", "examples": ["git", "jj", "hg", "svn"]},
              "revision": {"type": "string"}
            }
          },
          "tool": {
            "type": "object",
            "additionalProperties": true,
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}}
          },
          "files": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["path"],
              "additionalProperties": true,
              "properties": {
                "path": {"type": "string"},
                "conversations": {"type": "array", "items": {"$ref": "#/components/schemas/TraceConversation"}}
              }
            }
          },
          "metadata": {"type": "object", "additionalProperties": true}
        }
      },
      "Contributor": {
        "type": "object",
        "additionalProperties": true,
        "properties": {
          "type": {"type": "string", "enum": ["human", "ai", "mixed", "unknown"]},
          "model_id": {"type": "string"}
        }
      },
      "TraceConversation": {
        "type": "object",
        "additionalProperties": true,
        "properties": {
          "url": {"type": "string"},
          "contributor": {"$ref": "#/components/schemas/Contributor"},
          "ranges": {"type": "array", "items": {"$ref": "#/components/schemas/TraceRange"}},
          "related": {"type": "array", "items": {"type": "object", "additionalProperties": true}}
        }
      },
      "TraceRange": {
        "type": "object",
        "required": ["start_line", "end_line"],
        "additionalProperties": true,
        "properties": {
          "start_line": {"type": "integer", "minimum": 1},
          "end_line": {"type": "integer", "minimum": 1, "description": "Not less than start_line."},
          "content_hash": {"type": "string"},
          "contributor": {"$ref": "#/components/schemas/Contributor"},
          "line_hashes": {
            "type": "array",
            "items": {"type": "object", "properties": {"line_offset": {"type": "integer"}, "hash": {"type": "string"}}}
          }
        }
      },
      "ConversationContent": {
        "type": "object",
        "required": ["url", "content"],
        "properties": {
          "url": {"type": "string", "minLength": 1, "maxLength": 4096},
          "content": {"type": "string", "description": "The whole transcript (default limit 16 MiB)."}
        }
      },
      "TraceIngestRequest": {
        "type": "object",
        "required": ["project_id", "trace"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "trace": {"$ref": "#/components/schemas/TraceRecord"},
          "conversation_contents": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ConversationContent"}},
          "hook_event": {"type": ["string", "null"], "description": "May also be given as trace.metadata.hook_event.", "examples": ["PostToolUse"]}
        }
      },
      "TraceIngested": {
        "type": "object",
        "required": ["ok", "trace_id"],
        "properties": {
          "ok": {"const": true},
          "trace_id": {"type": "string"},
          "duplicate": {"const": true, "description": "Present when the (project_id, id) was already stored; the first record is kept."}
        }
      },
      "TraceBatchRequest": {
        "type": "object",
        "required": ["project_id", "items"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
              "type": "object",
              "required": ["trace"],
              "properties": {
                "trace": {"$ref": "#/components/schemas/TraceRecord"},
                "conversation_contents": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ConversationContent"}},
                "hook_event": {"type": ["string", "null"]}
              }
            }
          }
        }
      },
      "TraceBatchIngested": {
        "type": "object",
        "required": ["ok", "count", "trace_ids"],
        "properties": {
          "ok": {"const": true},
          "count": {"type": "integer"},
          "trace_ids": {"type": "array", "items": {"type": "string"}, "description": "In item order."},
          "duplicates": {"type": "array", "items": {"type": "string"}, "description": "Ids that were already stored."}
        }
      },
      "TraceList": {
        "type": "object",
        "required": ["traces", "total", "limit", "offset"],
        "properties": {
          "traces": {"type": "array", "items": {"$ref": "#/components/schemas/TraceRecord"}, "description": "Newest timestamp first."},
          "total": {"type": "integer", "description": "Records matching the filters, all pages."},
          "limit": {"type": "integer"},
          "offset": {"type": "integer"}
        }
      },
      "TraceEnvelope": {
        "type": "object",
        "required": ["trace", "user_id"],
        "properties": {
          "trace": {"$ref": "#/components/schemas/TraceRecord"},
          "user_id": {"type": "string", "description": "Who ingested the record."}
        }
      },
)json";

// Schemas: commit links, ledgers, blame, conversations.
constexpr const char* kSchemasRest = R"json(
      "Ledger": {
        "type": "object",
        "description": "Built by the client at commit time; stored and returned as received.",
        "additionalProperties": true,
        "properties": {
          "version": {"type": "string"},
          "commit_sha": {"type": "string"},
          "parent_sha": {"type": ["string", "null"]},
          "trace_ids": {"type": "array", "items": {"type": "string"}},
          "files": {
            "type": "object",
            "additionalProperties": {
              "type": "object",
              "properties": {
                "line_attributions": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "start_line": {"type": "integer"},
                      "end_line": {"type": "integer"},
                      "type": {"type": "string", "enum": ["ai", "mixed", "human"]},
                      "trace_id": {"type": ["string", "null"]},
                      "model_id": {"type": ["string", "null"]},
                      "conversation_url": {"type": ["string", "null"]}
                    }
                  }
                }
              }
            }
          }
        }
      },
      "CommitLinkRequest": {
        "type": "object",
        "required": ["project_id", "commit_sha", "trace_ids"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "commit_sha": {"type": "string", "minLength": 1, "maxLength": 256},
          "parent_sha": {"type": ["string", "null"], "description": "Null for a root commit."},
          "trace_ids": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {"type": "string", "minLength": 1, "maxLength": 256}},
          "files_changed": {"type": ["array", "null"], "items": {"type": "string"}},
          "committed_at": {"oneOf": [{"$ref": "#/components/schemas/Timestamp"}, {"type": "null"}]},
          "created_at": {"type": ["string", "null"]},
          "ledger": {"oneOf": [{"$ref": "#/components/schemas/Ledger"}, {"type": "null"}]}
        }
      },
      "CommitLinkStored": {
        "type": "object",
        "required": ["ok", "commit_sha"],
        "properties": {"ok": {"const": true}, "commit_sha": {"type": "string"}}
      },
      "TraceSummary": {
        "oneOf": [
          {
            "type": "object",
            "required": ["trace_id", "timestamp", "tool", "model_id"],
            "properties": {
              "trace_id": {"type": "string"},
              "timestamp": {"type": "string"},
              "tool": {"description": "The record's `tool` object (null when absent)."},
              "model_id": {"type": ["string", "null"], "description": "First contributor model found in the record's files."}
            }
          },
          {
            "type": "object",
            "required": ["trace_id", "found"],
            "properties": {"trace_id": {"type": "string"}, "found": {"const": false}}
          }
        ]
      },
      "CommitLink": {
        "type": "object",
        "required": ["id", "project_id", "user_id", "commit_sha", "parent_sha", "trace_ids", "files_changed", "committed_at", "ledger", "created_at", "trace_summaries"],
        "properties": {
          "id": {"type": "string"},
          "project_id": {"type": "string"},
          "user_id": {"type": "string"},
          "commit_sha": {"type": "string"},
          "parent_sha": {"type": ["string", "null"]},
          "trace_ids": {"type": "array", "items": {"type": "string"}},
          "files_changed": {"type": ["array", "null"], "items": {"type": "string"}},
          "committed_at": {"type": ["string", "null"]},
          "ledger": {"oneOf": [{"$ref": "#/components/schemas/Ledger"}, {"type": "null"}]},
          "created_at": {"type": "string"},
          "trace_summaries": {"type": "array", "items": {"$ref": "#/components/schemas/TraceSummary"}, "description": "One per trace id, in order."}
        }
      },
      "BlameSegment": {
        "type": "object",
        "description": "One git-blame run of consecutive lines from one commit. Items lacking start_line, end_line or commit_sha are skipped.",
        "properties": {
          "start_line": {"type": "integer", "minimum": 1},
          "end_line": {"type": "integer", "minimum": 1, "description": "Not less than start_line."},
          "orig_start_line": {"type": "integer", "minimum": 1, "description": "Line in the blamed commit, when known."},
          "orig_end_line": {"type": "integer", "minimum": 1},
          "commit_sha": {"type": "string"},
          "parent_sha": {"type": ["string", "null"]},
          "content_hash": {"type": ["string", "null"], "examples": ["sha256:9f2e8a1b3c4d5e6f"]},
          "timestamp": {"type": ["string", "null"], "description": "Commit time; an unparseable value only removes the time window."}
        }
      },
      "BlameRequest": {
        "type": "object",
        "required": ["project_id", "file_path", "blame_data"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1},
          "file_path": {"type": "string", "minLength": 1, "maxLength": 4096},
          "blame_data": {"type": "array", "minItems": 1, "maxItems": 20000, "items": {"$ref": "#/components/schemas/BlameSegment"}}
        }
      },
      "Attribution": {
        "type": "object",
        "required": ["start_line", "end_line", "tier", "confidence", "trace_id", "signals"],
        "properties": {
          "start_line": {"type": "integer"},
          "end_line": {"type": "integer"},
          "tier": {"type": ["integer", "null"], "minimum": 1, "maximum": 6, "description": "1 is the strongest evidence; null when unattributed."},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1},
          "trace_id": {"type": ["string", "null"]},
          "contributor": {
            "oneOf": [
              {"type": "object", "properties": {"type": {"type": "string"}, "model_id": {"type": ["string", "null"]}}},
              {"type": "null"}
            ]
          },
          "model_id": {"type": ["string", "null"]},
          "contributor_type": {"type": ["string", "null"]},
          "conversation_url": {"type": ["string", "null"]},
          "conversation_summary": {"type": ["string", "null"], "description": "First 200 characters of the transcript."},
          "tool": {"description": "The trace's `tool` object, or null."},
          "signals": {
            "type": "array",
            "items": {"type": "string", "enum": ["commit_link", "revision_parent", "revision_ancestor", "range_match", "range_overlap", "content_hash", "timestamp_match", "ledger"]}
          },
          "commit_link_match": {"type": "boolean"},
          "content_hash_match": {"type": "boolean"},
          "commit_sha": {"type": ["string", "null"]},
          "timestamp": {"type": ["string", "null"]},
          "matched_range": {
            "oneOf": [
              {"type": "object", "properties": {"start_line": {"type": "integer"}, "end_line": {"type": "integer"}}},
              {"type": "null"}
            ]
          }
        }
      },
      "BlameResponse": {
        "type": "object",
        "required": ["file_path", "attributions"],
        "properties": {
          "file_path": {"type": "string"},
          "attributions": {"type": "array", "items": {"$ref": "#/components/schemas/Attribution"}}
        }
      },
      "ConversationSyncRequest": {
        "type": "object",
        "required": ["project_id", "conversation_contents"],
        "properties": {
          "project_id": {"type": "string", "minLength": 1, "maxLength": 256},
          "conversation_contents": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/ConversationContent"}}
        }
      },
      "ConversationContentResponse": {
        "type": "object",
        "required": ["content"],
        "properties": {"content": {"type": "string"}}
      }
    }
  }
})json";

// Replaces one operation's "x-errors" list by the responses it stands for, ordered by status.
void ExpandErrors(json::object& operation) {
  if (!operation.contains(kErrorsKey)) return;
  // "responses" first: inserting it may rehash the object, which would leave a pointer to
  // "x-errors" taken before it dangling.
  json::value& responses_value = operation["responses"];
  if (!responses_value.is_object()) responses_value = json::object();
  json::object& responses = responses_value.as_object();
  const json::value* errors = operation.if_contains(kErrorsKey);
  if (errors->is_array()) {
    for (const json::value& code : errors->as_array()) {
      if (!code.is_int64()) continue;
      for (const auto& [status, name] : kStandardErrors) {
        std::string key = std::to_string(status);
        if (status != code.as_int64() || responses.contains(key)) continue;
        responses[key] = json::object{{"$ref", std::string("#/components/responses/") + name}};
      }
    }
  }
  std::vector<std::pair<std::string, json::value>> sorted;
  for (auto& entry : responses) {
    sorted.emplace_back(std::string(entry.key()), std::move(entry.value()));
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::atoi(a.first.c_str()) < std::atoi(b.first.c_str());
  });
  responses.clear();
  for (auto& [key, value] : sorted) responses[key] = std::move(value);
  operation.erase(kErrorsKey);
}

std::string BuildDocument() {
  const std::string text = std::string(kHead) + kTokens + kProjects + kTraces + kLinks +
                           kComponentsHead + kSchemasBasic + kSchemasTraces + kSchemasRest;
  json::error_code ec;
  json::value document = json::parse(text, ec);
  // Unparseable text is served as is, so the unit test that parses the document names the fault.
  if (ec || !document.is_object()) return text;
  json::value* paths = document.as_object().if_contains("paths");
  if (!paths || !paths->is_object()) return text;
  for (auto& path_item : paths->as_object()) {
    if (!path_item.value().is_object()) continue;
    for (auto& operation : path_item.value().as_object()) {
      if (operation.value().is_object()) ExpandErrors(operation.value().as_object());
    }
  }
  return json::serialize(document);
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string document = BuildDocument();
  return document;
}

}  // namespace ats::http
