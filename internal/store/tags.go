package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves the tag-groups and tags APIs (/v0/tag-groups, /v0/tags).
// A tag belongs to a company through its group. Tag codes are unique within
// their group (Pleo's documented 409); tag-group codes are not checked,
// because Pleo documents no conflict for them.

const tagGroupColumns = `id, company_id, name, code, archived, metadata, created_at, updated_at`

func scanTagGroup(row interface{ Scan(...any) error }) (pleo.TagGroup, error) {
	var g pleo.TagGroup
	var meta, created, updated string
	err := row.Scan(&g.ID, &g.CompanyID, &g.Name, &g.Code, &g.Archived, &meta, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, err
	}
	g.CreatedAt, g.UpdatedAt = parseTime(created), parseTime(updated)
	g.Metadata = map[string]string{}
	return g, json.Unmarshal([]byte(meta), &g.Metadata)
}

const tagColumns = `t.id, t.group_id, t.name, t.code, t.archived, t.created_at, t.updated_at`

// tagFrom joins a tag to its group, whose company_id the filters use.
const tagFrom = `FROM tags t JOIN tag_groups g ON g.id = t.group_id`

func scanTag(row interface{ Scan(...any) error }) (pleo.Tag, error) {
	var t pleo.Tag
	var created, updated string
	err := row.Scan(&t.ID, &t.GroupID, &t.Name, &t.Code, &t.Archived, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
	return t, err
}

// ListTagGroups lists the tag groups of companies, oldest first (Pleo does
// not page this list). withTagCounts sets TotalTagsCount: every tag of the
// group, archived ones included.
func (s *Store) ListTagGroups(ctx context.Context, companies []string, includeArchived, withTagCounts bool) ([]pleo.TagGroup, error) {
	where, args := companyScope("company_id", companies)
	if !includeArchived {
		where += " AND archived = 0"
	}
	groups, err := queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (pleo.TagGroup, error) {
		var n int64
		g, err := scanTagGroup(tgCountScanner{row, &n})
		if withTagCounts {
			g.TotalTagsCount = &n
		}
		return g, err
	}, `SELECT `+tagGroupColumns+`, (SELECT count(*) FROM tags WHERE tags.group_id = tag_groups.id)
		FROM tag_groups WHERE `+where+` ORDER BY created_at, id`, args...)
	if groups == nil {
		groups = []pleo.TagGroup{}
	}
	return groups, err
}

// tgCountScanner scans the tag count that follows a tag group's columns.
type tgCountScanner struct {
	row interface{ Scan(...any) error }
	n   *int64
}

func (c tgCountScanner) Scan(dest ...any) error { return c.row.Scan(append(dest, c.n)...) }

// TagGroup returns a tag group of one of companies.
func (s *Store) TagGroup(ctx context.Context, companies []string, id string) (pleo.TagGroup, error) {
	return scanTagGroup(selectRowOfCompanies(ctx, s.r, tagGroupColumns, "tag_groups", id, companies))
}

// CreateTagGroup adds g (ID generated) to g.CompanyID; ErrNotFound if
// there is no such company.
func (s *Store) CreateTagGroup(ctx context.Context, g pleo.TagGroup, now time.Time) (pleo.TagGroup, error) {
	g.ID, g.CreatedAt, g.UpdatedAt, g.TotalTagsCount = NewUUID(), now, now, nil
	if g.Metadata == nil {
		g.Metadata = map[string]string{}
	}
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, g.CompanyID); err != nil {
			return err
		}
		return tx.InsertTagGroup(ctx, g)
	})
	return g, err
}

// UpdateTagGroup replaces the name, code, archived flag and metadata of
// tag group g.ID of one of companies.
func (s *Store) UpdateTagGroup(ctx context.Context, companies []string, g pleo.TagGroup, now time.Time) (pleo.TagGroup, error) {
	meta, err := jsonText(g.Metadata, "{}")
	if err != nil {
		return g, err
	}
	err = s.updateRowOfCompanies(ctx, "tag_groups", "name = ?, code = ?, archived = ?, metadata = ?, updated_at = ?",
		[]any{g.Name, g.Code, boolInt(g.Archived), meta, formatTime(now)}, g.ID, companies)
	if err != nil {
		return g, err
	}
	return s.TagGroup(ctx, companies, g.ID)
}

// DeleteTagGroup removes a tag group of one of companies and its tags.
// Accounting entries keep their references to the removed tags.
func (s *Store) DeleteTagGroup(ctx context.Context, companies []string, id string) error {
	return s.deleteRowOfCompanies(ctx, "tag_groups", id, companies)
}

