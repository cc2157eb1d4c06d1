package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves tag group dimensions (/v0/tag-groups/{groupId}/dimensions),
// tag dimension values (/v0/tags/{tagId}/dimensions), tag group usage and
// the aggregated tag and tag group reads (/v0/aggregations/...). Every read
// and write is bound to the companies the caller may see through the tag
// group the dimension or tag belongs to.

// Errors that say which of a path's resources is missing; each matches
// ErrNotFound.
var (
	// ErrNoDimension: the tag group has no such dimension.
	ErrNoDimension = fmt.Errorf("tag group dimension %w", ErrNotFound)
	// ErrNoDimensionValue: the tag has no value for the dimension.
	ErrNoDimensionValue = fmt.Errorf("tag dimension value %w", ErrNotFound)
	// ErrTooManyDimensions: the tag group has pleo.MaxDimensionsPerGroup
	// dimensions already; matches ErrConflict.
	ErrTooManyDimensions = fmt.Errorf("tag group has %d dimensions: %w", pleo.MaxDimensionsPerGroup, ErrConflict)
)

const dimensionColumns = `d.id, d.group_id, d.name, d.code, d.display_order, d.visible, d.created_at, d.updated_at`

// dimensionFrom joins a dimension to its group, whose company_id scopes it.
const dimensionFrom = `FROM tag_group_dimensions d JOIN tag_groups g ON g.id = d.group_id`

// dimensionOrder is the order of a group's dimensions: by display order,
// then oldest first.
const dimensionOrder = ` ORDER BY d.display_order, d.created_at, d.id`

func scanDimension(row interface{ Scan(...any) error }) (pleo.TagGroupDimension, error) {
	var d pleo.TagGroupDimension
	var created, updated string
	err := row.Scan(&d.ID, &d.GroupID, &d.Name, &d.Code, &d.DisplayOrder, &d.Visible, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNoDimension
	}
	d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
	return d, err
}

// querier is what reads need of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	rowQuerier
}

// requireTagGroup returns ErrNotFound unless groupID is a tag group of one
// of companies.
func requireTagGroup(ctx context.Context, db rowQuerier, companies []string, groupID string) error {
	return requireRowOfCompanies(ctx, db, "tag_groups", groupID, companies)
}

// groupDimensions returns the dimensions of the tag groups ids, in display order.
func groupDimensions(ctx context.Context, db querier, ids []string) ([]pleo.TagGroupDimension, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryList(ctx, db, scanDimension, `SELECT `+dimensionColumns+` `+dimensionFrom+
		` WHERE d.group_id IN (`+placeholders(len(ids))+`)`+dimensionOrder, anySlice(ids)...)
}

// TagGroupDimensions lists the dimensions of tag group groupID of one of
// companies, in display order. ErrNotFound: no such group.
func (s *Store) TagGroupDimensions(ctx context.Context, companies []string, groupID string) ([]pleo.TagGroupDimension, error) {
	if err := requireTagGroup(ctx, s.r, companies, groupID); err != nil {
		return nil, err
	}
	dims, err := groupDimensions(ctx, s.r, []string{groupID})
	if dims == nil {
		dims = []pleo.TagGroupDimension{}
	}
	return dims, err
}

func dimensionByID(ctx context.Context, db querier, companies []string, groupID, id string) (pleo.TagGroupDimension, error) {
	where, args := rowInCompanies("d.id", id, "g.company_id", companies)
	return scanDimension(db.QueryRowContext(ctx, `SELECT `+dimensionColumns+` `+dimensionFrom+` WHERE d.group_id = ? AND `+where,
		append([]any{groupID}, args...)...))
}

// TagGroupDimension returns dimension id of tag group groupID of one of
// companies. ErrNotFound: no such group; ErrNoDimension: no such
// dimension in it.
func (s *Store) TagGroupDimension(ctx context.Context, companies []string, groupID, id string) (pleo.TagGroupDimension, error) {
	if err := requireTagGroup(ctx, s.r, companies, groupID); err != nil {
		return pleo.TagGroupDimension{}, err
	}
	return dimensionByID(ctx, s.r, companies, groupID, id)
}

