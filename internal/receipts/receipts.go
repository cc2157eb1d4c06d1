// Package receipts draws the receipt files of the demo data: a small PNG or
// PDF per receipt showing the merchant, date, amount and currency of its
// accounting entry. The same Slip always gives the same bytes, so a reset
// of the emulator restores byte-identical files (and ETags).
package receipts

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The MIME types Render produces.
const (
	PNG = "image/png"
	PDF = "application/pdf"
)

// Slip is what a receipt shows.
type Slip struct {
	Merchant  string    // shown as is in a PDF, folded to ASCII in a PNG
	Date      time.Time // the purchase time, shown as a UTC date and time
	Minors    int64     // the amount in minor units of Currency
	Currency  string    // ISO 4217 code
	Reference string    // a short reference printed at the bottom, e.g. a receipt ID
}

// Render draws s as a file of mimeType (PNG or PDF).
func Render(s Slip, mimeType string) ([]byte, error) {
	switch mimeType {
	case PNG:
		return renderPNG(s)
	case PDF:
		return renderPDF(s)
	}
	return nil, fmt.Errorf("receipts: cannot render %q", mimeType)
}

// lines is the text of a slip, top to bottom.
func (s Slip) lines() []string {
	merchant := s.Merchant
	if merchant == "" {
		merchant = "Merchant"
	}
	return []string{
		merchant,
		"",
		"Date:   " + s.Date.UTC().Format("2006-01-02 15:04"),
		"Amount: " + FormatAmount(s.Minors, s.Currency),
		"",
		"Thank you for your purchase",
		"Ref " + s.Reference,
	}
}

// FormatAmount writes minors as a decimal amount with the currency's ISO
// 4217 number of decimals, followed by the code, e.g. "1234.50 DKK".
func FormatAmount(minors int64, currency string) string {
	return pleo.FormatMoney(pleo.Money{Currency: currency, Minors: minors})
}

// asciiFold replaces the letters the demo merchants use outside ASCII, and
// drops any other, for the PNG's ASCII-only bitmap font.
func asciiFold(s string) string {
	s = strings.NewReplacer("ø", "o", "Ø", "O", "å", "a", "Å", "A", "æ", "ae", "Æ", "AE", "ö", "o", "Ö", "O",
		"ä", "a", "Ä", "A", "é", "e", "ü", "u", "Ü", "U", "ß", "ss").Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// renderPNG draws the slip in a 7x13 bitmap font on a small canvas and
// doubles it; mostly white rows compress to about 2 KiB.
func renderPNG(s Slip) ([]byte, error) {
	const margin, lineHeight, width = 8, 16, 200
	lines := s.lines()
	small := image.NewPaletted(image.Rect(0, 0, width, 2*margin+lineHeight*len(lines)), greys)
	d := font.Drawer{Dst: small, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13}
	for i, line := range lines {
		d.Dot = fixed.P(margin, margin+basicfont.Face7x13.Ascent+i*lineHeight)
		d.DrawString(asciiFold(line))
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, double(small)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pngEncoder reuses its compressors between files.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

type pngBuffers struct{ pool sync.Pool }

func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// greys is white (index 0, the background) to black in 17 steps: more than
// 16 colours makes image/png write 8-bit indices straight from Pix, its
// fast path, instead of packing bits pixel by pixel.
var greys = func() color.Palette {
	p := make(color.Palette, 17)
	for i := range p {
		p[i] = color.Gray{Y: uint8(255 - i*255/16)}
	}
	return p
}()

// double scales img by two in both directions, pixel for pixel.
func double(img *image.Paletted) *image.Paletted {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewPaletted(image.Rect(0, 0, 2*w, 2*h), img.Palette)
	for y := range h {
		row := out.Pix[2*y*out.Stride : 2*y*out.Stride+2*w]
		for x, px := range img.Pix[y*img.Stride : y*img.Stride+w] {
			row[2*x], row[2*x+1] = px, px
		}
		copy(out.Pix[(2*y+1)*out.Stride:], row)
	}
	return out
}

// pdfEpoch is the creation date written into every PDF, so that the same
// slip gives the same bytes.
var pdfEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// renderPDF writes the slip on an A6 page in the core Helvetica font,
// uncompressed (the page is a few hundred bytes; its text stays readable).
func renderPDF(s Slip) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A6", "")
	pdf.SetCompression(false)
	pdf.SetCreationDate(pdfEpoch)
	pdf.SetModificationDate(pdfEpoch)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("pleo-emulator", false)
	pdf.SetTitle("Receipt "+s.Reference, true)
	pdf.AddPage()
	// cp1252 turns UTF-8 into the code page of the PDF core fonts, which
	// holds the Nordic letters of the demo merchants. A translator reuses
	// one buffer, so each render makes its own.
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	for i, line := range s.lines() {
		style, size := "", 11.0
		if i == 0 {
			style, size = "B", 15
		}
		pdf.SetFont("Helvetica", style, size)
		pdf.CellFormat(0, 8, cp1252(line), "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
