package terminal

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"rsc.io/qr"
)

// quietZone is the margin of light modules around a QR code that the QR specification
// (ISO/IEC 18004) asks for: four modules.
const quietZone = 4

// drawQR draws text as a QR code that fits in width x height terminal cells, or returns
// "" when it does not fit. It uses two columns a module where the terminal is big enough,
// else half blocks (two modules a line). Dark modules are drawn black and light ones white
// whatever the terminal's colours, so the code reads the same on light and dark themes;
// a terminal without colours gets light modules in its foreground colour.
func drawQR(text string, width, height int, r *lipgloss.Renderer) string {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return ""
	}
	n := code.Size + 2*quietZone
	dark := func(x, y int) bool {
		x, y = x-quietZone, y-quietZone
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	black, white := lipgloss.Color("#000000"), lipgloss.Color("#ffffff")
	colour := func(d bool) lipgloss.Color {
		if d {
			return black
		}
		return white
	}
	var cell func(x, y int) string
	rows := n
	switch coloured := r.ColorProfile() != termenv.Ascii; {
	case coloured && 2*n <= width && n <= height:
		cell = func(x, y int) string { return r.NewStyle().Background(colour(dark(x, y))).Render("  ") }
	case n <= width && (n+1)/2 <= height:
		rows = (n + 1) / 2
		cell = func(x, y int) string {
			top, bottom := dark(x, 2*y), dark(x, 2*y+1)
			if coloured {
				return r.NewStyle().Foreground(colour(top)).Background(colour(bottom)).Render("▀")
			}
			return string([]rune(" ▄▀█")[b2i(!top)*2+b2i(!bottom)])
		}
	default:
		return ""
	}
	var b strings.Builder
	for y := range rows {
		for x := range n {
			b.WriteString(cell(x, y))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}
