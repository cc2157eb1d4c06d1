package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// defaultURL is where the control commands look for the emulator when
// nothing else names it: the default public URL.
const defaultURL = "http://localhost:8080"

// controlTimeout bounds one control API call.
const controlTimeout = 30 * time.Second

// controlFlags are the flags every control API command shares.
type controlFlags struct {
	url, token, configFile string
	set                    map[string]bool // flags given on the command line
}

// newFlagSet returns a flag set for a control command with --url,
// --control-token and --config registered.
func newFlagSet(name string, stderr io.Writer, cf *controlFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("pleo-emulator "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cf.url, "url", "", "emulator base URL (env PLEO_EMULATOR_URL, else the address serve recorded in PLEO_EMULATOR_ADDR_FILE, else PLEO_EMULATOR_PUBLIC_URL or the config file's public_url; default "+defaultURL+")")
	fs.StringVar(&cf.token, "control-token", "", "bearer token the control API requires (env PLEO_EMULATOR_CONTROL_TOKEN or the config file's control_token)")
	fs.StringVar(&cf.configFile, "config", "", "config file to read public_url and control_token from (env PLEO_EMULATOR_CONFIG)")
	return fs
}

// setUsage makes fs print usage, then its flags, for -h and after a bad flag.
func setUsage(fs *flag.FlagSet, usage string) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
}

// parseFlags parses args, allowing flags before and after positional
// arguments (as in "clients delete my-app --url ..."), and returns the
// positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, cf *controlFlags) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	cf.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cf.set[f.Name] = true })
	return positional, nil
}

// connectNoArgs parses a command that takes flags only, and returns its
// control API client: the shape of "clients list", "token" and "reset".
func connectNoArgs(fs *flag.FlagSet, args []string, cf *controlFlags, getenv Env) (*controlClient, error) {
	rest, err := parseFlags(fs, args, cf)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	return cf.client(getenv)
}

// client resolves the URL and control token (flag > environment > config
// file > default) and returns a control API client.
func (cf *controlFlags) client(getenv Env) (*controlClient, error) {
	configFile := cf.configFile
	if !cf.set["config"] {
		configFile = getenv(config.EnvName("config"))
	}
	var file *config.File
	if configFile != "" {
		f, err := config.ReadFile(configFile)
		if err != nil {
			return nil, err
		}
		file = f
	}
	fromFile := func(key string) string {
		if file == nil {
			return ""
		}
		return file.Settings[key]
	}
	base := firstNonEmpty(cf.url, getenv("PLEO_EMULATOR_URL"), recordedURL(getenv),
		getenv(config.EnvName("public-url")), fromFile("public_url"), defaultURL)
	token := firstNonEmpty(cf.token, getenv(config.EnvName("control-token")), fromFile("control_token"))
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q must be an absolute http(s) URL such as %s", base, defaultURL)
	}
	return &controlClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: controlTimeout}}, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// controlClient calls the control API under <base>/_emulator/.
type controlClient struct {
	base  string // emulator base URL, no trailing slash
	token string // sent as a bearer token when not empty
	http  *http.Client
}

// do sends in (when not nil) as JSON to the control API path (relative to
// /_emulator) and returns the raw answer of a 2xx response, decoded into
// out when out is not nil. Every error is one line fit to print.
func (c *controlClient) do(ctx context.Context, method, path string, in, out any) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/_emulator"+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var timeout interface{ Timeout() bool }
		if errors.As(err, &timeout) && timeout.Timeout() {
			return nil, fmt.Errorf("the emulator at %s did not answer within %s", c.base, controlTimeout)
		}
		return nil, fmt.Errorf("cannot reach the emulator at %s: is it running? (start it with: pleo-emulator serve, or go run ./cmd/pleo-emulator in a checkout)", c.base)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.base, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.answerError(resp, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("%s %s answered something that is not the control API's JSON: %v", method, req.URL.Path, err)
		}
	}
	return raw, nil
}

// answerError turns a non-2xx answer into one line: the control API's
// {"error"} message, with a hint where one helps.
func (c *controlClient) answerError(resp *http.Response, raw []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil || e.Error == "" {
		if resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("%s has no control API (is it a pleo-emulator started with --control=true?)", c.base)
		}
		return fmt.Errorf("%s answered %s, not the control API's JSON (is it a pleo-emulator?)", c.base, resp.Status)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		if c.token == "" {
			return fmt.Errorf("%s (HTTP 401): pass the emulator's control token with --control-token or PLEO_EMULATOR_CONTROL_TOKEN", e.Error)
		}
		return fmt.Errorf("%s (HTTP 401): the control token given is not the emulator's", e.Error)
	}
	return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
}

// printAnswer sends the request (do) and prints the answer on stdout: as
// the control API sent it when asJSON, else as the table that table writes
// from out, its tab-separated columns aligned.
func (c *controlClient) printAnswer(ctx context.Context, method, path string, in, out any, stdout io.Writer, asJSON bool,
	table func(tw io.Writer)) error {
	raw, err := c.do(ctx, method, path, in, out)
	if err != nil {
		return err
	}
	if asJSON {
		_, err := stdout.Write(raw)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	table(tw)
	return tw.Flush()
}