// CreateTagGroupDimension adds d (ID generated) to tag group d.GroupID of
// one of companies, after the group's last dimension: its display order is
// one more than the highest, as Pleo documents (d.DisplayOrder is
// ignored). ErrNotFound: no such group; ErrTooManyDimensions.
func (s *Store) CreateTagGroupDimension(ctx context.Context, companies []string, d pleo.TagGroupDimension, now time.Time) (pleo.TagGroupDimension, error) {
	d.ID, d.CreatedAt, d.UpdatedAt = NewUUID(), now, now
	err := s.Write(ctx, func(tx *Tx) error {
		if err := requireTagGroup(ctx, tx.tx, companies, d.GroupID); err != nil {
			return err
		}
		var n, highest int32
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(display_order), 0) FROM tag_group_dimensions WHERE group_id = ?`,
			d.GroupID).Scan(&n, &highest); err != nil {
			return err
		}
		if n >= pleo.MaxDimensionsPerGroup {
			return ErrTooManyDimensions
		}
		d.DisplayOrder = highest + 1
		return tx.InsertTagGroupDimension(ctx, d)
	})
	return d, err
}

// InsertTagGroupDimension adds a dimension as it is.
func (t *Tx) InsertTagGroupDimension(ctx context.Context, d pleo.TagGroupDimension) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tag_group_dimensions (id, group_id, name, code, display_order, visible, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.GroupID, d.Name, d.Code, d.DisplayOrder, boolInt(d.Visible),
		formatTime(d.CreatedAt), formatTime(d.UpdatedAt))
	return conflict(err)
}

// UpdateTagGroupDimension replaces the name, code, display order and
// visibility of dimension d.ID of tag group d.GroupID of one of companies.
// Other dimensions keep their display order. ErrNotFound: no such group;
// ErrNoDimension: no such dimension in it.
func (s *Store) UpdateTagGroupDimension(ctx context.Context, companies []string, d pleo.TagGroupDimension, now time.Time) (pleo.TagGroupDimension, error) {
	var out pleo.TagGroupDimension
	err := s.Write(ctx, func(tx *Tx) error {
		if err := requireTagGroup(ctx, tx.tx, companies, d.GroupID); err != nil {
			return err
		}
		old, err := dimensionByID(ctx, tx.tx, companies, d.GroupID, d.ID)
		if err != nil {
			return err
		}
		out = d
		out.CreatedAt, out.UpdatedAt = old.CreatedAt, now
		_, err = tx.tx.ExecContext(ctx, `UPDATE tag_group_dimensions SET name = ?, code = ?, display_order = ?, visible = ?, updated_at = ?
			WHERE id = ?`, d.Name, d.Code, d.DisplayOrder, boolInt(d.Visible), formatTime(now), d.ID)
		return err
	})
	return out, err
}

// DeleteTagGroupDimension removes dimension id of tag group groupID of one
// of companies, and every tag's value for it. ErrNotFound: no such group;
// ErrNoDimension: no such dimension in it.
func (s *Store) DeleteTagGroupDimension(ctx context.Context, companies []string, groupID, id string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if err := requireTagGroup(ctx, tx.tx, companies, groupID); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM tag_group_dimensions WHERE id = ? AND group_id = ?`, id, groupID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = ErrNoDimension
		}
		return err
	})
}

// TagGroupUsage counts, for every tag of tag group groupID of one of
// companies (archived ones included, oldest first), the accounting entries
// that are not deleted and carry the tag. ErrNotFound: no such group.
func (s *Store) TagGroupUsage(ctx context.Context, companies []string, groupID string) (pleo.TagGroupUsage, error) {
	if err := requireTagGroup(ctx, s.r, companies, groupID); err != nil {
		return pleo.TagGroupUsage{}, err
	}
	usages, err := queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (pleo.TagUsage, error) {
		var u pleo.TagUsage
		return u, row.Scan(&u.ID, &u.Count)
	}, `SELECT t.id, (SELECT count(*) FROM accounting_entries e
			WHERE e.company_id = g.company_id AND e.deleted_at IS NULL
			AND EXISTS (SELECT 1 FROM json_each(e.tags) j WHERE j.value ->> '$.tagId' = t.id))
		FROM tags t JOIN tag_groups g ON g.id = t.group_id WHERE t.group_id = ? ORDER BY t.created_at, t.id`, groupID)
	if usages == nil {
		usages = []pleo.TagUsage{}
	}
	return pleo.TagGroupUsage{Usages: usages}, err
}

