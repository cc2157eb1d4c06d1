package control

import "testing"

func TestAddressedHereRefusesOtherDottedNames(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"localhost:8080", true},
		{"LOCALHOST", true},
		{"app.localhost:8080", true},
		{"127.0.0.1:8080", true},
		{"[::1]:8080", true},
		{"10.0.0.7", true},
		{"pleo-emulator:8080", true}, // a Docker Compose service name
		{"emulator.test:8080", true}, // the --public-url host
		{"Emulator.Test.", true},
		{"attacker.example:8080", false}, // DNS rebinding
		{"127.0.0.1.nip.io", false},
		{"localhost.attacker.example", false},
		{"", false},
	} {
		if got := addressedHere(tc.host, "emulator.test"); got != tc.want {
			t.Errorf("addressedHere(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}
