package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

const clientsUsage = "usage: pleo-emulator clients add|list|delete [flags] (run 'pleo-emulator clients add -h' for a subcommand's flags)"

// clients manages OAuth clients of a running emulator: add, list, delete.
func clients(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(clientsUsage)
	}
	switch args[0] {
	case "add":
		return clientsAdd(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return clientsList(ctx, args[1:], getenv, stdout, stderr)
	case "delete":
		return clientsDelete(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, clientsUsage)
		return nil
	}
	return fmt.Errorf("unknown clients subcommand %q; %s", args[0], clientsUsage)
}

// clientsAdd registers a client; a confidential client without --secret
// gets a generated secret, printed once.
func clientsAdd(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("clients add", stderr, &cf)
	id := fs.String("id", "", "client ID (required)")
	name := fs.String("name", "", "name shown on the consent screen (default: the ID)")
	secret := fs.String("secret", "", "client secret of a confidential client (default: generated and printed once)")
	public := fs.Bool("public", false, "register a public client, without a secret")
	var redirectURIs stringList
	fs.Var(&redirectURIs, "redirect-uri", "allowed redirect URI (repeat the flag for several)")
	scope := fs.String("scope", "", `space-separated scopes the client may request, e.g. "users:read companies:read" (required)`)
	noPKCE := fs.Bool("no-pkce", false, "do not require PKCE (confidential clients only)")
	autoApprove := fs.String("auto-approve", "", "approve this client's authorisations as this user's email, without login or consent")
	rest, err := parseFlags(fs, args, &cf)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("clients add: unexpected argument %q (the ID goes in --id)", rest[0])
	case *id == "":
		return errors.New("clients add: --id is required")
	case *public && *secret != "":
		return errors.New("clients add: --secret and --public exclude each other")
	}
	c, err := cf.client(getenv)
	if err != nil {
		return err
	}
	spec := config.ClientSpec{ID: *id, Name: *name, Secret: *secret, Type: "confidential", RedirectURIs: redirectURIs,
		Scopes: strings.Fields(*scope), AutoApprove: *autoApprove}
	if spec.Name == "" {
		spec.Name = spec.ID
	}
	if *public {
		spec.Type = "public"
	}
	if *noPKCE {
		required := false
		spec.PKCERequired = &required
	}
	var created control.ClientView
	if _, err := c.do(ctx, http.MethodPost, "/clients", spec, &created); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s client %s (%s)\n", created.Type, created.ClientID, pkceText(created.PKCERequired))
	if *secret == "" && created.ClientSecret != "" {
		fmt.Fprintf(stdout, "client secret: %s\n", created.ClientSecret)
		fmt.Fprintln(stdout, "(shown only now: the emulator keeps a hash of it)")
	}
	return nil
}

func pkceText(required bool) string {
	if required {
		return "PKCE required"
	}
	return "PKCE optional"
}

// clientsList prints the registered clients as a table.
func clientsList(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("clients list", stderr, &cf)
	asJSON := fs.Bool("json", false, "print the control API's JSON answer as it is")
	c, err := connectNoArgs(fs, args, &cf, getenv)
	if err != nil {
		return err
	}
	var list struct {
		Clients []control.ClientView `json:"clients"`
	}
	return c.printAnswer(ctx, http.MethodGet, "/clients", nil, &list, stdout, *asJSON, func(tw io.Writer) {
		fmt.Fprintln(tw, "CLIENT ID\tTYPE\tPKCE\tAUTO-APPROVE\tNAME\tREDIRECT URIS\tSCOPES")
		for _, cl := range list.Clients {
			pkce := "required"
			if !cl.PKCERequired {
				pkce = "optional"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cl.ClientID, cl.Type, pkce, dash(cl.AutoApprove), cl.Name,
				dash(strings.Join(cl.RedirectURIs, ",")), dash(strings.Join(cl.Scopes, " ")))
		}
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clientsDelete removes a client by ID.
func clientsDelete(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("clients delete", stderr, &cf)
	const usage = "usage: pleo-emulator clients delete [flags] CLIENT_ID"
	setUsage(fs, usage)
	rest, err := parseFlags(fs, args, &cf)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New(usage)
	}
	c, err := cf.client(getenv)
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, http.MethodDelete, "/clients/"+url.PathEscape(rest[0]), nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deleted client %s\n", rest[0])
	return nil
}
