package api

import (
	"reflect"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// schemaNames gives Go types the names Pleo's documents use for them.
// Types missing here are named after their Go type. It is one literal,
// grouped by the file that serves the types, so that every name is in one
// place and the map is whole before any code can read it.
var schemaNames = map[reflect.Type]string{
	reflect.TypeFor[apiError]():                  "ExceptionInfo",
	reflect.TypeFor[pageInfo]():                  "CursorPageInfo",
	reflect.TypeFor[currentRequest]():            "CursorPageCurrentRequestInfo",
	reflect.TypeFor[pleo.Employee]():             "ExternalEmployeeResponseModel",
	reflect.TypeFor[pleo.Company]():              "ExternalCompanyResponseModel",
	reflect.TypeFor[pleo.Address]():              "ExternalAddressResponseModel",
	reflect.TypeFor[pleo.AccountingEntry]():      "AccountingEntryV1",
	reflect.TypeFor[pleo.SplitItem]():            "SplitItemV1",
	reflect.TypeFor[pleo.EntryTag]():             "AccountingEntryTagV1",
	reflect.TypeFor[pleo.Supplier]():             "AccountingEntrySupplier",
	reflect.TypeFor[pleo.Attendee]():             "AttendeeV1",
	reflect.TypeFor[pleo.Installation]():         "InstallationResponse",
	reflect.TypeFor[introspection]():             "ExternalClientModel",
	reflect.TypeFor[entrySearchRequest]():        "AccountingEntryBaseSearchRequest",
	reflect.TypeFor[createInstallationRequest](): "CreateClientInstallationRequest",
	reflect.TypeFor[updateInstallationRequest](): "UpdateInstallationRequest",

	// Tag groups and tags (tags.go).
	reflect.TypeFor[pleo.TagGroup]():             "TagGroupModel",
	reflect.TypeFor[pleo.Tag]():                  "TagModel",
	reflect.TypeFor[tagGroupCreateModel]():       "TagGroupCreateModel",
	reflect.TypeFor[tagGroupUpdateModel]():       "TagGroupUpdateModel",
	reflect.TypeFor[tagCreateModel]():            "TagCreateModel",
	reflect.TypeFor[tagUpdateModel]():            "TagUpdateModel",
	reflect.TypeFor[compositeTagSearchRequest](): "CompositeTagSearchRequest",
	reflect.TypeFor[bulkTagArchiveModel]():       "BulkTagArchiveModel",
	reflect.TypeFor[bulkTagDeleteModel]():        "BulkTagDeleteModel",

	// Tax codes (taxcodes.go).
	reflect.TypeFor[pleo.TaxCode]():             "TaxCodeModel",
	reflect.TypeFor[taxCodeCreateUpdateModel](): "TaxCodeCreateUpdateModel",
	reflect.TypeFor[taxCodeSearchRequest]():     "TaxCodeSearchRequest",

	// Vendors (vendors.go).
	reflect.TypeFor[pleo.Vendor]():                "VendorResponse",
	reflect.TypeFor[vendorCreateRequest]():        "VendorCreateRequest",
	reflect.TypeFor[vendorUpdateRequest]():        "VendorUpdateRequest",
	reflect.TypeFor[vendorSearchRequest]():        "VendorSearchRequestV1",
	reflect.TypeFor[activateVendorEventRequest](): "ActivateVendorEventRequest",

	// Vendor CSV import jobs (vendorimport.go).
	reflect.TypeFor[pleo.CsvImportJob]():          "CsvImportJobV1",
	reflect.TypeFor[pleo.CsvFormat]():             "CsvFormatV1",
	reflect.TypeFor[pleo.CsvRowImportError]():     "CsvRowImportErrorV1",
	reflect.TypeFor[pleo.CsvImportStatusUpdate](): "UpdateStatusRequestV1",
	reflect.TypeFor[csvImportJobCreateRequest]():  "CreateCsvImportJobRequestV1",
	reflect.TypeFor[csvImportJobSearchRequest]():  "SearchCsvImportJobsRequestV1",
	reflect.TypeFor[csvImportMetadataRequest]():   "UpdateMetadataRequestV1",
	reflect.TypeFor[presignedURL]():               "PresignedUrlV1",

	// The chart of accounts (accounts.go).
	reflect.TypeFor[pleo.Account]():         "BookkeepingAccountRestModelV1",
	reflect.TypeFor[accountCreateRequest](): "BookkeepingAccountCreateRequestV1",
	reflect.TypeFor[accountUpdateRequest](): "BookkeepingAccountUpdateRequestV1",
	reflect.TypeFor[accountSearchRequest](): "BookkeepingAccountSearchRequestV1",

	// Export API v3 (exports.go).
	reflect.TypeFor[pleo.ExportJob]():                "ExportJobV3",
	reflect.TypeFor[pleo.CreateExportJob]():          "CreateExportJob",
	reflect.TypeFor[pleo.ExportJobOptions]():         "Options",
	reflect.TypeFor[pleo.ExportJobEvent]():           "CreateExportJobEvent",
	reflect.TypeFor[pleo.ExportJobItem]():            "ExportJobItemV3",
	reflect.TypeFor[exportJobItemUpdate]():           "UpdateExportJobItemV3",
	reflect.TypeFor[exportJobItemsUpdated]():         "ExportJobItemUpdateV3",
	reflect.TypeFor[pleo.ExportJobItemUpdateError](): "ExportJobItemUpdateErrorV3",
	reflect.TypeFor[pleo.ExportItem]():               "ExportItemV3",
	reflect.TypeFor[pleo.ExportLinks]():              "LinksResponse",
	reflect.TypeFor[pleo.ExportItemLine]():           "ExportItemLineV3",
	reflect.TypeFor[pleo.ExportAmount]():             "ExportItemAmountV3",
	reflect.TypeFor[pleo.MoneyValue]():               "MoneyModel",
	reflect.TypeFor[pleo.ExportAccount]():            "AccountV3",
	reflect.TypeFor[pleo.ExportTag]():                "TagV3",
	reflect.TypeFor[pleo.ExportTax]():                "TaxV3",
	reflect.TypeFor[pleo.ExportFile]():               "ExportItemFile",
	reflect.TypeFor[pleo.ExportPeriod]():             "ServicePeriodV3",
	reflect.TypeFor[pleo.ExportBookkeeping]():        "BookkeepingV3",
	reflect.TypeFor[pleo.ExportSupplier]():           "SupplierV3",
	reflect.TypeFor[pleo.ExportVendor]():             "VendorV3",
	reflect.TypeFor[pleo.ExportAdditionalInfo]():     "ExportItemAdditionalInformationV3",
	reflect.TypeFor[pleo.ExportInvoiceInfo]():        "InvoiceInformationV3",
	reflect.TypeFor[pleo.Receipt]():                  "ReceiptModel",
	reflect.TypeFor[receiptSearchRequest]():          "ReceiptSearchRequest",
	reflect.TypeFor[accountingEntryCore]():           "AccountingEntryCoreV6",
	reflect.TypeFor[exportJobItemsSearch]():          "SearchExportJobItemsRequest",

	// Tag group dimensions, tag dimension values and aggregations (dimensions.go, aggregations.go).
	reflect.TypeFor[pleo.TagGroupDimension]():           "TagGroupDimensionModel",
	reflect.TypeFor[pleo.TagDimensionValue]():           "TagDimensionValueModel",
	reflect.TypeFor[pleo.TagUsage]():                    "TagUsageModel",
	reflect.TypeFor[pleo.TagGroupUsage]():               "TagGroupUsageModel",
	reflect.TypeFor[pleo.AggregatedTagGroup]():          "AggregatedTagGroupModel",
	reflect.TypeFor[pleo.AggregatedTagGroupDimension](): "AggregatedTagGroupDimensionModel",
	reflect.TypeFor[pleo.AggregatedTag]():               "AggregatedTagModel",
	reflect.TypeFor[pleo.AggregatedTagGroupRef]():       "AggregatedTagTagGroupModel",
	reflect.TypeFor[pleo.AggregatedTagDimension]():      "AggregatedTagTagDimensionModel",
	reflect.TypeFor[tagGroupDimensionCreateModel]():     "TagGroupDimensionCreateModel",
	reflect.TypeFor[tagGroupDimensionUpdateModel]():     "TagGroupDimensionUpdateModel",
	reflect.TypeFor[tagDimensionValueCreateModel]():     "TagDimensionValueCreateModel",
	reflect.TypeFor[tagDimensionValueUpdateModel]():     "TagDimensionValueUpdateModel",
	// Tax amounts (taxcodes.go).
	reflect.TypeFor[calculateTaxesRequest]():  "CalculateTaxesRequest",
	reflect.TypeFor[calculateTaxesResponse](): "CalculateTaxesResponse",
	reflect.TypeFor[taxes]():                  "Taxes",
	reflect.TypeFor[pleo.TaxBreakdown]():      "AmountTaxBreakdown",
	reflect.TypeFor[pleo.TaxedAmount]():       "TaxedAmount",

	// Account batches (accounts.go).
	reflect.TypeFor[accountBatchCreateRequest]():  "BookkeepingAccountBatchCreateRequestV1",
	reflect.TypeFor[accountBatchItem]():           "BookkeepingAccountBatchRequestItemV1",
	reflect.TypeFor[accountBatchCreateResponse](): "BookkeepingAccountBatchCreateResponseV1",
	reflect.TypeFor[accountBatchFailedItem]():     "BookkeepingAccountBatchFailedItemV1",

	// The older v1-beta accounts (accounts.go).
	reflect.TypeFor[accountV4]():              "BookkeepingAccountRestModelV4",
	reflect.TypeFor[accountCreateRequestV4](): "BookkeepingAccountCreateRequestV4",
	reflect.TypeFor[accountUpdateRequestV4](): "BookkeepingAccountUpdateRequestV4",
	reflect.TypeFor[accountSearchRequestV4](): "BookkeepingAccountSearchRequestV4",

	// Webhook subscriptions (subscriptions.go).
	reflect.TypeFor[subscriptionRequest]():       "SubscriptionRequest",
	reflect.TypeFor[subscriptionModel]():         "SubscriptionModel",
	reflect.TypeFor[subscriptionActivityModel](): "SubscriptionActivityModel",
	reflect.TypeFor[endpointAuth]():              "EndpointAuth",
	reflect.TypeFor[authCredentials]():           "Credentials",
	reflect.TypeFor[subscriptionSecret]():        "SubscriptionSecretModel",
}

// schemaGen derives JSON Schemas (OpenAPI 3.1) from Go types, following
// encoding/json: a field's name is its json tag; a field without omitempty
// is required; a pointer without omitempty may be null; a `format:"uuid"`
// tag sets the string format (of the items, for slices). Named structs
// become components; generic wrappers are inlined.
type schemaGen struct {
	schemas map[string]any
}

func newSchemaGen() *schemaGen { return &schemaGen{schemas: map[string]any{}} }

// schemaOf returns the schema of v's type.
func (g *schemaGen) schemaOf(v any) map[string]any { return g.schema(reflect.TypeOf(v)) }

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t == reflect.TypeFor[time.Time]() {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.structSchema(t)
	}
	return map[string]any{} // interface{}: any JSON value
}

