package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
)

// event performs a customer action on a running emulator through the
// control API (POST /_emulator/events), firing a webhook event:
//
//	pleo-emulator event export <company-id>
//	pleo-emulator event vendor <company-id> --name "Kaffe ApS" --currency DKK
func event(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("event", stderr, &cf)
	name := fs.String("name", "", "vendor: the vendor's name")
	currency := fs.String("currency", "", "vendor: the vendor's default currency (ISO 4217)")
	country := fs.String("country", "", "vendor: the vendor's country (ISO 3166-1 alpha-2)")
	setUsage(fs, "usage: pleo-emulator event export <company-id> | event vendor <company-id> --name NAME --currency CODE")
	rest, err := parseFlags(fs, args, &cf)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		fs.Usage()
		return flag.ErrHelp
	}
	body := map[string]any{"company_id": rest[1]}
	switch rest[0] {
	case "export":
		body["type"] = "v1.export-job.created"
	case "vendor":
		body["type"] = "v1.vendor.created"
		body["vendor"] = map[string]string{"name": *name, "defaultCurrency": *currency, "country": *country}
	default:
		return fmt.Errorf("event: unknown action %q: use export or vendor", rest[0])
	}
	c, err := cf.client(getenv)
	if err != nil {
		return err
	}
	var answer struct {
		EventID   string `json:"event_id"`
		Type      string `json:"type"`
		ExportJob *struct {
			ID            string `json:"id"`
			NumberOfItems int    `json:"numberOfItems"`
		} `json:"export_job"`
		Vendor *struct {
			ID string `json:"id"`
		} `json:"vendor"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/events", body, &answer); err != nil {
		return err
	}
	switch {
	case answer.ExportJob != nil:
		fmt.Fprintf(stdout, "export job %s (%d items); event %s %s\n", answer.ExportJob.ID, answer.ExportJob.NumberOfItems, answer.Type, answer.EventID)
	case answer.Vendor != nil:
		fmt.Fprintf(stdout, "vendor %s; event %s %s\n", answer.Vendor.ID, answer.Type, answer.EventID)
	}
	return nil
}
