package seed

import (
	"fmt"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// dimensionSpec is a demo dimension of a tag group and the values of the
// group's first tags for it (a tag past the list has no value).
type dimensionSpec struct {
	name, code string
	visible    bool
	values     []string
}

// demoDimensions are the dimensions of each company's tag groups, by the
// group's index in company's list: Projects has a visible project manager
// and a hidden ERP number; Cost centres has a department.
var demoDimensions = [][]dimensionSpec{
	{
		{"Project manager", "PM", true, []string{"Mette Nielsen", "Lars Jensen", "Sofie Hansen", "Mikkel Pedersen"}},
		{"ERP project number", "ERP_NO", false, []string{"P-1001", "P-1002", "P-1003"}},
	},
	{
		{"Department", "DEPT", true, []string{"Administration", "Sales", "Engineering"}},
	},
}

// dimensions writes the demo dimensions of the tag groups of both demo
// companies, with values on some of their tags. IDs are stable:
// ID("<company>/tag-dimension/<group>/<i>").
func (d *demo) dimensions() error {
	for _, spec := range []companySpec{denmark, sweden} {
		for gi, dims := range demoDimensions {
			groupID := ID(fmt.Sprintf("%s/tag-group/%d", spec.key, gi))
			for di, dim := range dims {
				dimID := ID(fmt.Sprintf("%s/tag-dimension/%d/%d", spec.key, gi, di))
				if err := d.tx.InsertTagGroupDimension(d.ctx, pleo.TagGroupDimension{ID: dimID, GroupID: groupID, Name: dim.name,
					Code: dim.code, DisplayOrder: int32(di + 1), Visible: dim.visible, CreatedAt: d.created, UpdatedAt: d.created}); err != nil {
					return err
				}
				for ti, value := range dim.values {
					tagID := ID(fmt.Sprintf("%s/tag/%d/%d", spec.key, gi, ti))
					if err := d.tx.InsertTagDimensionValue(d.ctx, pleo.TagDimensionValue{TagID: tagID, DimensionID: dimID, Value: value,
						CreatedAt: d.created, UpdatedAt: d.created}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
