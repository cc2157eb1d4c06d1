package api

import (
	"encoding/base32"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// fuzzOrder returns the order with n sort keys (the last one the id
// tiebreak) that the cursor fuzz target decodes for; desc flips the first.
func fuzzOrder(n int, desc bool) []store.Sort {
	order := make([]store.Sort, 0, n)
	for i := range n - 1 {
		order = append(order, store.Sort{Key: "key" + strconv.Itoa(i)})
	}
	order = store.WithTiebreak(order)
	order[0].Desc = desc
	order[0].NullsFirst = desc
	return order
}

// FuzzDecodeCursor proves that decodeCursor never panics and either refuses
// a cursor with a 400 naming the parameter, or returns a position with one
// string or null per sort key that encodes to a cursor decoding back to the
// same position (and encoding to the same cursor again), which a different
// sort order refuses. Each input is tried as the cursor itself and as the
// base32 encoding of its bytes, so the fuzzer also mutates the JSON inside.
func FuzzDecodeCursor(f *testing.F) {
	sig := orderSignature(fuzzOrder(1, false))
	sig2 := orderSignature(fuzzOrder(2, false))
	for _, s := range []struct {
		raw  string
		keys uint8
	}{
		{`["` + sig + `","0b3c6f0e-5d7a-4c1e-9a55-000000000000"]`, 0},
		{encodeCursor(sig, store.Position{"0b3c6f0e-5d7a-4c1e-9a55-000000000000"}), 0},
		{`["` + sig2 + `",null,"0b3c6f0e-5d7a-4c1e-9a55-000000000000"]`, 1},
		{`["` + sig2 + `","2026-01-31T10:00:00Z","x"]`, 1},
		{encodeCursor(sig2, store.Position{"2026-01-31T10:00:00Z", "x"}), 1},
		{`["` + sig + `",1]`, 0},
		{`["` + sig + `",{"a":"b"}]`, 0},
		{`["` + sig + `","a","b"]`, 0},
		{`["` + sig + `"]`, 0},
		{`["other","x"]`, 0},
		{`["` + sig + `","\u0000\ud800é"]`, 0},
		{`{"` + sig + `":"x"}`, 0},
		{"", 0},
		{"====", 0},
		{"~~~~", 0},
		{"MFRGG===", 0},
		{"mfrgg", 0},
	} {
		f.Add(s.raw, s.keys)
	}
	f.Fuzz(func(t *testing.T, raw string, keys uint8) {
		n := int(keys%4) + 1
		desc := keys&0x10 != 0
		sig := orderSignature(fuzzOrder(n, desc))
		otherSig := orderSignature(fuzzOrder(n, !desc))
		for _, cursor := range []string{raw, base32.StdEncoding.EncodeToString([]byte(raw))} {
			pos, err := decodeCursor("after", cursor, sig, n)
			if err != nil {
				var ae *apiError
				if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Type != typeParameterValidation {
					t.Fatalf("decode %q: error %v, want a 400 %s", cursor, err, typeParameterValidation)
				}
				continue
			}
			if len(pos) != n {
				t.Fatalf("decode %q: %d values for %d sort keys", cursor, len(pos), n)
			}
			for i, v := range pos {
				if _, ok := v.(string); v != nil && !ok {
					t.Fatalf("decode %q: value %d is %T, want string or null", cursor, i, v)
				}
			}
			again := encodeCursor(sig, pos)
			back, err := decodeCursor("after", again, sig, n)
			if err != nil {
				t.Fatalf("decode %q: re-encoded cursor %q is refused: %v", cursor, again, err)
			}
			if !reflect.DeepEqual(back, pos) {
				t.Fatalf("decode %q: position %#v re-encodes to %q, which decodes to %#v", cursor, pos, again, back)
			}
			if encodeCursor(sig, back) != again {
				t.Fatalf("decode %q: encoding is not stable: %q then %q", cursor, again, encodeCursor(sig, back))
			}
			if _, err := decodeCursor("after", again, otherSig, n); err == nil {
				t.Fatalf("cursor %q for one order is accepted for another", again)
			}
		}
	})
}
