package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// addrFileEnv names the file in which serve records the address it really
// listens on, whatever set it (flag, environment, config file), and from
// which healthcheck reads it. The Docker image sets it, so its HEALTHCHECK
// follows `serve --addr :9090` as well as PLEO_EMULATOR_ADDR.
const addrFileEnv = "PLEO_EMULATOR_ADDR_FILE"

// writeAddrFile records addr in path, replacing the file in one rename so a
// healthcheck never reads half an address.
func writeAddrFile(path, addr string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readAddrFile returns the address serve recorded in path, or "" when there
// is none (no file, or an empty one).
func readAddrFile(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// dialAddr turns a listen address into one to dial on this machine: a
// wildcard host (":8080", "0.0.0.0", "::") becomes 127.0.0.1.
func dialAddr(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("addr %q: %w", listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// recordedURL is the base URL of the emulator that recorded its address in
// PLEO_EMULATOR_ADDR_FILE (in the Docker image: the container's own), or "".
func recordedURL(getenv Env) string {
	addr, err := dialAddr(readAddrFile(getenv(addrFileEnv)))
	if err != nil {
		return ""
	}
	return "http://" + addr
}

// checkDatabaseDir reports, before SQLite gets the chance to say only
// "unable to open database file (14)", a database directory the process
// cannot write to (SQLite writes its -wal and -shm files next to the
// database), with what to do about it.
func checkDatabaseDir(db string) error {
	if db == store.Memory {
		return nil
	}
	dir := filepath.Dir(db)
	f, err := os.CreateTemp(dir, ".pleo-emulator-write-check-*")
	if err == nil {
		f.Close()
		return os.Remove(f.Name())
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("db %s: the directory %s does not exist; create it or choose another --db", db, dir)
	}
	return fmt.Errorf("db %s: this process (uid %d, gid %d) cannot write to the directory %s (%v). "+
		"In the Docker image /data belongs to uid 65532: use a named volume (-v pleo-data:/data), "+
		"make a bind-mounted directory writable for uid 65532 (sudo chown 65532 ./data), "+
		"or point --db (PLEO_EMULATOR_DB) at a writable directory",
		db, os.Getuid(), os.Getgid(), dir, errors.Unwrap(err))
}