// TagFilter selects tags; empty fields do not filter. Archived, when set,
// keeps only archived (true) or active (false) tags and overrides
// IncludeArchived; without either only active tags are listed.
type TagFilter struct {
	GroupIDs        []string
	TagIDs          []string
	Text            string // case-insensitive substring of the name or code
	Archived        *bool
	IncludeArchived bool
}

// tagSortColumns maps the sort keys ListTags accepts to columns. Pleo
// documents no sort keys for tags; the default order is createdAt, id.
var tagSortColumns = map[string]string{"createdAt": "t.created_at", "id": "t.id"}

// TagSortKeys are the sort keys ListTags accepts, sorted.
var TagSortKeys = sortKeys(tagSortColumns)

// ListTags returns one page of the tags of companies that match f.
func (s *Store) ListTags(ctx context.Context, companies []string, f TagFilter, req PageRequest) (Page[pleo.Tag], error) {
	q := listQuery{columns: tagColumns, from: tagFrom, sortable: tagSortColumns}
	q.scopeToCompanies("g.company_id", companies)
	q.filterIn("t.group_id", f.GroupIDs)
	q.filterIn("t.id", f.TagIDs)
	if f.Text != "" {
		q.filter("(instr(lower(t.name), lower(?)) > 0 OR instr(lower(t.code), lower(?)) > 0)", f.Text, f.Text)
	}
	switch {
	case f.Archived != nil:
		q.filterArchived("t.archived", f.Archived)
	case !f.IncludeArchived:
		q.filter("t.archived = 0")
	}
	return listPage(ctx, s, q, req, scanTag)
}

// Tag returns a tag of one of companies.
func (s *Store) Tag(ctx context.Context, companies []string, id string) (pleo.Tag, error) {
	return tagByID(ctx, s.r, companies, id)
}

func tagByID(ctx context.Context, db rowQuerier, companies []string, id string) (pleo.Tag, error) {
	where, args := rowInCompanies("t.id", id, "g.company_id", companies)
	return scanTag(db.QueryRowContext(ctx, `SELECT `+tagColumns+` `+tagFrom+` WHERE `+where, args...))
}

// CreateTag adds t (ID generated) to tag group t.GroupID of one of
// companies. ErrNotFound: no such group; ErrConflict: the group has a tag
// with t.Code.
func (s *Store) CreateTag(ctx context.Context, companies []string, t pleo.Tag, now time.Time) (pleo.Tag, error) {
	t.ID, t.CreatedAt, t.UpdatedAt = NewUUID(), now, now
	err := s.Write(ctx, func(tx *Tx) error {
		if err := requireTagGroup(ctx, tx.tx, companies, t.GroupID); err != nil {
			return err
		}
		if err := tx.tagCodeFree(ctx, t.GroupID, t.Code, ""); err != nil {
			return err
		}
		return tx.InsertTag(ctx, t)
	})
	return t, err
}

// TagUpdate is the body of PUT /v0/tags/{tagId}: a nil Name keeps the name.
type TagUpdate struct {
	Code     string
	Archived bool
	Name     *string
}

// UpdateTag changes a tag of one of companies. ErrConflict: another tag
// of its group has u.Code.
func (s *Store) UpdateTag(ctx context.Context, companies []string, id string, u TagUpdate, now time.Time) (pleo.Tag, error) {
	var t pleo.Tag
	err := s.Write(ctx, func(tx *Tx) error {
		var err error
		if t, err = tagByID(ctx, tx.tx, companies, id); err != nil {
			return err
		}
		if err := tx.tagCodeFree(ctx, t.GroupID, u.Code, t.ID); err != nil {
			return err
		}
		t.Code, t.Archived, t.UpdatedAt = u.Code, u.Archived, now
		if u.Name != nil {
			t.Name = *u.Name
		}
		return mustAffect(tx.tx.ExecContext(ctx, `UPDATE tags SET name = ?, code = ?, archived = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.Code, boolInt(t.Archived), formatTime(now), t.ID))
	})
	return t, err
}

// DeleteTag removes a tag of one of companies.
func (s *Store) DeleteTag(ctx context.Context, companies []string, id string) error {
	where, args := companyScope("company_id", companies)
	return s.Write(ctx, func(tx *Tx) error {
		return mustAffect(tx.tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ? AND group_id IN (SELECT id FROM tag_groups WHERE `+
			where+`)`, append([]any{id}, args...)...))
	})
}

// tagCodeFree returns ErrConflict if a tag of group other than exceptID has code.
func (t *Tx) tagCodeFree(ctx context.Context, groupID, code, exceptID string) error {
	var taken bool
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tags WHERE group_id = ? AND code = ? AND id != ?)`,
		groupID, code, exceptID).Scan(&taken)
	if err == nil && taken {
		return ErrConflict
	}
	return err
}
