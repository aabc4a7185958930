package observatory

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Point is one value of a chart.
type Point struct {
	// Label names the bar (or, in a line chart, is unused: the x axis
	// labels the points).
	Label string
	// Value is what is drawn.
	Value float64
	// Text is the number written beside the bar; empty writes Value.
	Text string
	// Hidden draws nothing (a suppressed cell); Text still shows ("<5").
	Hidden bool
}

// Series is one line of a LineChart: its points align with the x labels.
type Series struct {
	Name   string
	Points []Point
}

// Colours from the Okabe-Ito palette, readable by colour-blind people.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

const (
	chartWidth = 640
	fontFamily = "system-ui, sans-serif"
)

// esc escapes s for XML text and attributes.
func esc(s string) string { return template.HTMLEscapeString(s) }

// num formats a number without needless decimals, deterministically.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// shorten cuts a label to n characters.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// chartID derives a stable id for aria-labelledby from the content, so
// the same data always gives the same SVG and two charts on a page differ.
func chartID(parts ...string) string {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("chart-%08x", h.Sum32())
}

func pointText(p Point) string {
	if p.Text != "" {
		return p.Text
	}
	return num(p.Value)
}

// BarChart draws horizontal bars, one per point, with the label on the
// left and the number beside each bar: a plain SVG (role="img" with a
// <title>, no script), the same bytes for the same data. No points draws
// an empty frame with a dash.
func BarChart(points []Point, title string) template.HTML {
	const (
		labelW = 190
		barW   = 360
		rowH   = 24
		top    = 30
	)
	var maxV float64
	for _, p := range points {
		if !p.Hidden && p.Value > maxV {
			maxV = p.Value
		}
	}
	rows := max(len(points), 1)
	height := top + rows*rowH + 10
	var parts []string
	for _, p := range points {
		parts = append(parts, p.Label, pointText(p))
	}
	id := chartID(append([]string{"bar", title}, parts...)...)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s" font-size="12">`,
		id, chartWidth, height, chartWidth, height, fontFamily)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="16" font-size="14" font-weight="bold">%s</text>`, esc(title))
	if len(points) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">–</text></svg>`, labelW, top+16)
		return template.HTML(b.String())
	}
	for i, p := range points {
		y := top + i*rowH
		fmt.Fprintf(&b, `<g><text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+16, esc(shorten(p.Label, 30)))
		w := 0.0
		if !p.Hidden && maxV > 0 && p.Value > 0 {
			w = math.Max(1, math.Round(p.Value/maxV*barW))
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%s" height="%d" fill="%s"/>`, labelW, y+4, num(w), rowH-8, palette[0])
		fmt.Fprintf(&b, `<text x="%s" y="%d">%s</text></g>`, num(float64(labelW)+w+6), y+16, esc(pointText(p)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// LineChart draws one line per series over the x labels (periods), with
// a legend and the number at each point (when there are at most 16). Hidden
// points break the line. Same guarantees as BarChart.
func LineChart(series []Series, x []string, title string) template.HTML {
	const (
		left   = 48
		right  = 160
		top    = 30
		plotH  = 180
		bottom = 40
	)
	height := top + plotH + bottom
	plotW := chartWidth - left - right
	var maxV float64
	for _, s := range series {
		for _, p := range s.Points {
			if !p.Hidden && p.Value > maxV {
				maxV = p.Value
			}
		}
	}
	yMax := niceCeil(maxV)
	parts := append([]string{"line", title}, x...)
	for _, s := range series {
		parts = append(parts, s.Name)
		for _, p := range s.Points {
			parts = append(parts, pointText(p))
		}
	}
	id := chartID(parts...)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s" font-size="11">`,
		id, chartWidth, height, chartWidth, height, fontFamily)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="16" font-size="14" font-weight="bold">%s</text>`, esc(title))
	// Axes, with 0 and the top value.
	fmt.Fprintf(&b, `<path d="M%d %d V%d H%d" fill="none" stroke="#555"/>`, left, top, top+plotH, left+plotW)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">0</text>`, left-4, top+plotH+4)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-4, top+4, num(yMax))
	if len(x) == 0 || len(series) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">–</text></svg>`, left+plotW/2, top+plotH/2)
		return template.HTML(b.String())
	}
	xAt := func(i int) float64 {
		if len(x) == 1 {
			return float64(left) + float64(plotW)/2
		}
		return float64(left) + float64(i)*float64(plotW)/float64(len(x)-1)
	}
	yAt := func(v float64) float64 { return math.Round((float64(top+plotH)-v/yMax*plotH)*10) / 10 }
	step := (len(x) + 7) / 8
	for i, l := range x {
		if i%step == 0 || (i == len(x)-1 && i%step >= (step+1)/2) {
			fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, num(math.Round(xAt(i))), top+plotH+16, esc(shorten(l, 12)))
		}
	}
	labels := len(x) <= 16
	for si, s := range series {
		colour := palette[si%len(palette)]
		var d strings.Builder
		pen := false
		for i := range x {
			if i >= len(s.Points) || s.Points[i].Hidden {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%s %s ", cmd, num(math.Round(xAt(i))), num(yAt(s.Points[i].Value)))
			pen = true
		}
		fmt.Fprintf(&b, `<g><path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.TrimSpace(d.String()), colour)
		for i := range x {
			if i >= len(s.Points) {
				break
			}
			p := s.Points[i]
			if p.Hidden {
				continue
			}
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, num(math.Round(xAt(i))), num(yAt(p.Value)), colour)
			if labels {
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="9">%s</text>`, num(math.Round(xAt(i))), num(yAt(p.Value)-6), esc(pointText(p)))
			}
		}
		ly := top + 8 + si*16
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text></g>`,
			left+plotW+12, ly, colour, left+plotW+26, ly+9, esc(shorten(s.Name, 20)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
