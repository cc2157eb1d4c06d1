package oauth_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// TestPasswordHashIsArgon2idAtOWASPCost pins the stored form: Argon2id at
// one of OWASP's equivalent minimum costs (m=19 MiB t=2, m=12 MiB t=3,
// m=9 MiB t=4 or m=7 MiB t=5; p=1), as a PHC string.
func TestPasswordHashIsArgon2idAtOWASPCost(t *testing.T) {
	h := string(oauth.HashPassword("user-1", "pw"))
	var memory, passes, lanes int
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
		t.Fatalf("stored hash %q is not an Argon2id PHC string", h)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &lanes); err != nil {
		t.Fatalf("parameters %q: %v", parts[3], err)
	}
	minPasses := map[int]int{19 * 1024: 2, 12 * 1024: 3, 9 * 1024: 4, 7 * 1024: 5}
	if want, ok := minPasses[memory]; !ok || passes < want || lanes < 1 {
		t.Errorf("cost m=%d KiB t=%d p=%d is not one of OWASP's minimum Argon2id costs", memory, passes, lanes)
	}
}

func TestPasswordCheckRefusesMalformedHashesAndAcceptsLegacyOnes(t *testing.T) {
	legacy, err := pbkdf2.Key(sha256.New, "pw", []byte("pleo-emulator/user/user-1"), 20_000, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !oauth.CheckPassword("user-1", "pw", legacy) || oauth.CheckPassword("user-1", "pw2", legacy) {
		t.Error("a PBKDF2 hash of an earlier version is not checked as before")
	}
	good := string(oauth.HashPassword("user-1", "pw"))
	for _, bad := range []string{
		"", "$argon2id$", strings.Replace(good, "argon2id", "argon2i", 1), strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "t=5", "t=0", 1), strings.Replace(good, "m=7168", "m=999999999", 1),
		good[:len(good)-10], good + "$extra",
	} {
		if oauth.CheckPassword("user-1", "pw", []byte(bad)) {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

// BenchmarkCheckPassword is the password's share of a sign-in.
func BenchmarkCheckPassword(b *testing.B) {
	h := oauth.HashPassword("user-1", "pw")
	for b.Loop() {
		oauth.CheckPassword("user-1", "pw", h)
	}
}

func TestPublishedPasswordHashChecks(t *testing.T) {
	h := oauth.HashPublishedPassword("user-1", "demo")
	if !strings.HasPrefix(string(h), "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("published-password hash %q", h)
	}
	if !oauth.CheckPassword("user-1", "demo", h) || oauth.CheckPassword("user-1", "Demo", h) || oauth.CheckPassword("user-2", "demo", h) {
		t.Error("published-password hash checks wrongly")
	}
}