// AggregatedTagGroups lists the tag groups of companies with their
// dimensions, oldest first. With ids, only those groups, archived ones
// included; without, every active group, as Pleo documents.
func (s *Store) AggregatedTagGroups(ctx context.Context, companies []string, ids []string) ([]pleo.AggregatedTagGroup, error) {
	where, args := companyScope("company_id", companies)
	if len(ids) > 0 {
		where += " AND id IN (" + placeholders(len(ids)) + ")"
		args = append(args, anySlice(ids)...)
	} else {
		where += " AND archived = 0"
	}
	groups, err := queryList(ctx, s.r, scanTagGroup, `SELECT `+tagGroupColumns+` FROM tag_groups WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	groupIDs := make([]string, len(groups))
	for i, g := range groups {
		groupIDs[i] = g.ID
	}
	dims, err := groupDimensions(ctx, s.r, groupIDs)
	if err != nil {
		return nil, err
	}
	byGroup := map[string][]pleo.AggregatedTagGroupDimension{}
	for _, d := range dims {
		byGroup[d.GroupID] = append(byGroup[d.GroupID], pleo.AggregatedTagGroupDimension{ID: d.ID, Name: d.Name, Code: d.Code,
			DisplayOrder: d.DisplayOrder, Visible: d.Visible, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt})
	}
	out := make([]pleo.AggregatedTagGroup, len(groups))
	for i, g := range groups {
		out[i] = pleo.AggregatedTagGroup{ID: g.ID, CompanyID: g.CompanyID, Name: g.Name, Code: g.Code, Archived: g.Archived,
			Dimensions: byGroup[g.ID], CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
		if out[i].Dimensions == nil {
			out[i].Dimensions = []pleo.AggregatedTagGroupDimension{}
		}
	}
	return out, nil
}

// AggregateTags returns tags (as ListTags returns them) with their group
// and company, and every dimension of their group with the tag's value for
// it ("" when the tag has none), in display order.
func (s *Store) AggregateTags(ctx context.Context, tags []pleo.Tag) ([]pleo.AggregatedTag, error) {
	out := make([]pleo.AggregatedTag, len(tags))
	if len(tags) == 0 {
		return out, nil
	}
	groupIDs, tagIDs := []string{}, make([]string, len(tags))
	seen := map[string]bool{}
	for i, t := range tags {
		tagIDs[i] = t.ID
		if !seen[t.GroupID] {
			seen[t.GroupID] = true
			groupIDs = append(groupIDs, t.GroupID)
		}
	}
	groups, err := queryList(ctx, s.r, scanTagGroup, `SELECT `+tagGroupColumns+` FROM tag_groups WHERE id IN (`+
		placeholders(len(groupIDs))+`)`, anySlice(groupIDs)...)
	if err != nil {
		return nil, err
	}
	groupByID := map[string]pleo.TagGroup{}
	for _, g := range groups {
		groupByID[g.ID] = g
	}
	dims, err := groupDimensions(ctx, s.r, groupIDs)
	if err != nil {
		return nil, err
	}
	values := map[[2]string]string{} // {tag, dimension} → value
	rows, err := queryList(ctx, s.r, scanDimensionValue, `SELECT `+dimensionValueColumns+` FROM tag_dimension_values v
		WHERE v.tag_id IN (`+placeholders(len(tagIDs))+`)`, anySlice(tagIDs)...)
	if err != nil {
		return nil, err
	}
	for _, v := range rows {
		values[[2]string{v.TagID, v.DimensionID}] = v.Value
	}
	for i, t := range tags {
		g := groupByID[t.GroupID]
		a := pleo.AggregatedTag{ID: t.ID, CompanyID: g.CompanyID, Group: pleo.AggregatedTagGroupRef{ID: g.ID, Name: g.Name, Code: g.Code},
			Name: t.Name, Code: t.Code, Archived: t.Archived, Dimensions: []pleo.AggregatedTagDimension{},
			CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
		for _, d := range dims {
			if d.GroupID == t.GroupID {
				a.Dimensions = append(a.Dimensions, pleo.AggregatedTagDimension{ID: d.ID, Name: d.Name, Code: d.Code,
					DisplayOrder: d.DisplayOrder, Visible: d.Visible, Value: values[[2]string{t.ID, d.ID}]})
			}
		}
		out[i] = a
	}
	return out, nil
}

const dimensionValueColumns = `v.tag_id, v.dimension_id, v.value, v.created_at, v.updated_at`

func scanDimensionValue(row interface{ Scan(...any) error }) (pleo.TagDimensionValue, error) {
	var v pleo.TagDimensionValue
	var created, updated string
	err := row.Scan(&v.TagID, &v.DimensionID, &v.Value, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNoDimensionValue
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return v, err
}

// TagDimensionValues lists the values tag tagID of one of companies has,
// in its group's display order. ErrNotFound: no such tag.
func (s *Store) TagDimensionValues(ctx context.Context, companies []string, tagID string) ([]pleo.TagDimensionValue, error) {
	if _, err := tagByID(ctx, s.r, companies, tagID); err != nil {
		return nil, err
	}
	values, err := queryList(ctx, s.r, scanDimensionValue, `SELECT `+dimensionValueColumns+` FROM tag_dimension_values v
		JOIN tag_group_dimensions d ON d.id = v.dimension_id WHERE v.tag_id = ?`+dimensionOrder, tagID)
	if values == nil {
		values = []pleo.TagDimensionValue{}
	}
	return values, err
}

// tagAndDimension checks that tagID is a tag of one of companies and
// dimensionID a dimension of its group. ErrNotFound: no such tag;
// ErrNoDimension: no such dimension in the tag's group.
func tagAndDimension(ctx context.Context, db querier, companies []string, tagID, dimensionID string) error {
	t, err := tagByID(ctx, db, companies, tagID)
	if err != nil {
		return err
	}
	_, err = dimensionByID(ctx, db, companies, t.GroupID, dimensionID)
	return err
}

func dimensionValue(ctx context.Context, db querier, tagID, dimensionID string) (pleo.TagDimensionValue, error) {
	return scanDimensionValue(db.QueryRowContext(ctx, `SELECT `+dimensionValueColumns+` FROM tag_dimension_values v
		WHERE v.tag_id = ? AND v.dimension_id = ?`, tagID, dimensionID))
}

// TagDimensionValue returns the value of tag tagID of one of companies for
// dimension dimensionID. ErrNotFound: no such tag; ErrNoDimension: no such
// dimension in its group; ErrNoDimensionValue: the tag has no value for it.
func (s *Store) TagDimensionValue(ctx context.Context, companies []string, tagID, dimensionID string) (pleo.TagDimensionValue, error) {
	if err := tagAndDimension(ctx, s.r, companies, tagID, dimensionID); err != nil {
		return pleo.TagDimensionValue{}, err
	}
	return dimensionValue(ctx, s.r, tagID, dimensionID)
}

// CreateTagDimensionValue gives tag v.TagID of one of companies the value
// v.Value for dimension v.DimensionID. Errors as TagDimensionValue, and
// ErrConflict when the tag has a value for the dimension already.
func (s *Store) CreateTagDimensionValue(ctx context.Context, companies []string, v pleo.TagDimensionValue, now time.Time) (pleo.TagDimensionValue, error) {
	v.CreatedAt, v.UpdatedAt = now, now
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tagAndDimension(ctx, tx.tx, companies, v.TagID, v.DimensionID); err != nil {
			return err
		}
		return tx.InsertTagDimensionValue(ctx, v)
	})
	return v, err
}

// InsertTagDimensionValue adds a value as it is; ErrConflict when the tag
// has a value for the dimension already.
func (t *Tx) InsertTagDimensionValue(ctx context.Context, v pleo.TagDimensionValue) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tag_dimension_values (tag_id, dimension_id, value, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, v.TagID, v.DimensionID, v.Value, formatTime(v.CreatedAt), formatTime(v.UpdatedAt))
	return conflict(err)
}

// UpdateTagDimensionValue replaces the value of tag v.TagID of one of
// companies for dimension v.DimensionID. Errors as TagDimensionValue.
func (s *Store) UpdateTagDimensionValue(ctx context.Context, companies []string, v pleo.TagDimensionValue, now time.Time) (pleo.TagDimensionValue, error) {
	var out pleo.TagDimensionValue
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tagAndDimension(ctx, tx.tx, companies, v.TagID, v.DimensionID); err != nil {
			return err
		}
		old, err := dimensionValue(ctx, tx.tx, v.TagID, v.DimensionID)
		if err != nil {
			return err
		}
		out = old
		out.Value, out.UpdatedAt = v.Value, now
		_, err = tx.tx.ExecContext(ctx, `UPDATE tag_dimension_values SET value = ?, updated_at = ? WHERE tag_id = ? AND dimension_id = ?`,
			v.Value, formatTime(now), v.TagID, v.DimensionID)
		return err
	})
	return out, err
}

// DeleteTagDimensionValue removes the value of tag tagID of one of
// companies for dimension dimensionID and returns it. Errors as
// TagDimensionValue.
func (s *Store) DeleteTagDimensionValue(ctx context.Context, companies []string, tagID, dimensionID string) (pleo.TagDimensionValue, error) {
	var out pleo.TagDimensionValue
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tagAndDimension(ctx, tx.tx, companies, tagID, dimensionID); err != nil {
			return err
		}
		var err error
		if out, err = dimensionValue(ctx, tx.tx, tagID, dimensionID); err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM tag_dimension_values WHERE tag_id = ? AND dimension_id = ?`, tagID, dimensionID)
		return err
	})
	return out, err
}