// structSchema returns a $ref to t's component (building it once), or the
// inline schema of an unnamed or generic struct.
func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	name, ok := schemaNames[t]
	if !ok {
		name = t.Name()
	}
	if name == "" || strings.Contains(name, "[") {
		return g.object(t)
	}
	ref := map[string]any{"$ref": "#/components/schemas/" + name}
	if _, done := g.schemas[name]; !done {
		g.schemas[name] = map[string]any{} // placeholder against recursion
		g.schemas[name] = g.object(t)
	}
	return ref
}

// object builds the schema of a struct's JSON object.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if f.Tag.Get("format") != "" {
			s = withFormat(s, f.Tag.Get("format"))
		}
		omitempty := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if f.Type.Kind() == reflect.Pointer && !omitempty {
			s = nullable(s)
		}
		if !omitempty {
			required = append(required, name)
		}
		props[name] = s
	}
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// withFormat sets the format of a string schema, or of an array's items.
func withFormat(s map[string]any, format string) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	if items, ok := out["items"].(map[string]any); ok {
		out["items"] = withFormat(items, format)
		return out
	}
	out["format"] = format
	return out
}

// nullable lets a schema also be null.
func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		out := map[string]any{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		return out
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// withEnums adds enum values to properties of a body schema (a component
// reference or an inline object, or an array of them); for array properties
// the values go to the items.
func (g *schemaGen) withEnums(s map[string]any, enums map[string][]string) map[string]any {
	if items, ok := s["items"].(map[string]any); ok && s["type"] == "array" {
		g.withEnums(items, enums)
		return s
	}
	obj := s
	if ref, ok := s["$ref"].(string); ok {
		obj = g.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	props, _ := obj["properties"].(map[string]any)
	for field, values := range enums {
		p, ok := props[field].(map[string]any)
		if !ok {
			panic("api: enum for unknown body field " + field)
		}
		if items, ok := p["items"].(map[string]any); ok {
			items["enum"] = values
		} else {
			p["enum"] = values
		}
	}
	return s
}
