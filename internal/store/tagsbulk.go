package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves the bulk tag writes (POST /v0/tags/archive and
// DELETE /v0/tags). Both are all or nothing: if any tag is not a tag of the
// company, nothing changes.

// MissingTagError names a tag of a bulk write that is not a tag of the
// company; errors.Is(err, ErrNotFound) holds for it.
type MissingTagError struct{ ID string }

func (e *MissingTagError) Error() string { return fmt.Sprintf("tag %s: %v", e.ID, ErrNotFound) }

// Unwrap makes a MissingTagError match ErrNotFound.
func (e *MissingTagError) Unwrap() error { return ErrNotFound }

// requireTagsOf returns a *MissingTagError for the first of ids that is
// not a tag of companyID.
func (t *Tx) requireTagsOf(ctx context.Context, companyID string, ids []string) error {
	for _, id := range ids {
		var ok bool
		if err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+tagFrom+` WHERE t.id = ? AND g.company_id = ?)`,
			id, companyID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return &MissingTagError{ID: id}
		}
	}
	return nil
}

// ArchiveTags sets archived on the tags ids of companyID and returns them,
// in the order of ids (duplicates once).
func (s *Store) ArchiveTags(ctx context.Context, companyID string, ids []string, archived bool, now time.Time) ([]pleo.Tag, error) {
	var out []pleo.Tag
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireTagsOf(ctx, companyID, ids); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, err := tx.tx.ExecContext(ctx, `UPDATE tags SET archived = ?, updated_at = ? WHERE id = ?`,
				boolInt(archived), formatTime(now), id); err != nil {
				return err
			}
			tag, err := tagByID(ctx, tx.tx, []string{companyID}, id)
			if err != nil {
				return err
			}
			out = append(out, tag)
		}
		return nil
	})
	return out, err
}

// DeleteTags removes the tags ids of companyID. Accounting entries keep
// their references to them, as with DeleteTag.
func (s *Store) DeleteTags(ctx context.Context, companyID string, ids []string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireTagsOf(ctx, companyID, ids); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
}
