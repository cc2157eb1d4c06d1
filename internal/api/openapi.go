package api

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// The OpenAPI 3.1 document served at GET /openapi.json is generated from the
// route table: each route's operation (kept next to its handler) gives the
// parameters and the Go types of its bodies, whose JSON schemas are derived
// by reflection from the very types the handlers encode (openapi_schema.go).
// The catalogue gives each operation's scope.

// operation is the OpenAPI description of one route.
type operation struct {
	id, summary, tag string
	params           []param
	body             any                 // request body: a zero value of its Go type; nil when none
	bodyRequired     bool                // the request body must be present
	bodyEnums        map[string][]string // enum values of request body fields, by JSON name
	status           int                 // success status
	alsoStatus       []int               // other success statuses with the same body (e.g. 200 beside 201)
	response         any                 // success body: a zero value of its Go type; nil for no body
	contentType      string              // success content type; "" means contentTypeJSON
	errors           []int               // documented error statuses besides 401 and 403
}

// param is one query or path parameter.
type param struct {
	name, in, description string
	required              bool
	schema                map[string]any
}

func pathParam(name, description string) param {
	return param{name: name, in: "path", description: description, required: true, schema: uuidSchema()}
}

func queryUUID(name, description string) param {
	return param{name: name, in: "query", description: description, schema: uuidSchema()}
}

func queryString(name, description string) param {
	return param{name: name, in: "query", description: description, schema: map[string]any{"type": "string"}}
}

func queryBool(name, description string) param {
	return param{name: name, in: "query", description: description, schema: map[string]any{"type": "boolean"}}
}

// queryEnums documents a repeatable query parameter whose every value is
// one of values.
func queryEnums(name, description string, values []string) param {
	return param{name: name, in: "query", description: description,
		schema: map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": values}}}
}

// queryUUIDs documents a repeatable query parameter of UUIDs.
func queryUUIDs(name, description string) param {
	return param{name: name, in: "query", description: description, schema: map[string]any{"type": "array", "items": uuidSchema()}}
}

func uuidSchema() map[string]any { return map[string]any{"type": "string", "format": "uuid"} }

// cursorPattern is the pattern Pleo declares for before and after on most lists.
const cursorPattern = "^[A-Z2-7=~]+$"

// pagingParams documents the paging parameters of a list route.
func pagingParams(spec listSpec) []param {
	cursor := map[string]any{"type": "string", "pattern": cursorPattern}
	ps := []param{
		{name: "before", in: "query", description: "Cursor: return the page before this position (cannot be used together with [after] or [offset]).", schema: cursor},
		{name: "after", in: "query", description: "Cursor: return the page after this position (cannot be used together with [before] or [offset]).", schema: cursor},
	}
	if spec.offset {
		ps = append(ps, param{name: "offset", in: "query", description: "Offset of the page (cannot be used together with [before] or [after]).",
			schema: map[string]any{"type": "integer", "format": "int64", "minimum": 0}})
	}
	return append(ps,
		param{name: "limit", in: "query", description: "The maximum number of items to return.",
			schema: map[string]any{"type": "integer", "format": "int32", "minimum": 1, "maximum": spec.maxLimit, "default": spec.defaultLimit}},
		queryEnums("sorting_keys", "The keys to sort by; the id is always the last tiebreak.", spec.sortKeys),
		queryEnums("sorting_order", "One order per sorting key. ASC puts nulls last, DESC first.", pageOrderNames),
	)
}

// openAPIDocument builds the document of every route in the table.
func (a *API) openAPIDocument() map[string]any {
	g := newSchemaGen()
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = g.operationObject(rt)
	}
	scopes := map[string]string{}
	for _, s := range oauth.Scopes() {
		scopes[s.Name] = s.Description
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "pleo-emulator: mock of Pleo's External API",
			"version": "1",
			"description": "The routes this emulator serves, at Pleo's paths and in Pleo's JSON shapes. " +
				"Every route needs an OAuth 2.0 bearer access token from this emulator; the scope each route needs is in its security requirement.",
		},
		"servers": []map[string]any{{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{"oauth2": map[string]any{
				"type": "oauth2",
				"flows": map[string]any{"authorizationCode": map[string]any{
					"authorizationUrl": "/oauth/authorize", "tokenUrl": "/oauth/token", "refreshUrl": "/oauth/token", "scopes": scopes}},
			}},
		},
	}
}

// operationObject describes one route.
func (g *schemaGen) operationObject(rt route) map[string]any {
	op := rt.doc
	scopes := []string{}
	if s := rt.scope; s != "" {
		scopes = []string{s}
	}
	o := map[string]any{
		"operationId": op.id,
		"summary":     op.summary,
		"tags":        []string{op.tag},
		"security":    []map[string][]string{{"oauth2": scopes}},
	}
	if len(op.params) > 0 {
		params := make([]map[string]any, len(op.params))
		for i, p := range op.params {
			params[i] = map[string]any{"name": p.name, "in": p.in, "required": p.required, "schema": p.schema}
			if p.description != "" {
				params[i]["description"] = p.description
			}
			if p.in == "query" && p.schema["type"] == "array" {
				params[i]["style"], params[i]["explode"] = "form", true
			}
		}
		o["parameters"] = params
	}
	if op.body != nil {
		schema := g.schemaOf(op.body)
		if len(op.bodyEnums) > 0 {
			schema = g.withEnums(schema, op.bodyEnums)
		}
		o["requestBody"] = map[string]any{"required": op.bodyRequired,
			"content": map[string]any{contentTypeJSON: map[string]any{"schema": schema}}}
	}
	responses := map[string]any{}
	success := map[string]any{"description": http.StatusText(op.status)}
	if op.response != nil {
		ct := op.contentType
		if ct == "" {
			ct = contentTypeJSON
		}
		success["content"] = map[string]any{ct: map[string]any{"schema": g.schemaOf(op.response)}}
	}
	responses[strconv.Itoa(op.status)] = success
	for _, status := range op.alsoStatus {
		also := maps.Clone(success)
		also["description"] = http.StatusText(status)
		responses[strconv.Itoa(status)] = also
	}
	errSchema := g.schemaOf(apiError{})
	errs := append([]int{http.StatusUnauthorized, http.StatusForbidden}, op.errors...)
	if op.body != nil { // refused before the handler runs (see app.guardInput and decodeBody)
		errs = append(errs, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	for _, status := range errs {
		responses[strconv.Itoa(status)] = map[string]any{"description": http.StatusText(status),
			"content": map[string]any{contentTypeJSON: map[string]any{"schema": errSchema}}}
	}
	o["responses"] = responses
	return o
}
