package pleo

import "time"

// This file holds tag group dimensions (Pleo's TagGroupDimensionModel) and
// tag dimension values (TagDimensionValueModel), and their rules. A
// dimension is a column of a tag group beside the name and code every tag
// has; a tag holds at most one value per dimension of its group.

// TagGroupDimension is TagGroupDimensionModel.
type TagGroupDimension struct {
	ID           string    `json:"id" format:"uuid"`
	GroupID      string    `json:"groupId" format:"uuid"`
	Name         string    `json:"name"`
	Code         string    `json:"code"`
	DisplayOrder int32     `json:"displayOrder"`
	Visible      bool      `json:"visible"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// TagDimensionValue is TagDimensionValueModel.
type TagDimensionValue struct {
	TagID       string    `json:"tagId" format:"uuid"`
	DimensionID string    `json:"dimensionId" format:"uuid"`
	Value       string    `json:"value"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Limits of dimensions. Pleo documents none; these are emulator choices
// that keep a stray request from storing megabytes in one field.
const (
	MaxDimensionTextLength = 255  // name and code of a dimension
	MaxDimensionValue      = 1000 // a tag's value for a dimension
	MaxDimensionsPerGroup  = 50   // dimensions of one tag group
)

// Validate checks the fields of a dimension a create or update sets: a
// name and a code that are not blank and at most MaxDimensionTextLength
// characters. It returns the first broken rule as a *FieldError. The
// display order, which only an update sets, has its own rule
// (ValidateDisplayOrder).
func (d TagGroupDimension) Validate() error {
	for _, f := range []struct{ name, value string }{{"name", d.Name}, {"code", d.Code}} {
		if err := notBlank(f.name, f.value); err != nil {
			return err
		}
		if err := MaxLength(f.name, f.value, MaxDimensionTextLength); err != nil {
			return err
		}
	}
	return nil
}

// ValidateDisplayOrder checks the display order an update sets: at least
// 1, as Pleo's aggregated models document display orders as starting from 1.
func ValidateDisplayOrder(order int32) error {
	if order < 1 {
		return Invalid("displayOrder", "must be at least 1, not %d", order)
	}
	return nil
}

// ValidateDimensionValue checks a tag's value for a dimension: at most
// MaxDimensionValue characters. An empty value is allowed: Pleo gives a
// tag created without a value an empty one.
func ValidateDimensionValue(value string) error {
	return MaxLength("value", value, MaxDimensionValue)
}

// TagUsage is TagUsageModel: how many expenses carry a tag.
type TagUsage struct {
	ID    string `json:"id" format:"uuid"`
	Count int32  `json:"count"`
}

// TagGroupUsage is TagGroupUsageModel.
type TagGroupUsage struct {
	Usages []TagUsage `json:"usages"`
}

// AggregatedTagGroup is AggregatedTagGroupModel: a tag group with its
// dimensions.
type AggregatedTagGroup struct {
	ID         string                        `json:"id" format:"uuid"`
	CompanyID  string                        `json:"companyId" format:"uuid"`
	Name       string                        `json:"name"`
	Code       string                        `json:"code"`
	Archived   bool                          `json:"archived"`
	Dimensions []AggregatedTagGroupDimension `json:"dimensions"`
	CreatedAt  time.Time                     `json:"createdAt"`
	UpdatedAt  time.Time                     `json:"updatedAt"`
}

// AggregatedTagGroupDimension is AggregatedTagGroupDimensionModel: a
// dimension without its group.
type AggregatedTagGroupDimension struct {
	ID           string    `json:"id" format:"uuid"`
	Name         string    `json:"name"`
	Code         string    `json:"code"`
	DisplayOrder int32     `json:"displayOrder"`
	Visible      bool      `json:"visible"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// AggregatedTag is AggregatedTagModel: a tag with its group and the
// values of its group's dimensions.
type AggregatedTag struct {
	ID         string                   `json:"id" format:"uuid"`
	CompanyID  string                   `json:"companyId" format:"uuid"`
	Group      AggregatedTagGroupRef    `json:"group"`
	Name       string                   `json:"name,omitempty"`
	Code       string                   `json:"code"`
	Archived   bool                     `json:"archived"`
	Dimensions []AggregatedTagDimension `json:"dimensions"`
	CreatedAt  time.Time                `json:"createdAt"`
	UpdatedAt  time.Time                `json:"updatedAt"`
}

// AggregatedTagGroupRef is AggregatedTagTagGroupModel.
type AggregatedTagGroupRef struct {
	ID   string `json:"id" format:"uuid"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// AggregatedTagDimension is AggregatedTagTagDimensionModel: a dimension of
// the tag's group and the tag's value for it.
type AggregatedTagDimension struct {
	ID           string `json:"id" format:"uuid"`
	Name         string `json:"name"`
	Code         string `json:"code"`
	DisplayOrder int32  `json:"displayOrder"`
	Visible      bool   `json:"visible"`
	Value        string `json:"value"`
}
