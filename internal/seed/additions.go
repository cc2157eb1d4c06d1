package seed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Apply writes a config file's additions. It runs at every start: clients
// are updated to match the file; organisations, companies and users are
// added when their ID is not yet in the database and left alone otherwise.
func Apply(ctx context.Context, tx *store.Tx, adds config.Additions, now time.Time) error {
	for _, spec := range adds.Clients {
		c, err := spec.Client(now)
		if err != nil {
			return err
		}
		err = tx.InsertClient(ctx, c)
		if errors.Is(err, store.ErrConflict) {
			err = tx.UpdateClient(ctx, c)
		}
		if err != nil {
			return fmt.Errorf("client %s: %w", c.ID, err)
		}
	}
	for _, o := range adds.Organizations {
		err := tx.InsertOrganization(ctx, pleo.Organization{ID: strings.ToLower(o.ID), Name: o.Name, CreatedAt: now, UpdatedAt: now})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("organization %s: %w", o.ID, err)
		}
	}
	for _, spec := range adds.Companies {
		c, err := spec.Company(now)
		if err != nil {
			return err
		}
		if err := tx.InsertCompany(ctx, c); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("company %s: %w", c.ID, err)
		}
	}
	for _, u := range adds.Users {
		id := strings.ToLower(u.ID)
		err := tx.InsertUser(ctx, pleo.User{ID: id, Email: u.Email, Name: u.Name,
			PasswordHash: oauth.HashPassword(id, u.Password), CreatedAt: now})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
		for _, r := range u.Roles {
			var err error
			if r.CompanyID != "" {
				err = tx.SetCompanyRole(ctx, id, strings.ToLower(r.CompanyID), oauth.Role(r.Role))
			} else {
				err = tx.SetOrganizationRole(ctx, id, strings.ToLower(r.OrganizationID), oauth.Role(r.Role))
			}
			if err != nil {
				return fmt.Errorf("user %s: role: %w", u.Email, err)
			}
		}
	}
	for _, rc := range adds.Receipts {
		if err := attachReceipt(ctx, tx, rc, now); err != nil {
			return fmt.Errorf("receipt %s: %w", rc.ID, err)
		}
	}
	return nil
}

// attachReceipt attaches a config file's receipt unless its ID is taken
// (attached at an earlier start); the file is streamed, not read whole.
func attachReceipt(ctx context.Context, tx *store.Tx, rc config.ReceiptSpec, now time.Time) error {
	f, err := os.Open(rc.File)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = tx.InsertReceipt(ctx, store.NewReceipt{ID: strings.ToLower(rc.ID), AccountingEntryID: strings.ToLower(rc.AccountingEntryID),
		ContentType: rc.ContentType, Source: rc.Source, CreatedAt: now}, f)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
