package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
)

// faviconICO is /favicon.ico: the same mark as static/favicon.svg (a ring
// and a dot on the practice's teal), drawn once at start-up as a 32×32 PNG
// inside an ICO container, for browsers and tools that ask for
// /favicon.ico whatever the page links.
var faviconICO = func() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	teal := color.NRGBA{0x27, 0x5d, 0x63, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range n {
		for x := range n {
			d := math.Hypot(float64(x)+0.5-16, float64(y)+0.5-16)
			switch {
			case d > 15:
				// Transparent outside the disc.
			case d <= 2.5 || (d >= 6.75 && d <= 10.25):
				img.SetNRGBA(x, y, white)
			default:
				img.SetNRGBA(x, y, teal)
			}
		}
	}
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		return nil // an in-memory encode of a fixed image does not fail
	}
	var b bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image.
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1})
	// ICONDIRENTRY: 32×32, no palette, 1 plane, 32 bits, size, offset.
	b.Write([]byte{n, n, 0, 0})
	binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(p.Len()), 6 + 16})
	b.Write(p.Bytes())
	return b.Bytes()
}()

// favicon serves /favicon.ico. Its URL cannot carry a checksum, so it is
// cached for a day rather than for ever.
func (h *handler) favicon(w http.ResponseWriter, r *http.Request) {
	if faviconICO == nil {
		h.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(faviconICO)
}
