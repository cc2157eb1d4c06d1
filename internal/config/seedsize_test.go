package config_test

import (
	"io"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

func TestSeedSizeFromFlagEnvAndFile(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "default", want: config.SeedSmall},
		{name: "flag", args: []string{"--seed-size", "large"}, want: config.SeedLarge},
		{name: "environment", env: map[string]string{"PLEO_EMULATOR_SEED_SIZE": "large"}, want: config.SeedLarge},
		{name: "config file", args: []string{"--config", "FILE"}, want: config.SeedLarge},
		{name: "flag over environment", args: []string{"--seed-size", "small"}, env: map[string]string{"PLEO_EMULATOR_SEED_SIZE": "large"}, want: config.SeedSmall},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if len(args) == 2 && args[1] == "FILE" {
				args = []string{"--config", writeFile(t, "c.yaml", "seed_size: large\n")}
			}
			c, err := config.Load("t", args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.SeedSize != tc.want {
				t.Errorf("seed size %q, want %q", c.SeedSize, tc.want)
			}
		})
	}
}

func TestSeedSizeRefusesOtherValues(t *testing.T) {
	for _, v := range []string{"huge", "LARGE", " small", "100000"} {
		_, err := config.Load("t", []string{"--seed-size", v}, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "seed-size") || !strings.Contains(err.Error(), "small or large") {
			t.Errorf("--seed-size %q: %v, want an error naming seed-size and its values", v, err)
		}
	}
	_, err := config.Load("t", nil, env(map[string]string{"PLEO_EMULATOR_SEED_SIZE": "medium"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "seed-size") {
		t.Errorf("PLEO_EMULATOR_SEED_SIZE=medium: %v", err)
	}
}
